"""Python emitter for AnomalyScore (interchange.ir.models.outlier): the wrapped model's lines, then the IR's own
anomaly-score kernel (interchange.ir.kernels.outlier.anomaly_score, copied by source)."""

from __future__ import annotations

from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.models.outlier import AnomalyScore

__all__: list[str] = []


@emitter("python", AnomalyScore)
def _anomaly(step: AnomalyScore, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    lines, parts = lookup("python", step.paths)(step.paths, out)
    if "value" not in parts:
        raise UnsupportedModelError(
            f"generated code has no form for an anomaly score of {type(step.paths).__name__}", format="python"
        )
    out.need("anomaly_score")
    return [*lines, f"value = anomaly_score({parts['value']}, {literal(float(step.normaliser))})"], {**parts, "value": "value"}
