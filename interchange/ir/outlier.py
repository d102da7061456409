"""Isolation forest: average path length over trees, turned into an outlier score and label."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.trees import TreeEnsemble

__all__ = ["IsolationScore"]


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
