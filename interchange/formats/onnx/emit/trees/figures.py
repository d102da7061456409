"""NodeFigures (ir.tree_nodes) in ONNX: a second TreeEnsemble walk gives the leaf each row ends in.

The tree's prediction is written as any tree ensemble (``trees.tree_ensemble``). A second
``ai.onnx.ml`` TreeEnsemble (opset 5, doubles) over the same splits holds each leaf's own position
as its value; that position, cast to int64, gathers the leaf's node id from a string constant
and its confidence from a double one. A leaf with no id ends rows with no prediction (NaN
scores), which the runtime refuses, so its id is never read (an ONNX string has no null: "").
A confidence that is missing beside a prediction (a ScoreDistribution without one) is refused: an
ONNX double output's only missing value is NaN, which the runtime reads as no prediction.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from interchange.formats.onnx.emit.builder import STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import Emitted, emitter
from interchange.formats.onnx.emit.trees.ensemble import leaf_sums, tree_ensemble
from interchange.ir.trees.nodes import NodeFigures

__all__ = ["node_figures"]


@emitter(NodeFigures)
def node_figures(step: NodeFigures, b: Builder) -> Emitted:
    tree = step.model.trees[0]
    values = np.asarray(tree.value, dtype=np.float64).reshape(len(tree.feature), -1)
    predicted = (np.asarray(tree.feature) < 0) & ~np.isnan(values).any(axis=1)
    if step.confidence and np.isnan(np.asarray(step.confidences, dtype=np.float64)[predicted]).any():
        raise refuse(
            "a tree Node confidence that is missing beside a prediction (OutputField confidence of a Node whose "
            "ScoreDistribution has none): an ONNX double has no missing value but NaN, read as no prediction"
        )
    emitted = tree_ensemble(step.model, b)
    at = np.arange(len(tree.feature), dtype=np.float64)[:, None]
    positions = replace(step.model, trees=(replace(tree, value=at),), classes=None, base=None, normalize_leaves=False)
    leaf = b.op("Cast", [leaf_sums(positions, b)], "leaf", to=7)  # int64, [N, 1]
    if step.entity:
        ids = b.const(np.array(["" if i is None else str(i) for i in step.ids], dtype=object), object, "node_ids")
        flat = b.op("Reshape", [leaf, b.const([-1], np.int64, "shape")], "leaf_flat")
        emitted.cluster = b.op("Gather", [ids, flat], "node_id", axis=0)
        b.types[emitted.cluster] = STRING
    if step.confidence:
        table = b.const(np.asarray(step.confidences, dtype=np.float64), hint="node_confidences")
        confidences = b.op("Gather", [table, leaf], "node_confidence", axis=0)
        emitted.extra.update(dict.fromkeys(step.confidence, confidences))
    return emitted
