"""The figures the monitor computes over a window: model quality, drift and latency.

Quality uses scikit-learn's metrics on predictions joined with their labels (accuracy,
log-loss and ROC AUC for classifiers; RMSE and MAE for regressors). Drift is the PSI of the
window's inputs and predictions against the reference profile the model was converted with.
A figure that needs more observations than the window holds (``min_rows``), or that is
undefined on them (AUC with one class present), is left out rather than guessed.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from interchange.profile import proportions, psi

__all__ = ["Recent", "classification_metrics", "regression_metrics", "drift_metrics", "latency_metrics", "WINDOWED_METRICS"]

WINDOWED_METRICS = (
    "accuracy",
    "log_loss",
    "auc",
    "rmse",
    "mae",
    "labelled",
    "psi_prediction",
    "psi_max",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_sla_breach_ratio",
)


class Recent:
    """Timestamped items (ms) kept for ``max_age_ms`` behind the newest and at most ``max_items``."""

    def __init__(self, max_age_ms: int, max_items: int = 100_000) -> None:
        self.max_age_ms = max_age_ms
        self.items: deque[tuple[int, Any]] = deque(maxlen=max_items)

    def add(self, ts: int, item: Any) -> None:
        self.items.append((ts, item))

    def prune(self, now_ms: int) -> None:
        while self.items and self.items[0][0] < now_ms - self.max_age_ms:
            self.items.popleft()

    def since(self, start_ms: int) -> list[Any]:
        return [item for ts, item in self.items if ts >= start_ms]

    def __len__(self) -> int:
        return len(self.items)


def classification_metrics(
    y_true: Sequence[Any], y_pred: Sequence[Any], proba: np.ndarray | None, classes: Sequence[Any]
) -> dict[str, float]:
    """Accuracy, and with class probabilities (columns in ``classes`` order) log-loss and ROC AUC."""
    from sklearn.metrics import log_loss, roc_auc_score

    truth, predicted = list(y_true), list(y_pred)
    if not truth:
        return {}
    out = {"accuracy": sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)}  # None predictions count wrong
    if proba is None:
        return out
    y = np.asarray(truth)
    p = np.clip(np.asarray(proba, dtype=np.float64), 0.0, None)
    usable = np.isfinite(p).all(axis=1) & (p.sum(axis=1) > 0)
    known = np.array([v in set(classes) for v in truth], dtype=bool)
    usable &= known
    if not usable.any():
        return out
    p = p[usable] / p[usable].sum(axis=1, keepdims=True)
    yk = y[usable]
    labels = list(classes)
    try:
        out["log_loss"] = float(log_loss(yk, p, labels=labels))
    except ValueError:
        pass
    present = set(yk.tolist())
    try:
        if len(labels) == 2 and len(present) == 2:
            out["auc"] = float(roc_auc_score(np.array([v == labels[1] for v in yk.tolist()]), p[:, 1]))
        elif len(labels) > 2 and present == set(labels):
            out["auc"] = float(roc_auc_score(yk, p, multi_class="ovr", labels=labels))
    except ValueError:
        pass
    return out


def regression_metrics(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, float]:
    """RMSE and MAE over the pairs where both values are present."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    ok = np.isfinite(y) & np.isfinite(p)
    if not ok.any():
        return {}
    return {"rmse": math.sqrt(float(mean_squared_error(y[ok], p[ok]))), "mae": float(mean_absolute_error(y[ok], p[ok]))}


def drift_metrics(
    profile: Mapping[str, Any], features: Sequence[Mapping[str, Any]], predictions: Sequence[Any], min_rows: int
) -> dict[str, float]:
    """``psi_<feature>`` per profiled input, ``psi_max`` over them, and ``psi_prediction``."""
    out: dict[str, float] = {}
    if len(features) >= min_rows:
        for name, spec in (profile.get("features") or {}).items():
            values = np.array([rec.get(name) for rec in features], dtype=object)
            out[f"psi_{name}"] = psi(spec["proportions"], proportions(spec, values))
        if out:
            out["psi_max"] = max(out.values())
    spec = profile.get("prediction")
    if spec and len(predictions) >= min_rows:
        out["psi_prediction"] = psi(spec["proportions"], proportions(spec, np.array(list(predictions), dtype=object)))
    return out


def latency_metrics(latencies_ms: Sequence[float], sla_ms: float) -> dict[str, float]:
    """Median and 99th percentile latency, and the share of events over the SLA."""
    if not len(latencies_ms):
        return {}
    lat = np.asarray(latencies_ms, dtype=np.float64)
    return {
        "latency_p50_ms": float(np.percentile(lat, 50)),
        "latency_p99_ms": float(np.percentile(lat, 99)),
        "latency_sla_breach_ratio": float(np.mean(lat > sla_ms)),
    }
