"""Linear models: regression, and classification with a link / normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.links import logistic, softmax

__all__ = ["Link", "Regression", "apply_link", "affine"]


class Link(str, Enum):
    """How raw scores become outputs (PMML normalizationMethod, PFA m.link.*)."""

    IDENTITY = "identity"  # regression, or decision values only
    LOGISTIC = "logistic"  # binary: one score for the second class, p1 = 1/(1+exp(-s))
    SOFTMAX = "softmax"  # one score per class
    OVR = "ovr"  # one score per class, each logistic, then divided by their sum


def affine(X: np.ndarray, weights: np.ndarray, bias: np.ndarray | float) -> np.ndarray:
    """``X @ weights.T + bias``: the one linear kernel (IR regressions and projections, PFA's
    model.reg.linear). ``weights`` (k x d) gives (rows x k); a vector (d,) gives one score per row."""
    return X @ np.asarray(weights, dtype=np.float64).T + np.asarray(bias, dtype=np.float64)


def apply_link(scores: np.ndarray, link: Link) -> np.ndarray:
    """Class probabilities from raw scores (rows x k)."""
    if link is Link.LOGISTIC:
        p1 = logistic(scores[:, 0])
        return np.column_stack([1.0 - p1, p1])
    if link is Link.SOFTMAX:
        return softmax(scores)
    if link is Link.OVR:
        p = logistic(scores)
        return p / p.sum(axis=1, keepdims=True)
    return scores


@dataclass(frozen=True)
class Regression(ModelStep):
    """``scores = inputs @ coef.T + intercept``, then ``link``.

    Regression: k = 1 and ``classes`` is None. Classification: ``classes`` set; with
    ``Link.IDENTITY`` the scores are decision values (binary: one column).
    """

    inputs: tuple[str, ...]
    coef: np.ndarray  # (k, len(inputs))
    intercept: np.ndarray  # (k,)
    link: Link = Link.IDENTITY
    classes: tuple[Any, ...] | None = None

    def predict(self, env: Env) -> Prediction:
        scores = affine(matrix(env, self.inputs), self.coef, self.intercept)
        if self.classes is None:
            return Prediction(value=scores[:, 0])
        if self.link is Link.IDENTITY:
            return Prediction(classes=self.classes, decision=scores)
        return Prediction(classes=self.classes, probabilities=apply_link(scores, self.link))
