"""Center-based clustering (k-means): the closest center's id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.neighbors import distances

__all__ = ["NearestCenter"]


@dataclass(frozen=True)
class NearestCenter(ModelStep):
    """Each row gets ``ids[i]`` of the center at the smallest distance (ties: the first center).

    With ``missing_weights`` set, PMML 4.4 ClusteringModel's rule for missing inputs applies:
    the distance sums over present fields only and is scaled by sum(q) / sum(q of present
    fields); a row with no present field gets no cluster.
    """

    inputs: tuple[str, ...]
    centers: np.ndarray  # (clusters, len(inputs))
    ids: tuple[Any, ...]
    metric: str = "squaredEuclidean"
    p: float = 2.0
    missing_weights: np.ndarray | None = None

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.inputs)
        centers = np.asarray(self.centers, dtype=np.float64)
        ids = np.asarray(self.ids, dtype=object)
        missing = np.isnan(X)
        if self.missing_weights is None or not missing.any():
            d = distances(X, centers, self.metric, self.p)
            return Prediction(cluster=ids[np.argmin(d, axis=1)])
        q = np.asarray(self.missing_weights, dtype=np.float64)
        present = (~missing) @ q
        with np.errstate(divide="ignore", invalid="ignore"):
            adjust = q.sum() / present
        raw = np.zeros((X.shape[0], centers.shape[0]))
        for j in range(X.shape[1]):
            diff = np.abs(np.where(missing[:, j : j + 1], 0.0, X[:, j : j + 1] - centers[None, :, j]))
            if self.metric in ("euclidean", "squaredEuclidean"):
                raw += diff * diff
            else:
                raw += diff**self.p if self.metric == "minkowski" else diff
        raw = raw * adjust[:, None]
        if self.metric == "euclidean":
            raw = np.sqrt(raw)
        elif self.metric == "minkowski":
            raw = raw ** (1.0 / self.p)
        label = ids[np.argmin(raw, axis=1)]
        label[present == 0] = None
        return Prediction(cluster=label)
