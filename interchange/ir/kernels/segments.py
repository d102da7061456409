"""The IR's segmentation kernels: PMML 4.4 §Segmentation's combination of the fired segments'
results and its missingPredictionTreatment (the arithmetic of interchange.ir.combine.segmentation).

A segment's result is a plain mapping with the parts a Prediction has: "value", "probabilities",
"label" and "classes" (an absent or None part is one the segment does not give).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from interchange.batch import is_missing

__all__ = [
    "WEIGHTED",
    "combine_values",
    "combine_votes",
    "combine_probabilities",
    "treat_missing",
    "label_positions",
    "aligned",
    "first_of",
    "combine",
]

WEIGHTED = ("weightedSum", "weightedAverage", "weightedMedian", "weightedMajorityVote")
_VOTES = ("majorityVote", "weightedMajorityVote")
Result = Mapping[str, Any]


def _middle(values: np.ndarray, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper middle order statistics of each column's selected values."""
    ordered = np.sort(np.where(on, values, np.inf), axis=0)
    count = np.maximum(on.sum(axis=0), 1)
    cols = np.arange(values.shape[1])
    return ordered[(count - 1) // 2, cols], ordered[count // 2, cols]


def _weighted_middle(values: np.ndarray, on: np.ndarray, w: np.ndarray) -> np.ndarray:
    """weightedMedian: the first value, in ascending order, at which the running weight
    reaches half the selected weight (pypmml: so, as JPMML does; no split median at exactly half)."""
    order = np.argsort(np.where(on, values, np.inf), axis=0, kind="stable")
    weights = np.take_along_axis(np.where(on, (w if w.ndim == 2 else w[:, None]), 0.0), order, axis=0)
    running = np.cumsum(weights, axis=0)
    first = np.argmax(running >= 0.5 * running[-1], axis=0)
    return np.take_along_axis(values, order, axis=0)[first, np.arange(values.shape[1])]


def _median(values: np.ndarray, on: np.ndarray) -> np.ndarray:
    low, high = _middle(values, on)
    return (low + high) / 2.0


def combine_values(method: str, v: np.ndarray, on: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A regression's combined value per row: missing where no segment is selected or a
    selected one has no value. pypmml sorts a missing value into median / weightedMedian
    (Java orders NaN last); PMML 4.4 says missing, followed here."""
    with np.errstate(all="ignore"):
        vz = np.where(on, v, 0.0)
        wz = (w if w.ndim == 2 else w[:, None]) * on
        if method == "sum":
            out = vz.sum(axis=0)
        elif method == "weightedSum":
            out = (vz * (w if w.ndim == 2 else w[:, None])).sum(axis=0)
        elif method == "average":
            out = vz.sum(axis=0) / on.sum(axis=0)
        elif method == "weightedAverage":
            out = (vz * (w if w.ndim == 2 else w[:, None])).sum(axis=0) / wz.sum(axis=0)
        elif method == "median":
            out = _median(vz, on)
        elif method == "weightedMedian":
            out = _weighted_middle(vz, on, w)
        else:
            raise ValueError(method)
    broken = (on & np.isnan(v)).any(axis=0)
    return np.where(on.any(axis=0) & ~broken, out, np.nan)


def combine_votes(index: np.ndarray, on: np.ndarray, w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, winner) of majorityVote / weightedMajorityVote; ``index`` holds each
    segment's predicted category (-1 missing, -2 outside the categories: a vote for nothing).
    Probabilities are the (weighted) votes over all selected (weighted) votes, missing ones
    included (pypmml: so for majorityVote; for weightedMajorityVote it divides by the number
    of segments, not the proportions PMML 4.4 asks for). The row is missing when its missing
    results outvote every category (PMML 4.4 "continue"; pypmml never returns missing there)."""
    n = on.shape[1]
    votes = np.zeros((n, k))
    missing = np.zeros(n)
    total = np.zeros(n)
    rows = np.arange(n)
    for i in range(on.shape[0]):
        share = np.where(on[i], w[i], 0.0)
        total += share
        has = index[i] >= 0
        votes[rows[has], index[i][has]] += share[has]
        missing += np.where(index[i] == -1, share, 0.0)
    with np.errstate(all="ignore"):
        probs = votes / total[:, None]
    ok = (total > 0) & ~(missing > votes.max(axis=1))
    probs[~ok] = np.nan
    return probs, np.where(ok, np.argmax(votes, axis=1), -1)


def combine_probabilities(method: str, P: np.ndarray, on: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, winner) of average, weightedAverage, max, median, weightedMedian over
    ``P`` (segments x rows x categories). PMML 4.4: the winner has the highest combined
    probability; max, median and weightedMedian return the average probabilities of the
    segments whose probability for the winner is the chosen one (for an even median, either
    middle one). pypmml returns, for max, the average of every segment whose own prediction is
    the winner, and for median / weightedMedian the per-category medians (followed: PMML 4.4)."""
    m, n, k = P.shape
    broken = (on[:, :, None] & np.isnan(P)).any(axis=(0, 2))
    Pz = np.where(on[:, :, None], P, 0.0)
    rows = np.arange(n)
    with np.errstate(all="ignore"):
        if method in ("average", "weightedAverage"):
            ww = np.where(on, (w if w.ndim == 2 else w[:, None]) if method == "weightedAverage" else 1.0, 0.0)
            probs = (Pz * ww[:, :, None]).sum(axis=0) / ww.sum(axis=0)[:, None]
            winner = np.argmax(np.nan_to_num(probs, nan=-np.inf), axis=1)
        else:
            if method == "max":
                combined = np.where(on[:, :, None], P, -np.inf).max(axis=0)
            elif method == "median":
                combined = np.column_stack([_median(Pz[:, :, j], on) for j in range(k)])
            else:
                combined = np.column_stack([_weighted_middle(Pz[:, :, j], on, w) for j in range(k)])
            winner = np.argmax(np.nan_to_num(combined, nan=-np.inf), axis=1)
            chosen = Pz[:, rows, winner]  # (segments x rows): each segment's probability of the winner
            if method == "median":
                low, high = _middle(chosen, on)
                takes = on & ((chosen == low) | (chosen == high))
            else:
                takes = on & (chosen == combined[rows, winner])
            probs = (Pz * takes[:, :, None]).sum(axis=0) / takes.sum(axis=0)[:, None]
    bad = broken | ~on.any(axis=0)
    probs[bad] = np.nan
    return probs, np.where(bad, -1, winner)


def treat_missing(
    treatment: str, threshold: float, miss: np.ndarray, on: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(segments used, rows whose result is missing) under missingPredictionTreatment; ``miss``
    is TRUE where a segment's own result is missing.

    PMML 4.4: returnMissing makes the row missing when a used segment's result is missing;
    skipSegment leaves such segments out, and the row is missing when their share of the used
    segments exceeds missingThreshold (pypmml: shares by Segment weight for the weighted
    methods, by count otherwise, i.e. by ``w``); continue hands them to the combination.
    """
    used_missing = on & miss
    if treatment == "continue":
        return on, np.zeros(on.shape[1], dtype=bool)
    if treatment == "returnMissing":
        return on, used_missing.any(axis=0)
    with np.errstate(all="ignore"):
        share = ((w if w.ndim == 2 else w[:, None]) * used_missing).sum(axis=0) / ((w if w.ndim == 2 else w[:, None]) * on).sum(
            axis=0
        )
    return on & ~miss, share > threshold


def label_positions(labels: np.ndarray | None, classes: Sequence[Any], n: int) -> np.ndarray:
    """Each label's category index: -1 for a missing label, -2 for one outside ``classes``."""
    if labels is None:
        return np.full(n, -1, dtype=np.int64)
    index = {str(c): i for i, c in enumerate(classes)}
    return np.array([-1 if is_missing(v) else index.get(str(v), -2) for v in labels], dtype=np.int64)


def aligned(probabilities: np.ndarray | None, own: Sequence[Any] | None, classes: Sequence[Any], n: int) -> np.ndarray:
    """A segment's probabilities (over its ``own`` classes) in ``classes`` order; a row with any
    missing one is a missing result."""
    if probabilities is None or own is None:
        return np.full((n, len(classes)), np.nan)
    mine = [str(c) for c in own]
    out = np.zeros((probabilities.shape[0], len(classes)))
    for j, c in enumerate(classes):
        if str(c) in mine:
            out[:, j] = probabilities[:, mine.index(str(c))]
    out[np.isnan(probabilities).any(axis=1)] = np.nan
    return out


def first_of(
    results: Sequence[Result], on: Sequence[np.ndarray], classes: Sequence[Any] | None, n: int
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(value, probabilities, label): per row, the result of the first segment that fired (missing if none)."""
    taken = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    probs = np.full((n, len(classes)), np.nan) if classes else None
    for r, a in zip(results, on, strict=True):
        pick = a & ~taken
        if classes is None:
            if r.get("value") is not None:  # a classification segment in a regression chain has no value: missing
                value[pick] = np.asarray(r["value"], dtype=np.float64)[pick]
        else:
            if r.get("label") is not None:
                label[pick] = np.asarray(r["label"], dtype=object)[pick]
            if probs is not None:
                probs[pick] = aligned(r.get("probabilities"), r.get("classes"), classes, n)[pick]
        taken |= pick
    return value, probs, label


def combine(
    method: str,
    results: Sequence[Result],
    on: np.ndarray,
    weights: Sequence[float] | np.ndarray,
    classes: Sequence[Any] | None,
    treatment: str,
    threshold: float,
    n: int,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(value, probabilities, label): the fired segments' results (``on``: segment x row) combined
    by ``method``, missing results treated by ``treatment``; ``weights`` may be (segments x rows)."""
    if method == "selectFirst":
        return first_of(results, list(on), classes, n)
    w = np.array(weights if method in WEIGHTED else [1.0] * len(weights), dtype=np.float64)
    if classes is None:
        values = np.array([np.asarray(r["value"], dtype=np.float64) for r in results]).reshape(len(results), n)
        used, dead = treat_missing(treatment, threshold, np.isnan(values), on, w)
        value = combine_values(method, values, used, w)
        if method in ("sum", "weightedSum"):  # every used segment skipped sums to 0 (pypmml)
            value = np.where(on.any(axis=0) & ~used.any(axis=0), 0.0, value)
        return np.where(dead, np.nan, value), None, None
    if method in _VOTES:
        index = np.array([label_positions(r.get("label"), classes, n) for r in results]).reshape(len(results), n)
        on, dead = treat_missing(treatment, threshold, index == -1, on, w)
        probs, winner = combine_votes(index, on, w, len(classes))
    else:
        P = np.stack([aligned(r.get("probabilities"), r.get("classes"), classes, n) for r in results])
        on, dead = treat_missing(treatment, threshold, np.isnan(P).any(axis=2), on, w)
        probs, winner = combine_probabilities(method, P, on, w)
    probs[dead] = np.nan
    winner = np.where(dead, -1, winner)
    labels = np.asarray(classes, dtype=object)[np.maximum(winner, 0)]
    labels[winner < 0] = None
    return None, probs, labels
