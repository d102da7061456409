"""The IR's generalized-linear kernels: a mean through an inverse link, ordinal (cumulative-link)
probabilities and PMML 4.4 §Regression's class normalisations (interchange.ir.models.general's arithmetic).

The inverse links themselves are interchange.ir.links (plain numpy too).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from interchange.ir.links import INVERSE_LINKS, logistic

__all__ = ["find_inverse_link", "linked_mean", "cumulative_probabilities", "normalized_probabilities"]


def find_inverse_link(name: str, parameter: float = 0.0) -> Callable[[np.ndarray], np.ndarray] | None:
    """mu = g^-1(eta) for PMML 4.4 linkFunction ``name``; None for a name PMML does not define."""
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
    return None


def linked_mean(eta: np.ndarray, name: str, parameter: float) -> np.ndarray:
    """``g^-1(eta)`` as float64, overflow and invalid values left as inf / NaN."""
    inverse = find_inverse_link(name, parameter)
    if inverse is None:
        raise ValueError(f"unknown link function {name!r}")
    with np.errstate(all="ignore"):
        return np.asarray(inverse(eta), dtype=np.float64)


def cumulative_probabilities(eta: np.ndarray, link: str) -> np.ndarray:
    """Ordinal class probabilities: differences of neighbouring cumulative probabilities ``F(eta)``."""
    with np.errstate(all="ignore"):
        cumulative = INVERSE_LINKS[link](eta)
    n = len(cumulative)
    probs = np.diff(np.column_stack([np.zeros(n), cumulative, np.ones(n)]), axis=1)
    probs[np.isnan(cumulative).any(axis=1)] = np.nan
    return probs


def normalized_probabilities(y: np.ndarray, normalization: str) -> np.ndarray:
    """simplemax: each score over their sum; none: the scores (of two classes, the first clamped to
    [0, 1], as pypmml 1.5.8 and JPMML-Evaluator give it); a link: its inverse of each score;
    the last class takes 1 minus the others; a missing score leaves the row without probabilities."""
    with np.errstate(all="ignore"):
        if normalization == "simplemax":
            probs = y / y.sum(axis=1, keepdims=True)
        else:
            head = y[:, :-1] if normalization == "none" else INVERSE_LINKS[normalization](y[:, :-1])
            if normalization == "none" and y.shape[1] == 2:  # of two classes, clamped to [0, 1] (pypmml and JPMML, measured)
                head = np.clip(head, 0.0, 1.0)
            probs = np.column_stack([head, 1.0 - head.sum(axis=1)])
    probs[np.isnan(y).any(axis=1)] = np.nan
    return probs
