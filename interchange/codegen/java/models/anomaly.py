"""Java emitter for AnomalyScore (interchange.ir.models.outlier): the wrapped model's statements, then the
iforest anomaly score ``2 ** (-h / c(n))`` of its value ``h`` (NaN stays NaN)."""

from __future__ import annotations

from interchange.codegen.java.writer import JavaWriter, jdouble
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.models.outlier import AnomalyScore

__all__: list[str] = []


@emitter("java", AnomalyScore)
def _anomaly(step: AnomalyScore, out: JavaWriter) -> tuple[list[str], dict[str, str]]:
    lines, parts = lookup("java", step.paths)(step.paths, out)
    if "value" not in parts:
        raise UnsupportedModelError(
            f"generated Java has no form for an anomaly score of {type(step.paths).__name__}", format="java"
        )
    score = out.local()
    return [*lines, f"double {score} = Math.pow(2.0, -({parts['value']}) / {jdouble(step.normaliser)});"], {
        **parts,
        "value": score,
    }
