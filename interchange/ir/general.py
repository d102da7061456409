"""Generalized linear models beyond :class:`~interchange.ir.linear.Regression`: a mean through an
inverse link with offset and trials, and cumulative-link (ordinal) classification.

PMML 4.4 §GeneralRegressionModel generalizedLinear (``linkFunction``, ``linkParameter``,
``offsetVariable`` / ``offsetValue``, ``trialsVariable`` / ``trialsValue``) and
ordinalMultinomial (``cumulativeLink``); R's glm and MASS::polr fit the same models. The linear
predictor reads design columns (indicators, powers and products the lifter derives), so both
steps hold only numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction, label_of, matrix
from interchange.ir.linear import linear_scores
from interchange.ir.links import INVERSE_LINKS, logistic

__all__ = [
    "GeneralizedLinear",
    "CumulativeLink",
    "NormalizedClassifier",
    "NORMALIZATIONS",
    "inverse_link",
    "LINKS",
    "CUMULATIVE_LINKS",
]

# PMML 4.4 linkFunction values (power, oddspower take linkParameter; negbin takes distParameter)
LINKS = ("identity", "log", "logc", "logit", "probit", "cloglog", "loglog", "cauchit", "negbin", "power", "oddspower")
CUMULATIVE_LINKS = ("logit", "probit", "cloglog", "loglog", "cauchit")


def inverse_link(name: str, parameter: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    """mu = g^-1(eta) for PMML 4.4 linkFunction ``name``."""
    if name == "identity":
        return lambda e: e
    if name == "log":
        return np.exp
    if name == "logc":
        return lambda e: 1.0 - np.exp(e)
    if name in INVERSE_LINKS and name != "exp":
        return INVERSE_LINKS[name]
    if name == "negbin":
        return lambda e: 1.0 / (parameter * (np.exp(-e) - 1.0))
    if name == "power":
        return (lambda e: np.power(e, 1.0 / parameter)) if parameter != 0 else np.exp
    if name == "oddspower":
        return (lambda e: 1.0 / (1.0 + np.power(1.0 + parameter * e, -1.0 / parameter))) if parameter != 0 else logistic
    raise ModelError(f"unknown link function {name!r}; links are {LINKS}")


def _column(env: Env, source: str | float | None, n: int) -> np.ndarray | float:
    if source is None or isinstance(source, float):
        return 0.0 if source is None else source
    return matrix(env, (source,))[:, 0]


def _names(*sources: str | float | None) -> tuple[str, ...]:
    return tuple(s for s in sources if isinstance(s, str))


@dataclass(frozen=True)
class GeneralizedLinear(ModelStep):
    """``value = trials * g^-1(columns @ coef + intercept + offset)``.

    ``offset`` and ``trials`` are a column name, a constant or None; a trials count is
    truncated to an integer (PMML engines read it as one).
    """

    columns: tuple[str, ...]
    coef: np.ndarray  # (len(columns),)
    intercept: float
    link: str
    parameter: float = 0.0  # linkParameter (power, oddspower) or distParameter (negbin)
    offset: str | float | None = None
    trials: str | float | None = None

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(self.columns + _names(self.offset, self.trials)))

    def predict(self, env: Env) -> Prediction:
        eta = linear_scores(env, self.columns, self.coef, self.intercept)
        n = len(eta)
        eta = eta + _column(env, self.offset, n)
        with np.errstate(all="ignore"):
            mu = inverse_link(self.link, self.parameter)(eta)
        if self.trials is not None:
            mu = mu * np.trunc(_column(env, self.trials, n))
        return Prediction(value=np.asarray(mu, dtype=np.float64))


@dataclass(frozen=True)
class CumulativeLink(ModelStep):
    """Ordinal classification: ``P(y <= c_j) = F(columns @ coef[j] + intercept[j] + offset)`` for
    the first k-1 of ``classes``; each class's probability is the difference of neighbours."""

    columns: tuple[str, ...]
    coef: np.ndarray  # (k-1, len(columns))
    intercept: np.ndarray  # (k-1,)
    link: str
    classes: tuple[Any, ...]
    offset: str | float | None = None

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(self.columns + _names(self.offset)))

    def predict(self, env: Env) -> Prediction:
        if self.link not in CUMULATIVE_LINKS:
            raise ModelError(f"unknown cumulative link {self.link!r}; links are {CUMULATIVE_LINKS}")
        eta = linear_scores(env, self.columns, self.coef, self.intercept)
        eta = eta + np.asarray(_column(env, self.offset, len(eta)))[..., None] if self.offset is not None else eta
        with np.errstate(all="ignore"):
            cumulative = INVERSE_LINKS[self.link](eta)
        n = len(cumulative)
        probs = np.diff(np.column_stack([np.zeros(n), cumulative, np.ones(n)]), axis=1)
        probs[np.isnan(cumulative).any(axis=1)] = np.nan
        return Prediction(classes=self.classes, probabilities=probs, label=label_of(probs, self.classes))


NORMALIZATIONS = ("none", "simplemax", "logit", "probit", "cloglog", "loglog", "cauchit")


@dataclass(frozen=True)
class NormalizedClassifier(ModelStep):
    """One linear score per class, normalised into probabilities (PMML 4.4 §Regression).

    ``simplemax``: each score over their sum; ``none``: the scores themselves for all but the
    last class (of two classes, the first's score clamped to [0, 1], as pypmml 1.5.8 and
    JPMML-Evaluator give it); a link (``logit``, ``probit``, ``cloglog``, ``loglog``, ``cauchit``): the
    inverse link of each score but the last; the last class takes 1 minus the others. A missing
    score leaves the row without probabilities. (softmax and binary logit are
    :class:`~interchange.ir.linear.Regression` links.)
    """

    columns: tuple[str, ...]
    coef: np.ndarray  # (k, len(columns))
    intercept: np.ndarray  # (k,)
    normalization: str
    classes: tuple[Any, ...]

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.columns

    def predict(self, env: Env) -> Prediction:
        if self.normalization not in NORMALIZATIONS:
            raise ModelError(f"unknown normalization {self.normalization!r}; normalizations are {NORMALIZATIONS}")
        y = linear_scores(env, self.columns, self.coef, self.intercept)
        with np.errstate(all="ignore"):
            if self.normalization == "simplemax":
                probs = y / y.sum(axis=1, keepdims=True)
            else:
                head = y[:, :-1] if self.normalization == "none" else INVERSE_LINKS[self.normalization](y[:, :-1])
                if self.normalization == "none" and len(self.classes) == 2:  # (pypmml and JPMML clamp, measured)
                    head = np.clip(head, 0.0, 1.0)
                probs = np.column_stack([head, 1.0 - head.sum(axis=1)])
        probs[np.isnan(y).any(axis=1)] = np.nan
        return Prediction(classes=self.classes, probabilities=probs, label=label_of(probs, self.classes))
