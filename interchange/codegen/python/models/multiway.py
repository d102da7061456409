"""Python for MultiwayTreeModel (ir.trees.multiway): each Node's predicate over the batch, then the IR's walk.

The predicates are the IR's, read by ``_truth`` (three-valued: TRUE, UNKNOWN); a surrogate Node is
decided by an alternative where its first predicate is UNKNOWN and the whole is not
(ir.trees.masks.alternative). The walk is the IR's own kernel,
copied into the module (interchange.ir.kernels.trees: ``multiway_walk`` over the tree's chain tables,
``multiway_chain``'s, written as constants; ``multiway_virtual`` for weightedConfidence and
aggregateNodes of a classification), as interchange.ir.trees.strategies.MultiwayTree walks it. The
penalty multiplies the confidence once per defaultChild taken and per Node tested whose surrogate an
alternative decided, TRUE or FALSE (JPMML-Evaluator's reading).
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.module import PyWriter
from interchange.codegen.registry import emitter
from interchange.ir.derive.predicates import Compound
from interchange.ir.trees.multiway import MultiwayTreeModel

__all__: list[str] = []


@emitter("python", MultiwayTreeModel)
def _multiway(step: MultiwayTreeModel, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    out.need("_truth", "multiway_walk")
    tree = step.tree
    nodes = len(step.ids)
    lines = [f"T = np.zeros(({nodes}, n), dtype=bool)", f"U = np.zeros(({nodes}, n), dtype=bool)", "A = np.zeros_like(T)"]
    for k, p in enumerate(step.predicates[1:], 1):
        lines.append(f"T[{k}], U[{k}] = _truth({out.const(f'NODE_{k}', predicate_data(p))}, env, n)")
        if isinstance(p, Compound) and p.operator == "surrogate" and p.parts:  # decided by an alternative
            lines.append(f"A[{k}] = ~U[{k}] & _truth({out.const(f'NODE_{k}_FIRST', predicate_data(p.parts[0]))}, env, n)[1]")
    walk = out.const("MULTIWAY_CHAIN", tree.chain)
    lines += [
        "truths = lambda k, rows: (T[k, rows], U[k, rows], A[k, rows])",
        f"final, missed = multiway_walk({walk}, truths, {tree.strategy == 'defaultChild'}, n)",
    ]
    if tree.counts is not None:
        out.need("multiway_virtual")
        virtual = [
            out.const(f"MULTIWAY_{name}", None if value is None else np.asarray(value, dtype=np.float64))
            for name, value in (("RECORDS", tree.records), ("CONF", tree.conf), ("COUNTS", tree.counts))
        ]
        kids = out.const("MULTIWAY_KIDS", tuple(tuple(int(k) for k in ks) for ks in tree.kids))
        weighted = tree.strategy == "weightedConfidence"
        lines.append(
            f"v_label, v_probs, v_conf = multiway_virtual(final, lambda k: (T[k], U[k], A[k]), {kids}, {weighted}, "
            f"{bool(tree.return_last)}, {', '.join(virtual)})"
        )
    ids = out.const("NODE_IDS", np.array(list(step.ids), dtype=object))
    lines += [
        "ok = final >= 0",
        "at = np.where(ok, final, 0)",
        f"node_id = {ids}[at]",
        "node_id[~ok] = None",
    ]
    parts = {"cluster": "node_id"} if step.entity else {}
    if step.classes is None:
        scores = out.const("NODE_SCORES", np.asarray(step.scores, dtype=np.float64))
        lines += [f"value = np.where(ok, {scores}[at], np.nan)", "confidence = np.full(n, np.nan)"]
        parts["value"] = "value"
    else:
        assert step.probabilities is not None and step.confidences is not None
        labels = out.const("NODE_LABELS", np.array(list(step.scores), dtype=object))
        probs = out.const("NODE_PROBABILITIES", np.asarray(step.probabilities, dtype=np.float64))
        conf = out.const("NODE_CONFIDENCES", np.asarray(step.confidences, dtype=np.float64))
        lines += [
            f"label = {labels}[at]",
            "label[~ok] = None",
            f"probabilities = np.where(ok[:, None], {probs}[at], np.nan)",
            f"confidence = np.where(ok, {conf}[at] * {step.penalty!r} ** missed.astype(np.float64), np.nan)",
        ]
        if tree.counts is not None:  # (the virtual results: weightedConfidence / aggregateNodes)
            classes = out.const("NODE_CLASSES", np.array(list(step.classes), dtype=object))
            lines += [
                "virtual = final == -3",
                f"label[virtual] = {classes}[v_label[virtual]]",
                "probabilities[virtual] = v_probs[virtual]",
                "confidence[virtual] = v_conf[virtual]",
            ]
        parts.update(label="label", probabilities="probabilities")
    parts.update({f"extra:{name}": "confidence" for name in step.confidence})
    return lines, parts
