"""Distance measures: the one copy every evaluator calls.

k-nearest neighbours and center-based clustering (IR, PMML's ComparisonMeasure), the SVM's
radial basis kernel, and PFA's default metrics (``model.cluster.*``, ``model.neighbor.*``,
``metric.simpleEuclidean``, ``m.kernel.rbf``) all measure with :func:`distances`.

Coordinates are summed one at a time, left to right (titus2's order, and no cancellation from
the ``|x|^2 - 2xy + |y|^2`` expansion near a stored point). ``x`` and ``y`` broadcast over
their leading axes: ``distances(X[:, None, :], points[None, :, :])`` is every row against
every point, ``distances(x, y)`` one distance per pair.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["Metric", "distances", "finish", "lowest"]

Metric = Literal["euclidean", "squaredEuclidean", "manhattan", "minkowski"]


def distances(
    x: np.ndarray, y: np.ndarray, metric: str = "euclidean", p: float = 2.0, *, weights: np.ndarray | None = None
) -> np.ndarray:
    """The ``metric`` distance between ``x`` and ``y`` over their last axis.

    ``metric``: "euclidean", "squaredEuclidean", "manhattan" (PMML cityBlock) or "minkowski"
    (with ``p``). ``weights`` (one per coordinate) turns on PMML 4.4 ClusteringModel's rule for
    missing (NaN) coordinates of ``x``: the sum runs over present coordinates only and is scaled
    by sum(weights) / sum(weights of present coordinates); no present coordinate gives NaN.
    """
    shape = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    total = np.zeros(shape)
    present = None if weights is None else np.zeros(x.shape[:-1])
    weight = 0.0  # summed in the same order as ``present``: no missing coordinate scales by exactly 1
    for j in range(x.shape[-1]):
        diff = x[..., j] - y[..., j]
        if present is not None and weights is not None:
            missing = np.isnan(x[..., j])
            present = present + np.where(missing, 0.0, weights[j])
            weight += float(weights[j])
            diff = np.where(missing, 0.0, diff)
        diff = np.abs(diff)
        if metric in ("euclidean", "squaredEuclidean"):
            total += diff * diff
        elif metric == "manhattan":
            total += diff
        else:
            total += diff**p
    return finish(total, metric, p, present, weight)


def finish(total: np.ndarray, metric: str, p: float, present: np.ndarray | None = None, weight: float = 0.0) -> np.ndarray:
    """A distance from its summed terms: scaled by ``weight / present`` when coordinates may be missing
    (NaN where none is present), then the root the metric takes."""
    if present is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            total = total * (weight / present)
        total = np.where(np.broadcast_to(present == 0, total.shape), np.nan, total)
    if metric == "euclidean":
        return np.sqrt(total)
    if metric == "minkowski":
        return total ** (1.0 / p)
    return total


def lowest(dist: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest distances along the last axis, ascending; ties keep the
    earlier index (a stable sort: scikit-learn's and titus2's ``argLowestN`` order)."""
    return np.argsort(dist, axis=-1, kind="stable")[..., :k]
