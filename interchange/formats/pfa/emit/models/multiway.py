"""MultiwayTreeModel (ir.multiway) in PFA: the walk as booleans of the record, then the Node's figures.

Each Node's predicate is a pair of PFA booleans (``predicates.truth``: TRUE, UNKNOWN);
``ir.multiway_masks.mask_walk`` combines them Node by Node (each result let-bound) into the Node the
record ends in and the events the missingValuePenalty counts. The Node's index (one past the last
Node: none) reads cells of scores, class indices, probabilities, ids and confidences; the
confidence is multiplied by ``penalty ** events``. weightedConfidence and aggregateNodes of a
classification (``multiway_masks.virtual_walk``) add the virtual result: the UNKNOWN children's
confidences weighted by their recordCounts, or the recordCounts of the leaves the gather reaches,
whose first largest positive class wins (no Node: no entity id).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.emit.document import ARRAY, ModelWriter, _Writer
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.trees.masks import VIRTUAL_STRATEGIES, alternative, mask_walk, virtual_walk
from interchange.ir.trees.multiway import MultiwayTreeModel
from interchange.signature import Signature

__all__ = ["MULTIWAY_WRITERS"]


class _Ops:
    """Boolean PFA expressions, each let-bound so that a mask is written once."""

    def __init__(self, w: _Writer) -> None:
        self.w, self.count = w, 0

    def bound(self, expr: Any) -> Any:
        self.count += 1
        name = f"mw_{self.count}"
        self.w.bind(name, expr, "boolean")
        return self.w.cols[name][0]

    def both(self, a: Any, b: Any) -> Any:
        return self.bound({"&&": [a, b]})

    def either(self, a: Any, b: Any) -> Any:
        return self.bound({"||": [a, b]})

    def negate(self, a: Any) -> Any:
        return self.bound({"!": a})


def _multiway(w: _Writer, step: MultiwayTreeModel, sig: Signature) -> dict[str, Any]:
    tree = step.tree
    virtual = tree.strategy in VIRTUAL_STRATEGIES and tree.counts is not None
    ops = _Ops(w)

    def node_truth(k: int) -> tuple[Any, Any, Any]:
        p = step.predicates[k]
        t, u = truth(w, p)
        t, u = (x if isinstance(x, bool) else ops.bound(x) for x in (t, u))
        return t, u, alternative(p, u, lambda q: truth(w, q)[1], ops)

    n = len(step.ids)
    won: Any = False
    if virtual:
        ends, events, candidates, gathered = virtual_walk(tree, node_truth, ops)
        won = _virtual(w, step, node_truth, candidates, gathered, ops)
        if tree.return_last:  # a candidate without a winner ends at its Node
            ends = [
                ops.either(e, ops.both(c, {"!": won})) if c is not False else e for e, c in zip(ends, candidates, strict=True)
            ]
    else:
        ends, events = mask_walk(tree, node_truth, ops)
    at: Any = n  # one past the last Node: no Node
    for i in range(n - 1, -1, -1):
        if ends[i] is True:
            at = i
        elif ends[i] is not False:
            at = {"if": ends[i], "then": i, "else": at}
    w.bind("mw_at", {"if": won, "then": n, "else": at} if virtual else at, "int")
    missed: Any = 0.0
    for e in events:
        missed = {"+": [missed, {"if": e, "then": 1.0, "else": 0.0}]}
    parts: dict[str, Any] = {}
    ids = [None if i is None else {"string": str(i)} for i in step.ids] + [None]
    w.cells["mw_ids"] = {"type": {"type": "array", "items": ["null", "string"]}, "init": ids}
    for name in step.entity:
        parts[f"extra:{name}"] = {"attr": {"cell": "mw_ids"}, "path": ["mw_at"]}
    if step.classes is None:
        w.cells["mw_scores"] = {"type": ARRAY, "init": [float(v) for v in np.asarray(step.scores, dtype=np.float64)] + [np.nan]}
        return {**parts, "value": {"attr": {"cell": "mw_scores"}, "path": ["mw_at"]}}
    assert step.probabilities is not None and step.confidences is not None
    wanted = [str(c) for c in (sig.classes or step.classes)]
    order = [[str(c) for c in step.classes].index(c) for c in wanted]
    probs = np.asarray(step.probabilities, dtype=np.float64)[:, order]
    w.cells["mw_probs"] = {
        "type": {"type": "array", "items": ARRAY},
        "init": [[float(p) for p in row] for row in probs] + [[np.nan] * len(wanted)],
    }
    labels = [wanted.index(str(s)) if s is not None else -1 for s in step.scores] + [-1]
    w.cells["mw_labels"] = {"type": {"type": "array", "items": "int"}, "init": labels}
    confidences = [float(c) for c in np.asarray(step.confidences, dtype=np.float64)] + [np.nan]
    w.cells["mw_confidences"] = {"type": ARRAY, "init": confidences}
    node_probs: Any = {"attr": {"cell": "mw_probs"}, "path": ["mw_at"]}
    node_label: Any = {"attr": {"cell": "mw_labels"}, "path": ["mw_at"]}
    if virtual:  # the virtual result's class (in the signature's order) and probabilities
        own = [str(c) for c in step.classes]
        w.cells["mw_virtual_labels"] = {"type": {"type": "array", "items": "int"}, "init": [wanted.index(c) for c in own]}
        v_probs = {"new": [{"attr": "mw_v_probs", "path": [own.index(c)]} for c in wanted], "type": ARRAY}
        node_probs = {"if": won, "then": v_probs, "else": node_probs}
        node_label = {"if": won, "then": {"attr": {"cell": "mw_virtual_labels"}, "path": ["mw_v_best"]}, "else": node_label}
    w.bind("probs", node_probs, "array")
    w.bind("mw_label", node_label, "int")
    kind = sig.output("label")[0].type if sig.output("label") else "string"
    cast = {"double": float, "integer": int}.get(kind, str)
    items = {"double": "double", "integer": "long", "boolean": "boolean"}.get(kind, "string")
    w.cells["mw_classes"] = {"type": {"type": "array", "items": items}, "init": [cast(c) for c in wanted]}
    label = {"if": {"<": ["mw_label", 0]}, "then": None, "else": {"attr": {"cell": "mw_classes"}, "path": ["mw_label"]}}
    confidence: Any = {"attr": {"cell": "mw_confidences"}, "path": ["mw_at"]}
    if step.penalty != 1.0:
        confidence = {"*": [confidence, {"**": [float(step.penalty), missed]}]}
    if virtual:
        confidence = {"if": won, "then": "mw_v_conf", "else": confidence}
    for name in step.confidence:
        parts[f"extra:{name}"] = confidence
    return {**parts, "label": label, "nullable:label": True}


def _number(w: _Writer, x: float) -> Any:
    """``x`` as a PFA expression; NaN (which titus2 cannot take as a literal) from a cell."""
    if x == x:
        return x
    w.cells["mw_nan"] = {"type": ARRAY, "init": [float("nan")]}
    return {"attr": {"cell": "mw_nan"}, "path": [0]}


def _virtual(w: _Writer, step: MultiwayTreeModel, truth: Any, candidates: list[Any], gathered: list[Any], ops: _Ops) -> Any:
    """Bind the virtual result (``mw_v_best``, ``mw_v_probs``, ``mw_v_conf``) as ir.tree_strategies computes it
    (classes in the tree's order); return the boolean: the record is a candidate and a class won."""
    tree = step.tree
    assert tree.counts is not None and tree.conf is not None
    width = tree.counts.shape[1]
    terms: list[list[Any]] = [[] for _ in range(width)]
    if tree.strategy == "weightedConfidence":  # the UNKNOWN children's confidences weighted by their recordCounts
        for i, kids in enumerate(tree.kids):
            if candidates[i] is False:
                continue
            for k in kids:
                on = ops.both(candidates[i], truth(k)[1])
                records = 0.0 if np.isnan(tree.records[k]) else float(tree.records[k])
                for c in range(width):
                    share = float(tree.conf[k, c]) * records / float(tree.records[i])
                    terms[c].append({"if": on, "then": _number(w, share), "else": 0.0})
    else:  # aggregateNodes: the recordCounts of every leaf the gather reaches
        for j, kids in enumerate(tree.kids):
            if not kids and gathered[j] is not False:
                for c in range(width):
                    terms[c].append({"if": gathered[j], "then": _number(w, float(tree.counts[j, c])), "else": 0.0})
    scores = []
    for c in range(width):
        total: Any = 0.0
        for term in terms[c]:
            total = {"+": [total, term]}
        scores.append(total)
    w.bind("mw_v_scores", {"new": scores, "type": ARRAY}, "array")
    at = [{"attr": "mw_v_scores", "path": [c]} for c in range(width)]
    valued = [{"if": {"impute.isnan": x}, "then": -1.0, "else": x} for x in at]  # (scores are >= 0: NaN never wins)
    w.bind("mw_v_valued", {"new": valued, "type": ARRAY}, "array")
    w.bind("mw_v_best", {"a.argmax": "mw_v_valued"}, "int")
    w.bind("mw_v_top", {"attr": "mw_v_valued", "path": ["mw_v_best"]})
    total = at[0]
    for x in at[1:]:
        total = {"+": [total, x]}
    w.bind("mw_v_total", total)
    if tree.strategy == "weightedConfidence":
        w.bind("mw_v_conf", "mw_v_top")
        w.bind("mw_v_probs", {"new": [_number(w, float("nan"))] * width, "type": ARRAY}, "array")
    else:
        w.bind("mw_v_conf", {"/": ["mw_v_top", "mw_v_total"]})
        probs = [
            {"if": {">": ["mw_v_total", 0.0]}, "then": {"/": [x, "mw_v_total"]}, "else": _number(w, float("nan"))} for x in at
        ]
        w.bind("mw_v_probs", {"new": probs, "type": ARRAY}, "array")
    candidate: Any = False
    for c in candidates:
        if c is not False:
            candidate = c if candidate is False else {"||": [candidate, c]}
    return ops.bound({"&&": [candidate, {">": ["mw_v_top", 0.0]}]})


MULTIWAY_WRITERS: dict[type, ModelWriter] = {MultiwayTreeModel: _multiway}
