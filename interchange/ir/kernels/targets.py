"""The IR's Targets and residual kernels (PMML 4.4 §Targets, §Output feature="residual"): the
arithmetic of interchange.ir.models.targets on plain arrays, copied verbatim into generated Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from interchange.batch import category_key

__all__ = ["rescale", "no_prediction", "stand_in", "residual_values", "residual_hits"]


def rescale(
    value: np.ndarray,
    *,
    low: float | None = None,
    high: float | None = None,
    factor: float = 1.0,
    constant: float = 0.0,
    cast: str | None = None,
    default: float | None = None,
) -> np.ndarray:
    """A regression's value clamped, rescaled, cast; ``default`` where it is missing (not rescaled)."""
    v = np.asarray(value, dtype=np.float64)
    if low is not None:
        v = np.where(v < low, low, v)
    if high is not None:
        v = np.where(v > high, high, v)
    v = v * factor + constant
    if cast == "round":  # PMML 4.4: round half up
        v = np.floor(v + 0.5)
    elif cast == "ceiling":
        v = np.ceil(v)
    elif cast == "floor":
        v = np.floor(v)
    if default is not None:
        v = np.where(np.isnan(np.asarray(value, dtype=np.float64)), default, v)
    return v


def no_prediction(label: Any, probabilities: np.ndarray | None) -> np.ndarray:
    """Rows where a classification gives no prediction: no label, or every probability missing."""
    none = np.array([v is None for v in label], dtype=bool)
    if probabilities is not None:
        none |= np.isnan(probabilities).all(axis=1)
    return none


def stand_in(
    label: Any, probabilities: np.ndarray | None, classes: Any, priors: Mapping[str, float], none: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The label of largest prior and the priors as probabilities (NaN without one) on the rows ``none``."""
    best = max(priors, key=lambda c: priors[c])
    given = np.array(label, dtype=object)
    given[none] = best
    n, k = len(given), len(classes)
    probs = np.full((n, k), np.nan) if probabilities is None else np.array(probabilities, dtype=np.float64)
    probs[none] = [priors.get(str(c), np.nan) for c in classes]
    return given, probs


def residual_values(actual: Any, value: Any) -> np.ndarray:
    """A regression's residual: the actual minus the predicted value."""
    return np.asarray(actual, dtype=np.float64) - np.asarray(value, dtype=np.float64)


def residual_hits(actual: Any, label: Any, probabilities: np.ndarray, classes: Any) -> np.ndarray:
    """A classification's residual: 1 where the actual category is the predicted one, else 0, minus the
    predicted category's probability; missing where the actual value is."""
    keys = [category_key(c) for c in classes]
    predicted = [category_key(v) for v in label]
    idx = np.array([keys.index(v) if v in keys else -1 for v in predicted], dtype=np.int64)
    rows = np.arange(len(idx))
    p = np.where(idx >= 0, np.asarray(probabilities, dtype=np.float64)[rows, np.maximum(idx, 0)], np.nan)
    truth = [category_key(v) for v in np.asarray(actual, dtype=object)]
    hit = np.array([a is not None and a == b for a, b in zip(truth, predicted, strict=True)], dtype=np.float64)
    return np.where(np.array([a is None for a in truth], dtype=bool), np.nan, hit - p)
