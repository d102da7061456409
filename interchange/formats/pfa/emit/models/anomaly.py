"""AnomalyScore as PFA: the wrapped model's value (the mean path length ``h``) turned into the
iforest anomaly score ``2 ** (-h / c(n))`` (interchange.ir.models.outlier; NaN stays NaN)."""

from __future__ import annotations

from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import _model, _Writer
from interchange.ir.models.outlier import AnomalyScore
from interchange.signature import Signature

__all__ = ["ANOMALY_WRITERS"]


def _anomaly(w: _Writer, step: AnomalyScore, sig: Signature) -> dict[str, Any]:
    parts = _model(w, step.paths, sig)
    if "value" not in parts:
        raise UnsupportedModelError(f"an anomaly score of a {type(step.paths).__name__} that gives no value", format="pfa")
    w.bind("anomaly_score", {"**": [2.0, {"/": [{"u-": parts["value"]}, float(step.normaliser)]}]})
    return {**parts, "value": "anomaly_score"}


ANOMALY_WRITERS: dict[type, Any] = {AnomalyScore: _anomaly}
