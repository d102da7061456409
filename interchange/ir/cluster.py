"""Center-based clustering (k-means): the closest center's id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.distances import distances
from interchange.ir.graph import Env, ModelStep, Prediction, matrix

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
        weights = None if self.missing_weights is None else np.asarray(self.missing_weights, dtype=np.float64)
        return distances(X[:, None, :], centers[None, :, :], self.metric, self.p, weights=weights)
