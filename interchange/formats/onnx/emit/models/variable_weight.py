"""VariableWeights in ONNX: the Segmentation graph with each weighed segment's weight an [N, 1] tensor.

Segment ``k`` weighs its ``variable`` field times its weight in each row (1 where it did not fire,
as ``ir.combine.variable_weight.VariableWeights.predict`` sets it); the combination is
Segmentation's (segments.py) over those tensors. Where a fired segment's weight is missing or not
positive the IR refuses the row (RecordError); the graph gives that row no prediction (NaN, "").
"""

from __future__ import annotations

from typing import Any

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.missing import blank_label, blank_rows
from interchange.formats.onnx.emit.models.segments import weighed
from interchange.formats.onnx.emit.registry import Emitted, emitter
from interchange.ir.combine.variable_weight import VariableWeights

__all__: list[str] = []


@emitter(VariableWeights)
def variable_weights(step: VariableWeights, b: Builder) -> Emitted:
    refused: list[str] = []  # [N, 1] bool per weighed segment: fired with a missing or non-positive weight

    def weigh(on: list[str]) -> list[Any]:
        weights: list[Any] = []
        for fired, field, weight in zip(on, step.variable, step.weights, strict=True):
            if field is None:
                weights.append(float(weight))
                continue
            if b.types.get(b.where(field)[0]) != DOUBLE:
                raise refuse(f"a VariableWeight field {field!r} that is not a number")
            w = b.op("Mul", [b.column(field), b.const(float(weight))])
            refused.append(b.op("And", [fired, b.op("Not", [b.op("Greater", [w, b.const(0.0)])])]))
            weights.append(b.op("Where", [fired, w, b.const(1.0)]))
        return weights

    out = weighed(step, b, weigh)
    if not refused:
        return out
    rows = refused[0]
    for r in refused[1:]:
        rows = b.op("Or", [rows, r])
    if out.value is not None:
        out.value = blank_rows(b, out.value, rows)
    if out.probabilities is not None:
        out.probabilities = blank_rows(b, out.probabilities, rows)
    if out.label is not None and b.types.get(out.label, STRING) == STRING:
        out.label = blank_label(b, out.label, rows)
    return out
