"""Isolation forest: average path length over trees, turned into an outlier score and label
(scikit-learn's :class:`IsolationScore`; PMML 4.4 AnomalyDetectionModel iforest's :class:`AnomalyScore`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.kernels.outlier import anomaly_score  # (shared with generated Python)
from interchange.ir.trees.ensemble import TreeEnsemble

__all__ = ["IsolationScore", "AnomalyScore", "anomaly_score"]


@dataclass(frozen=True)
class IsolationScore(ModelStep):
    """``score = -2 ** (-mean_path / normaliser) - offset``; label -1 (outlier) where score < 0.

    ``paths`` is a regression ensemble averaging each leaf's path length (depth plus the
    expected length of the unbuilt subtree), as Liu et al. define it and scikit-learn computes.
    """

    inputs: tuple[str, ...]
    paths: TreeEnsemble
    normaliser: float
    offset: float

    def scores(self, mean_path: np.ndarray) -> np.ndarray:
        return -np.power(2.0, -mean_path / self.normaliser) - self.offset

    def predict(self, env: Env) -> Prediction:
        score = self.scores(self.paths.leaf_values(matrix(env, self.paths.inputs))[:, 0])
        return Prediction(score=score, label=np.where(score < 0, -1, 1))


@dataclass(frozen=True)
class AnomalyScore(ModelStep):
    """PMML 4.4 §AnomalyDetectionModel iforest: ``paths``' predicted value is the mean path length
    ``h``; the prediction's value is the anomaly score ``2 ** (-h / normaliser)``, ``normaliser``
    c(sampleDataSize)."""

    paths: ModelStep
    normaliser: float

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.paths.inputs

    def predict(self, env: Env) -> Prediction:
        h = self.paths.predict(env).value
        if h is None:
            raise ModelError("an anomaly score of a model that predicts no mean path length")
        return Prediction(value=anomaly_score(h, self.normaliser))
