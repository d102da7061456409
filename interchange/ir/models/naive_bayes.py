"""Gaussian naive Bayes: per-class normal densities of independent features, times priors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.links import softmax

__all__ = ["GaussianNaiveBayes", "gaussian_log_terms"]


def gaussian_log_terms(x: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two parts of log N(x; mean, var) per coordinate: ``-0.5 log(2 pi var)`` and
    ``-0.5 (x - mean)^2 / var`` (the IR sums them per row; PFA's model.naive.gaussian adds
    them coordinate by coordinate, titus2's order)."""
    return -0.5 * np.log(2.0 * np.pi * var), -0.5 * ((x - mean) ** 2 / var)


@dataclass(frozen=True)
class GaussianNaiveBayes(ModelStep):
    """``log p(c | x) = log prior_c + sum_j log N(x_j; mean[c, j], var[c, j])``, then normalised.

    ``floor=None`` works in log space like scikit-learn. A number makes it PMML 4.4
    NaiveBayesModel's rule: each density is computed, raised to at least ``floor`` (its
    ``threshold``), then logged; a missing input is left out of the product.
    """

    inputs: tuple[str, ...]
    classes: tuple[Any, ...]
    mean: np.ndarray  # (classes, len(inputs))
    var: np.ndarray  # (classes, len(inputs))
    log_prior: np.ndarray  # (classes,)
    floor: float | None = None

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.inputs)
        mean, var = np.asarray(self.mean, dtype=np.float64), np.asarray(self.var, dtype=np.float64)
        jll = np.tile(np.asarray(self.log_prior, dtype=np.float64), (X.shape[0], 1))
        for c in range(len(self.classes)):
            if self.floor is None:
                norm, dist = gaussian_log_terms(X, mean[c], var[c])
                jll[:, c] += (norm + dist).sum(axis=1)
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                density = np.exp(-((X - mean[c]) ** 2) / (2.0 * var[c])) / np.sqrt(2.0 * np.pi * var[c])
                logs = np.log(np.maximum(self.floor, density))
            jll[:, c] += np.where(np.isnan(X), 0.0, logs).sum(axis=1)
        return Prediction(classes=self.classes, probabilities=softmax(jll))
