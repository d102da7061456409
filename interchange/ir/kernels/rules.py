"""The IR's rule-set kernel (PMML 4.4 §RuleSetModel): the selection of interchange.ir.models.rules.RuleSet
on plain data, copied verbatim into generated Python.

firstHit takes the first rule that fires, weightedMax the fired rule of largest weight (ties: the
first), weightedSum the score whose fired rules weigh most. A rule fires where every one of its
predicates is TRUE (an UNKNOWN predicate does not fire it); no rule fired gives the default. The
confidence: the chosen rule's (firstHit, weightedMax), the winning score's total weight over the
number of fired rules (weightedSum), else the default confidence (PMML 4.4 §Output
``feature="confidence"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["select_rule"]


def select_rule(
    rules: Sequence[tuple[Sequence[Any], Any, float, float]],
    truth: Callable[[Any], np.ndarray],
    criterion: str,
    default: Any,
    default_confidence: float | None,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(label, confidence) per row of the rule set ``rules``: (predicates, score, weight, confidence) each;
    ``truth(p)``: where predicate ``p`` is TRUE (each predicate object asked once)."""
    cache: dict[int, np.ndarray] = {}

    def fires(predicates: Sequence[Any]) -> np.ndarray:
        out = np.ones(n, dtype=bool)
        for p in predicates:
            if id(p) not in cache:
                cache[id(p)] = truth(p)
            out &= cache[id(p)]
        return out

    label = np.full(n, default, dtype=object)
    confidence = np.full(n, np.nan if default_confidence is None else float(default_confidence))
    if criterion == "firstHit":
        taken = np.zeros(n, dtype=bool)
        for predicates, score, _, conf in rules:
            hit = fires(predicates) & ~taken
            label[hit] = score
            confidence[hit] = conf
            taken |= hit
    elif criterion == "weightedMax":
        best = np.full(n, -np.inf)
        for predicates, score, weight, conf in rules:
            hit = fires(predicates) & (weight > best)
            label[hit] = score
            confidence[hit] = conf
            best = np.where(hit, weight, best)
    else:
        scores = list(dict.fromkeys(score for _, score, _, _ in rules))
        totals = np.zeros((n, len(scores)))
        fired = np.zeros(n)
        for predicates, score, weight, _ in rules:
            hit = fires(predicates)
            totals[:, scores.index(score)] += np.where(hit, weight, 0.0)
            fired += hit
        winner = np.asarray(scores, dtype=object)[np.argmax(totals, axis=1)] if scores else label
        some = totals.sum(axis=1) > 0
        label = np.where(some, winner, label)
        with np.errstate(all="ignore"):
            confidence = np.where(some, totals.max(axis=1, initial=0.0) / fired, confidence)
    return label, confidence
