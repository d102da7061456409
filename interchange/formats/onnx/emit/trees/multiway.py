"""MultiwayTreeModel (ir.multiway) in ONNX: the walk as boolean masks, then the Node's figures gathered.

Each Node's predicate is a pair of ``[N, 1]`` masks (``predicates.masks``: TRUE, UNKNOWN);
``ir.multiway_masks.mask_walk`` combines them Node by Node into the rows ending at each Node and
the events the missingValuePenalty counts, so the walk is And / Or / Not and Where over the batch,
as every other ONNX predicate. The Node index then gathers the score (or label and probabilities),
the id and the confidence, times ``penalty ** events``. weightedConfidence and aggregateNodes of a
classification are refused by name: their virtual result (the UNKNOWN children's
ScoreDistributions summed) has no Node, so no entity id, and weightedConfidence's no probabilities,
which ONNX cannot give beside a prediction; so is a Node with probabilities but no score (no label).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, INT64, STRING, Builder, refuse
from interchange.formats.onnx.emit.predicates import AND, NOT, OR, masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, emitter, labels
from interchange.ir.trees.masks import VIRTUAL_STRATEGIES, alternative, mask_walk
from interchange.ir.trees.multiway import MultiwayTreeModel

__all__ = ["multiway"]


def _check_missing(step: MultiwayTreeModel) -> None:
    """Refuse a Node whose figures are partly missing: ONNX's only missing value is NaN, which the runtime
    reads as no prediction, and its label output has no null."""
    if step.classes is None:
        return
    assert step.probabilities is not None and step.confidences is not None
    for k, (score, probs) in enumerate(zip(step.scores, np.asarray(step.probabilities, dtype=np.float64), strict=True)):
        nan = np.isnan(probs)
        if score is None and not nan.all():
            why = "probabilities but no score (the IR gives no label there, and an ONNX label has no null)"
        elif score is not None and nan.any():
            why = "a score but a ScoreDistribution missing a category (a missing probability beside a prediction)"
        elif score is not None and step.confidence and np.isnan(step.confidences[k]):
            why = "a score but no confidence (a missing confidence beside a prediction)"
        else:
            continue
        raise refuse(
            f"a TreeModel Node ({step.ids[k]!r}) with {why}: an ONNX double is missing only as NaN, read as no prediction"
        )


class _Ops:
    def __init__(self, b: Builder) -> None:
        self.b = b

    def both(self, a: Any, c: Any) -> Any:
        return AND(self.b, a, c)

    def either(self, a: Any, c: Any) -> Any:
        return OR(self.b, a, c)

    def negate(self, a: Any) -> Any:
        return NOT(self.b, a)


@emitter(MultiwayTreeModel)
def multiway(step: MultiwayTreeModel, b: Builder) -> Emitted:
    tree = step.tree
    if tree.strategy in VIRTUAL_STRATEGIES and step.classes is not None:
        raise refuse(
            f"missingValueStrategy={tree.strategy} of a classification TreeModel (MultiwayTreeModel): its virtual "
            "result has no Node (no entity id) and, for weightedConfidence, no probabilities, and an ONNX output's "
            "only missing value is NaN (read as no prediction) where a string has none"
        )
    _check_missing(step)
    ops = _Ops(b)

    def truth(k: int) -> tuple[Any, Any, Any]:
        p = step.predicates[k]
        t, u = masks(b, p)
        return t, u, alternative(p, u, lambda q: masks(b, q)[1], ops)

    ends, events = mask_walk(tree, truth, ops)
    like = next((m for m in ends if not isinstance(m, bool)), None)
    if like is None:
        raise refuse("a multiway tree whose walk reads no input")
    like = b.op("Cast", [like], to=DOUBLE)
    node = b.op("Sub", [b.op("Mul", [like, b.const(0.0)]), b.const(1.0)], "no_node")  # -1 on every row, [N, 1]
    for i, end in enumerate(ends):
        if end is not False:
            node = b.op("Where", [tensor(b, end, like), b.const(float(i)), node], "node")
    missed: Any = b.op("Mul", [like, b.const(0.0)])
    for e in events:
        missed = b.op("Add", [missed, b.op("Cast", [tensor(b, e, like)], to=DOUBLE)], "missed")
    none = b.op("Less", [node, b.const(0.0)], "no_node")
    at = b.op("Cast", [b.op("Max", [node, b.const(0.0)])], "at", to=INT64)
    flat = b.op("Reshape", [at, b.const([-1], np.int64, "shape")], "at_flat")
    nan = b.const(np.nan)
    emitted = Emitted()
    if step.entity:
        ids = b.const(np.array(["" if i is None else str(i) for i in step.ids], dtype=object), object, "node_ids")
        emitted.cluster = b.op("Gather", [ids, flat], "node_id", axis=0)
        b.types[emitted.cluster] = STRING
    if step.classes is None:
        value = b.op("Gather", [b.const(np.asarray(step.scores, dtype=np.float64), hint="node_scores"), at], axis=0)
        emitted.value = b.op("Where", [none, nan, value], "value")
        return emitted
    assert step.probabilities is not None and step.confidences is not None
    k = len(step.classes)
    probs = b.op("Gather", [b.const(np.asarray(step.probabilities, dtype=np.float64), hint="node_probabilities"), flat], axis=0)
    emitted.probabilities = b.op("Where", [none, nan, probs], "probabilities")
    b.declare(emitted.probabilities, k)
    own = [str(c) for c in step.classes]
    index = np.array([own.index(str(s)) if s is not None else 0 for s in step.scores], dtype=np.int64)
    emitted.label = labels(b, step.classes, b.op("Gather", [b.const(index, np.int64, "node_labels"), flat], axis=0))
    confidence = b.op("Gather", [b.const(np.asarray(step.confidences, dtype=np.float64), hint="node_confidences"), at], axis=0)
    if step.penalty != 1.0:
        confidence = b.op("Mul", [confidence, b.op("Pow", [b.const(float(step.penalty)), missed])])
    confidence = b.op("Where", [none, nan, confidence], "confidence")
    emitted.extra.update(dict.fromkeys(step.confidence, confidence))
    return emitted
