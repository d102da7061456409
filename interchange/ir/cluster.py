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
        d = self.distance_matrix(matrix(env, self.inputs))
        ids = np.asarray(self.ids, dtype=object)
        if self.missing_weights is None:
            return Prediction(cluster=ids[np.argmin(d, axis=1)])
        label = ids[np.argmin(np.nan_to_num(d, nan=np.inf), axis=1)]
        label[np.isnan(d).all(axis=1)] = None
        return Prediction(cluster=label)

    def distance_matrix(self, X: np.ndarray) -> np.ndarray:
        """(rows x clusters) distances, missing-input adjusted; NaN rows where no field is present."""
        centers = np.asarray(self.centers, dtype=np.float64)
        missing = np.isnan(X)
        if self.missing_weights is None or not missing.any():
            return distances(X, centers, self.metric, self.p)
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
        raw[present == 0] = np.nan
        if self.metric == "euclidean":
            raw = np.sqrt(raw)
        elif self.metric == "minkowski":
            raw = raw ** (1.0 / self.p)
        return raw
