"""AnomalyScore in double-precision ONNX: the wrapped model's ``[N, 1]`` value (the mean path length
``h``) turned into the iforest anomaly score ``2 ** (-h / c(n))`` (interchange.ir.models.outlier; NaN stays NaN)."""

from __future__ import annotations

from dataclasses import replace

from interchange.formats.onnx.emit.builder import Builder, refuse
from interchange.formats.onnx.emit.registry import Emitted, emitter, lookup
from interchange.ir.models.outlier import AnomalyScore

__all__: list[str] = []


@emitter(AnomalyScore)
def _anomaly(step: AnomalyScore, b: Builder) -> Emitted:
    got: Emitted = lookup(step.paths)(step.paths, b)
    if got.value is None:
        raise refuse(f"an anomaly score of a {type(step.paths).__name__} that gives no value")
    exponent = b.op("Div", [b.op("Neg", [got.value]), b.const(float(step.normaliser))])
    return replace(got, value=b.op("Pow", [b.const(2.0), exponent], "anomaly_score"))
