"""scikit-learn's k-nearest-neighbour estimators to the IR NearestNeighbors step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.neighbors import NearestNeighbors


def _metric(est: Any) -> tuple[str, float]:
    """euclidean / manhattan / minkowski (p=1 and p=2 named as such), without metric_params."""
    metric, p = est.effective_metric_, float(est.effective_metric_params_.get("p", est.p or 2))
    if est.metric_params or not isinstance(metric, str):
        raise UnsupportedModelError(f"{type(est).__name__} with metric_params or a callable metric", estimator=type(est).__name__)
    if metric in ("euclidean", "l2") or (metric == "minkowski" and p == 2):
        return "euclidean", 2.0
    if metric in ("manhattan", "cityblock", "l1") or (metric == "minkowski" and p == 1):
        return "manhattan", 1.0
    if metric == "minkowski":
        return "minkowski", p
    raise UnsupportedModelError(f"{type(est).__name__}(metric={metric!r}) has no IR form", estimator=type(est).__name__)


def _common(est: Any) -> dict[str, Any]:
    if est.weights not in ("uniform", "distance"):
        raise UnsupportedModelError(f"{type(est).__name__} with callable weights", estimator=type(est).__name__)
    if getattr(est, "_fit_X", None) is None or hasattr(est._fit_X, "toarray"):
        raise UnsupportedModelError(f"{type(est).__name__} fitted on sparse or precomputed input", estimator=type(est).__name__)
    metric, p = _metric(est)
    return {
        "points": np.asarray(est._fit_X, dtype=np.float64),
        "k": int(est.n_neighbors),
        "metric": metric,
        "p": p,
        "weights": est.weights,
    }


@extractor(KNeighborsClassifier)
def classifier(est: Any, state: Extraction) -> NearestNeighbors:
    if np.ndim(est._y) != 1:
        raise UnsupportedModelError("multi-output KNeighborsClassifier", estimator="KNeighborsClassifier")
    return NearestNeighbors(
        state.columns, targets=np.asarray(est._y, dtype=int), classes=tuple(est.classes_.tolist()), **_common(est)
    )


@extractor(KNeighborsRegressor)
def regressor(est: Any, state: Extraction) -> NearestNeighbors:
    if np.ndim(est._y) != 1:
        raise UnsupportedModelError("multi-output KNeighborsRegressor", estimator="KNeighborsRegressor")
    return NearestNeighbors(state.columns, targets=np.asarray(est._y, dtype=np.float64), **_common(est))
