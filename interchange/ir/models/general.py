"""Generalized linear models beyond :class:`~interchange.ir.models.linear.Regression`: a mean through an
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
from interchange.ir.kernels.general import cumulative_probabilities, find_inverse_link, linked_mean, normalized_probabilities
from interchange.ir.kernels.trees import PRECISIONS, float_linear
from interchange.ir.models.linear import linear_scores

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
    found = find_inverse_link(name, parameter)
    if found is None:
        raise ModelError(f"unknown link function {name!r}; links are {LINKS}")
    return found


def _column(env: Env, source: str | float | None, n: int) -> np.ndarray | float:
    if source is None or isinstance(source, float):
        return 0.0 if source is None else source
    return matrix(env, (source,))[:, 0]


def _names(*sources: str | float | None) -> tuple[str, ...]:
    return tuple(s for s in sources if isinstance(s, str))


FLOAT_LINKS = ("identity", "logit", "log")  # the links a float GeneralizedLinear computes


@dataclass(frozen=True)
class GeneralizedLinear(ModelStep):
    """``value = trials * g^-1(columns @ coef + intercept + offset)``.

    ``offset`` and ``trials`` are a column name, a constant or None; a trials count is
    truncated to an integer (PMML engines read it as one). ``precision="float"``: JPMML-Evaluator's
    x-mathContext="float" arithmetic (``intercept + coef * x`` added in float32, the link's float
    form: ir.kernels.trees.float_link), for the identity, logit and log links without offset or trials.
    """

    columns: tuple[str, ...]
    coef: np.ndarray  # (len(columns),)
    intercept: float
    link: str
    parameter: float = 0.0  # linkParameter (power, oddspower) or distParameter (negbin)
    offset: str | float | None = None
    trials: str | float | None = None
    precision: str = "double"  # "float": x-mathContext="float" (a boosted sum's link)

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision {self.precision!r}: one of {PRECISIONS}")
        if self.precision == "float" and (self.link not in FLOAT_LINKS or self.offset is not None or self.trials is not None):
            raise ValueError(f"float arithmetic for the link {self.link!r} with offset / trials")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(self.columns + _names(self.offset, self.trials)))

    def predict(self, env: Env) -> Prediction:
        if self.precision == "float":
            return Prediction(value=float_linear([env[c] for c in self.columns], self.coef, self.intercept, self.link))
        eta = linear_scores(env, self.columns, self.coef, self.intercept)
        n = len(eta)
        eta = eta + _column(env, self.offset, n)
        inverse_link(self.link, self.parameter)  # refuses an unknown link
        mu = linked_mean(eta, self.link, self.parameter)
        if self.trials is not None:
            mu = mu * np.trunc(_column(env, self.trials, n))
        return Prediction(value=mu)


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
        probs = cumulative_probabilities(eta, self.link)
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
    :class:`~interchange.ir.models.linear.Regression` links.)
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
        probs = normalized_probabilities(y, self.normalization)
        return Prediction(classes=self.classes, probabilities=probs, label=label_of(probs, self.classes))
