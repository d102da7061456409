"""Linear models: regression, and classification with a link / normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction, label_of, matrix
from interchange.ir.kernels.linear import Link, affine, apply_link

__all__ = ["Link", "Regression", "apply_link", "affine", "linear_scores"]


def linear_scores(env: Env, names: tuple[str, ...], weights: np.ndarray, bias: np.ndarray | float) -> np.ndarray:
    """:func:`affine` over the named numeric columns of ``env`` (read as float64, no matrix)."""
    if not names:
        return affine(matrix(env, names), weights, bias)
    return affine([_numeric(env, n) for n in names], weights, bias)


def _numeric(env: Env, name: str) -> np.ndarray:
    try:
        return np.asarray(env[name], dtype=np.float64)
    except KeyError as exc:
        raise ModelError(f"IR step reads column {name!r} that no earlier step or input defines") from exc


@dataclass(frozen=True)
class Regression(ModelStep):
    """``scores = inputs @ coef.T + intercept``, then ``link``.

    Regression: k = 1 and ``classes`` is None. Classification: ``classes`` set; with
    ``Link.IDENTITY`` the scores are decision values (binary: one column). ``ties``: the class a
    row whose probabilities tie takes, the first of them (scikit-learn: a zero decision is the
    negative class) or the last (PMML's binary logit: the first RegressionTable's category, which
    the lift puts second).
    """

    inputs: tuple[str, ...]
    coef: np.ndarray  # (k, len(inputs))
    intercept: np.ndarray  # (k,)
    link: Link = Link.IDENTITY
    classes: tuple[Any, ...] | None = None
    ties: Literal["first", "last"] = "first"

    def predict(self, env: Env) -> Prediction:
        scores = linear_scores(env, self.inputs, self.coef, self.intercept)
        if self.classes is None:
            return Prediction(value=scores[:, 0])
        if self.link is Link.IDENTITY:
            return Prediction(classes=self.classes, decision=scores)
        probabilities = apply_link(scores, self.link)
        if self.ties == "last":
            label = label_of(probabilities[:, ::-1], self.classes[::-1])
            return Prediction(classes=self.classes, probabilities=probabilities, label=label)
        return Prediction(classes=self.classes, probabilities=probabilities)
