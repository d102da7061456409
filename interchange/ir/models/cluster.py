"""Center-based clustering (k-means): the closest center's id, and distances to centers as figures
(PMML 4.4 §Output affinity / entityAffinity of a ClusteringModel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.distances import distances
from interchange.ir.graph import Env, ModelStep, Prediction, matrix

__all__ = ["NearestCenter", "CenterAffinities"]


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
        return self.nearest(self.distance_matrix(matrix(env, self.inputs)))

    def nearest(self, d: np.ndarray) -> Prediction:
        """The prediction from the (rows x clusters) distances."""
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


@dataclass(frozen=True)
class CenterAffinities(ModelStep):
    """``model``'s cluster, with distances as the figures ``wanted``: (name, cluster id) the
    distance to that cluster, (name, None) to the row's own cluster (missing where it has none)."""

    model: NearestCenter
    wanted: tuple[tuple[str, Any], ...]

    def __post_init__(self) -> None:
        known = [str(i) for i in self.model.ids]
        for name, cluster in self.wanted:
            if cluster is not None and str(cluster) not in known:
                raise ValueError(f"affinity {name!r} to an unknown cluster {cluster!r}")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives beside the cluster."""
        return tuple(name for name, _ in self.wanted)

    def predict(self, env: Env) -> Prediction:
        d = self.model.distance_matrix(matrix(env, self.inputs))
        pred = self.model.nearest(d)
        known = [str(i) for i in self.model.ids]
        assert pred.cluster is not None
        own = np.array([known.index(str(c)) if c is not None else -1 for c in pred.cluster], dtype=np.int64)
        for name, cluster in self.wanted:
            if cluster is not None:
                pred.extra[name] = d[:, known.index(str(cluster))]
            else:
                pred.extra[name] = np.where(own >= 0, d[np.arange(len(own)), np.maximum(own, 0)], np.nan)
        return pred
