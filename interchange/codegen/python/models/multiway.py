"""Python for MultiwayTreeModel (ir.multiway): each Node's predicate over the batch, then a walk per row.

The predicates are the IR's, read by ``_truth`` (three-valued: TRUE, UNKNOWN); a surrogate Node is
TRUE through an alternative where its first predicate is UNKNOWN. ``_multiway`` (copied into the
module) walks one row at a time as ir.tree_strategies.MultiwayTree walks the batch: children in
order, the first TRUE one entered, an UNKNOWN one handled by the missingValueStrategy, a row with no
TRUE child ending at the Node (returnLastPrediction) or nowhere; weightedConfidence and
aggregateNodes (pypmml's reading: the UNKNOWN children's ScoreDistributions, a winner needing a
positive score) give a virtual result. The penalty multiplies the confidence once per defaultChild
or surrogate alternative taken.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.module import PyWriter
from interchange.codegen.python.runtime import HELPERS
from interchange.codegen.registry import emitter
from interchange.ir.derive.predicates import Compound
from interchange.ir.trees.multiway import MultiwayTreeModel

__all__: list[str] = []

HELPERS["_multiway"] = '''
def _multiway(T, U, A, tree):
    """Per row: the Node it ends in (-1: none, -3: a virtual result), the penalised steps it took, and the
    virtual results' class, probabilities and confidence (interchange.ir.trees.strategies.MultiwayTree)."""
    kids, strategy, return_last, defaults, records, conf, counts = tree
    n = T.shape[1]
    width = 0 if counts is None else counts.shape[1]
    final = np.full(n, -1)
    missed = np.zeros(n)
    v_label = np.zeros(n, dtype=np.int64)
    v_probs = np.full((n, width), np.nan)
    v_conf = np.full(n, np.nan)
    flagged = strategy in ("weightedConfidence", "aggregateNodes") and counts is not None

    def gather(j, r, total):
        if not kids[j]:
            total += counts[j]
            return
        for k in kids[j]:
            if T[k, r] or U[k, r]:
                gather(k, r, total)
            if T[k, r]:
                return

    for r in range(n):
        node = 0
        while True:
            if not kids[node]:
                final[r] = node
                break
            step, end, unknown = None, None, False
            for k in kids[node]:
                if T[k, r]:
                    missed[r] += 1.0 if A[k, r] else 0.0
                    step = k
                    break
                if U[k, r]:
                    if strategy == "lastPrediction":
                        end = node
                    elif strategy == "nullPrediction":
                        end = -1
                    elif strategy == "defaultChild":
                        missed[r] += 1.0
                        step, end = (defaults[node], None) if defaults[node] >= 0 else (None, -1)
                    else:
                        unknown = unknown or flagged
                        continue
                    break
            if step is not None:
                node = step
                continue
            if end is not None:
                final[r] = end
                break
            final[r] = node if return_last else -1
            if unknown:
                if strategy == "weightedConfidence":
                    scores = np.zeros(width)
                    for k in kids[node]:
                        if U[k, r]:
                            scores = scores + conf[k] * (0.0 if np.isnan(records[k]) else records[k]) / records[node]
                    probs = np.full(width, np.nan)
                else:
                    scores = np.zeros(width)
                    gather(node, r, scores)
                    total = scores.sum()
                    probs = scores / total if total > 0 else np.full(width, np.nan)
                valued = np.where(np.isnan(scores), -np.inf, scores)
                best = int(np.argmax(valued))
                if valued[best] > 0:
                    final[r] = -3
                    v_label[r], v_probs[r] = best, probs
                    v_conf[r] = valued[best] if strategy == "weightedConfidence" else valued[best] / scores.sum()
            break
    return final, missed, v_label, v_probs, v_conf
'''


@emitter("python", MultiwayTreeModel)
def _multiway(step: MultiwayTreeModel, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    out.need("_truth", "_multiway")
    tree = step.tree
    nodes = len(step.ids)
    lines = [f"T = np.zeros(({nodes}, n), dtype=bool)", f"U = np.zeros(({nodes}, n), dtype=bool)", "A = np.zeros_like(T)"]
    for k, p in enumerate(step.predicates[1:], 1):
        lines.append(f"T[{k}], U[{k}] = _truth({out.const(f'NODE_{k}', predicate_data(p))}, env, n)")
        if isinstance(p, Compound) and p.operator == "surrogate" and p.parts:  # TRUE through an alternative
            lines.append(f"A[{k}] = T[{k}] & _truth({out.const(f'NODE_{k}_FIRST', predicate_data(p.parts[0]))}, env, n)[1]")
    data = (
        tuple(tuple(int(k) for k in ks) for ks in tree.kids),
        tree.strategy,
        bool(tree.return_last),
        tuple(int(d) for d in tree.defaults),
        np.asarray(tree.records, dtype=np.float64),
        None if tree.conf is None else np.asarray(tree.conf, dtype=np.float64),
        None if tree.counts is None else np.asarray(tree.counts, dtype=np.float64),
    )
    names = [out.const(f"MULTIWAY_{i}", value) for i, value in enumerate(data)]
    walk = out.const("MULTIWAY", ())
    out.constants[-1] = f"{walk} = ({', '.join(names)})"
    ids = out.const("NODE_IDS", np.array(list(step.ids), dtype=object))
    lines += [
        f"final, missed, v_label, v_probs, v_conf = _multiway(T, U, A, {walk})",
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
        classes = out.const("NODE_CLASSES", np.array(list(step.classes), dtype=object))
        lines += [
            f"label = {labels}[at]",
            "label[~ok] = None",
            f"probabilities = np.where(ok[:, None], {probs}[at], np.nan)",
            f"confidence = np.where(ok, {conf}[at] * {step.penalty!r} ** missed, np.nan)",
            "virtual = final == -3",
            f"label[virtual] = {classes}[v_label[virtual]]",
            "probabilities[virtual] = v_probs[virtual]",
            "confidence[virtual] = v_conf[virtual]",
        ]
        parts.update(label="label", probabilities="probabilities")
    parts.update({f"extra:{name}": "confidence" for name in step.confidence})
    return lines, parts
