"""Inverse link functions and score normalisations: the one copy every evaluator calls.

The IR's model steps, PMML's normalizationMethod / linkFunction / cumulativeLink and PFA's
``m.link.*`` all compute probabilities (or means) from raw scores with these functions. Where
the formats really differ, the difference is a parameter, not a second copy:

* ``exp``: how an exponential is taken. PFA (titus2) fails a record where Python's
  ``math.exp`` overflows, so its fast path passes an ``exp`` that marks those rows.
* ``probit(tails=...)``: PMML is evaluated with ``erfc`` (accurate in the far left tail);
  titus2 computes ``(erf(y / sqrt 2) + 1) / 2``, which reaches 0 there.
* ``loglog(negate=...)``: PMML 4.4 defines ``exp(-exp(-y))``, PFA 0.8.1 ``exp(-exp(y))``.
* ``softmax(shift=..., total=...)``: the usual shift by the maximum, or titus2's shift by the
  score of largest magnitude with a left-to-right sum.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

__all__ = [
    "Exp",
    "logistic",
    "probit",
    "cloglog",
    "loglog",
    "cauchit",
    "softplus",
    "relu",
    "softmax",
    "simplemax",
    "INVERSE_LINKS",
]

Exp = Callable[[np.ndarray], np.ndarray]
_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def logistic(y: np.ndarray, exp: Exp = np.exp) -> np.ndarray:
    """``1 / (1 + exp(-y))``: PMML logit, PFA m.link.logit, the logistic activation."""
    return 1.0 / (1.0 + exp(-y))


def probit(y: np.ndarray, *, tails: bool = True) -> np.ndarray:
    """The standard normal CDF: ``0.5 * erfc(-y / sqrt 2)`` (``tails``, accurate in both tails),
    else ``(erf(y / sqrt 2) + 1) / 2`` as titus2 computes PFA's m.link.probit."""
    y = np.asarray(y, dtype=np.float64)
    if tails:
        return np.asarray(_ERFC(-y / math.sqrt(2.0)), dtype=np.float64) * 0.5
    return (np.asarray(_ERF(y / math.sqrt(2.0)), dtype=np.float64) + 1.0) / 2.0


def cloglog(y: np.ndarray, exp: Exp = np.exp) -> np.ndarray:
    """``1 - exp(-exp(y))`` (PMML 4.4 and PFA agree)."""
    return 1.0 - np.exp(-exp(y))


def loglog(y: np.ndarray, exp: Exp = np.exp, *, negate: bool = True) -> np.ndarray:
    """``exp(-exp(-y))`` (PMML 4.4, ``negate``) or ``exp(-exp(y))`` (PFA 0.8.1 m.link.loglog)."""
    return np.exp(-exp(-y if negate else y))


def cauchit(y: np.ndarray) -> np.ndarray:
    """``0.5 + arctan(y) / pi``."""
    return 0.5 + np.arctan(y) / np.pi


def softplus(y: np.ndarray, exp: Exp = np.exp) -> np.ndarray:
    """``log(1 + exp(y))`` (PFA m.link.softplus)."""
    return np.log(1.0 + exp(y))


def relu(y: np.ndarray) -> np.ndarray:
    """``max(0, y)``, missing (NaN) kept missing."""
    return np.maximum(y, 0.0)


# PMML 4.4 §Regression normalizationMethod (and the cumulative links of §GeneralRegression): y -> f(y)
INVERSE_LINKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "logit": logistic,
    "probit": probit,
    "cloglog": cloglog,
    "loglog": loglog,
    "cauchit": cauchit,
    "exp": np.exp,
}


def _sum(x: np.ndarray) -> np.ndarray:
    return x.sum(axis=-1)


def softmax(
    scores: np.ndarray,
    exp: Exp = np.exp,
    *,
    shift: Literal["max", "largest"] = "max",
    total: Callable[[np.ndarray], np.ndarray] = _sum,
) -> np.ndarray:
    """``exp(s - m) / sum(exp(s - m))`` over the last axis.

    ``shift="max"``: m is the row's maximum (a NaN score makes the whole row NaN).
    ``"largest"``: m is the maximum when the score of largest magnitude is positive, else the
    minimum (titus2's m.link.softmax). ``total`` sums the last axis (titus2: left to right).
    """
    if shift == "max":
        m = scores.max(axis=-1, keepdims=True)
    else:
        big = np.take_along_axis(scores, np.argmax(np.abs(scores), axis=-1)[..., None], axis=-1)[..., 0]
        m = np.where(big >= 0, scores.max(axis=-1), scores.min(axis=-1))[..., None]
    z = exp(scores - m)
    return z / total(z)[..., None]


def simplemax(scores: np.ndarray) -> np.ndarray:
    """Each score over the row's sum (PMML 4.4 simplemax)."""
    return scores / scores.sum(axis=-1, keepdims=True)
