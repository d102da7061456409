"""ONNX for ComparedCenter: clustering measured field by field, in double (ai.onnx operators only).

Each field's comparison is one ``[N, clusters]`` tensor, summed (their maximum for chebychev) field
by field in the order of ``ir.models.compared.compared_distances``; a missing (NaN) field is left
out and the sum scaled as ``ir.distances.finish`` scales it (distance.finish here).
"""

from __future__ import annotations

import math

import numpy as np

from interchange.formats.onnx.emit.builder import Builder, refuse
from interchange.formats.onnx.emit.models.distance import finish, nearest_center_of
from interchange.formats.onnx.emit.registry import Emitted, emitter
from interchange.ir.models.compared import _POWERS, ComparedCenter

__all__ = ["compared_distances"]


def _comparison(b: Builder, x: str, y: str, function: str, scale: float) -> str:
    """PMML 4.4 §ComparisonMeasure: one field's c(x, y) (``ir.models.compared._compare_field``)."""
    if function == "absDiff":
        return b.op("Abs", [b.op("Sub", [x, y])])
    if function == "gaussSim":
        z = b.op("Sub", [x, y])
        power = b.op("Div", [b.op("Mul", [b.op("Mul", [b.const(-math.log(2.0)), z]), z]), b.const(scale * scale)])
        return b.op("Exp", [power])
    same = b.op("Equal", [x, y])
    if function == "delta":
        return b.op("Where", [same, b.const(0.0), b.const(1.0)])
    return b.op("Where", [same, b.const(1.0), b.const(0.0)])  # equal


def compared_distances(b: Builder, step: ComparedCenter) -> str:
    """``[N, clusters]``: ``ComparedCenter.distance_matrix`` (NaN rows where no field is present)."""
    n = len(step.inputs)
    centers = np.asarray(step.centers, dtype=np.float64)
    w = np.ones(n) if step.field_weights is None else np.asarray(step.field_weights, dtype=np.float64)
    q = np.ones(n) if step.missing_weights is None else np.asarray(step.missing_weights, dtype=np.float64)
    inner = float(step.p) if step.metric == "minkowski" else _POWERS[step.metric]
    total, present, weight = None, None, 0.0
    for j, name in enumerate(step.inputs):
        x = b.column(name)
        gone = b.op("IsNaN", [x])
        share = b.op("Where", [gone, b.const(0.0), b.const(float(q[j]))])
        present = share if present is None else b.op("Add", [present, share])
        weight += float(q[j])
        c = _comparison(b, b.op("Where", [gone, b.const(0.0), x]), b.const(centers[None, :, j]), step.compare[j], step.scales[j])
        if inner == 2.0:
            c = b.op("Mul", [c, c])
        elif inner != 1.0:
            c = b.op("Pow", [c, b.const(inner)])
        if w[j] != 1.0:
            c = b.op("Mul", [c, b.const(float(w[j]))])
        c = b.op("Where", [gone, b.const(0.0), c])
        if total is None:  # (0 + c, max(0, c): c itself, c >= 0)
            total = c
        else:
            total = b.op("Max" if step.metric == "chebychev" else "Add", [total, c])
    if total is None or present is None:
        raise refuse("distances over no input")
    return finish(b, total, present, weight, step.metric, step.p)


@emitter(ComparedCenter)
def compared_center(step: ComparedCenter, b: Builder) -> Emitted:
    """The first closest center's id; a row with no present field has NaN distances and no cluster in the
    IR: the empty string here (an ONNX string tensor has no null)."""
    return Emitted(cluster=nearest_center_of(step, b, compared_distances(b, step))[0])
