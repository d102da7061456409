"""The IR's isolation-forest kernel (PMML 4.4 §AnomalyDetectionModel iforest): the arithmetic of
interchange.ir.models.outlier.AnomalyScore on plain arrays, copied verbatim into generated Python."""

from __future__ import annotations

import numpy as np

__all__ = ["anomaly_score"]


def anomaly_score(mean_path: np.ndarray, normaliser: float) -> np.ndarray:
    """``2 ** (-h / c(n))``: Liu et al.'s anomaly score of mean path lengths ``h`` (missing stays missing)."""
    with np.errstate(all="ignore"):
        return np.power(2.0, -np.asarray(mean_path, dtype=np.float64) / normaliser)
