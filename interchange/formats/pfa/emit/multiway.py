"""MultiwayTreeModel (ir.multiway) in PFA: the walk as booleans of the record, then the Node's figures.

Each Node's predicate is a pair of PFA booleans (``predicates.truth``: TRUE, UNKNOWN);
``ir.multiway_masks.mask_walk`` combines them Node by Node (each result let-bound) into the Node the
record ends in and the events the missingValuePenalty counts. The Node's index (one past the last
Node: none) reads cells of scores, class indices, probabilities, ids and confidences; the
confidence is multiplied by ``penalty ** events``. weightedConfidence and aggregateNodes of a
classification are refused by name: their virtual result is not written as booleans yet.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import ARRAY, ModelWriter, _Writer
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.multiway import MultiwayTreeModel
from interchange.ir.multiway_masks import VIRTUAL_STRATEGIES, mask_walk
from interchange.ir.predicates import Compound
from interchange.signature import Signature

__all__ = ["MULTIWAY_WRITERS"]


class _Ops:
    """Boolean PFA expressions, each let-bound so that a mask is written once."""

    def __init__(self, w: _Writer) -> None:
        self.w, self.count = w, 0

    def _bound(self, expr: Any) -> Any:
        self.count += 1
        name = f"mw_{self.count}"
        self.w.bind(name, expr, "boolean")
        return self.w.cols[name][0]

    def both(self, a: Any, b: Any) -> Any:
        return self._bound({"&&": [a, b]})

    def either(self, a: Any, b: Any) -> Any:
        return self._bound({"||": [a, b]})

    def negate(self, a: Any) -> Any:
        return self._bound({"!": a})


def _multiway(w: _Writer, step: MultiwayTreeModel, sig: Signature) -> dict[str, Any]:
    tree = step.tree
    if tree.strategy in VIRTUAL_STRATEGIES and step.classes is not None:
        raise UnsupportedModelError(
            f"the PFA writer has no form for missingValueStrategy={tree.strategy} of a classification TreeModel "
            "(MultiwayTreeModel): its virtual result from the UNKNOWN children's ScoreDistributions is not written yet",
            format="pfa",
        )
    ops = _Ops(w)

    def node_truth(k: int) -> tuple[Any, Any, Any]:
        p = step.predicates[k]
        t, u = truth(w, p)
        t, u = (x if isinstance(x, bool) else ops._bound(x) for x in (t, u))
        alt: Any = False
        if isinstance(p, Compound) and p.operator == "surrogate" and p.parts:  # TRUE through an alternative
            first = truth(w, p.parts[0])[1]
            alt = first if isinstance(first, bool) else ops._bound({"&&": [t, first]})
        return t, u, alt

    ends, events = mask_walk(tree, node_truth, ops)
    n = len(step.ids)
    at: Any = n  # one past the last Node: no Node
    for i in range(n - 1, -1, -1):
        if ends[i] is True:
            at = i
        elif ends[i] is not False:
            at = {"if": ends[i], "then": i, "else": at}
    w.bind("mw_at", at, "int")
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
    w.bind("probs", {"attr": {"cell": "mw_probs"}, "path": ["mw_at"]}, "array")
    w.bind("mw_label", {"attr": {"cell": "mw_labels"}, "path": ["mw_at"]}, "int")
    kind = sig.output("label")[0].type if sig.output("label") else "string"
    cast = {"double": float, "integer": int}.get(kind, str)
    items = {"double": "double", "integer": "long", "boolean": "boolean"}.get(kind, "string")
    w.cells["mw_classes"] = {"type": {"type": "array", "items": items}, "init": [cast(c) for c in wanted]}
    label = {"if": {"<": ["mw_label", 0]}, "then": None, "else": {"attr": {"cell": "mw_classes"}, "path": ["mw_label"]}}
    confidence: Any = {"attr": {"cell": "mw_confidences"}, "path": ["mw_at"]}
    if step.penalty != 1.0:
        confidence = {"*": [confidence, {"**": [float(step.penalty), missed]}]}
    for name in step.confidence:
        parts[f"extra:{name}"] = confidence
    return {**parts, "label": label, "nullable:label": True}


MULTIWAY_WRITERS: dict[type, ModelWriter] = {MultiwayTreeModel: _multiway}
