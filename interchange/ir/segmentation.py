"""Segmented models: each segment's model where its predicate is TRUE, then a combination.

PMML 4.4 §Segmentation (multipleModelMethod sum, weightedSum, average, weightedAverage, median,
weightedMedian, max, majorityVote, weightedMajorityVote, selectFirst) with its
missingPredictionTreatment (continue, returnMissing, skipSegment). ``on`` is (segments x rows),
TRUE where a segment's predicate is TRUE (FALSE and UNKNOWN select nothing); ``w`` holds the
segment weights (all ones for an unweighted method), one per segment or, for PMML's
VariableWeight, one per segment and row (segments x rows; the kernels say
``w if w.ndim == 2 else w[:, None]`` inline: generated Python copies them by source). A missing
result of a selected segment makes every method but the votes missing, and a vote missing only
when the missing results get the most (weighted) votes. Ties between categories go to the first in the target's order.

The combination kernels are also the PMML fast path's (formats/pmml/fast/models/mining.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import is_missing
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.predicates import Predicate, predicate_fields, truth

__all__ = [
    "Segmentation",
    "METHODS",
    "WEIGHTED",
    "combine_values",
    "combine_votes",
    "combine_probabilities",
    "treat_missing",
    "label_positions",
    "aligned_probabilities",
    "first_fired",
]

REGRESSION = ("sum", "weightedSum", "average", "weightedAverage", "median", "weightedMedian", "selectFirst")
CLASSIFICATION = (
    "majorityVote",
    "weightedMajorityVote",
    "average",
    "weightedAverage",
    "median",
    "weightedMedian",
    "max",
    "selectFirst",
)
METHODS = {"regression": REGRESSION, "classification": CLASSIFICATION}
WEIGHTED = ("weightedSum", "weightedAverage", "weightedMedian", "weightedMajorityVote")
_VOTES = ("majorityVote", "weightedMajorityVote")


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


@dataclass(frozen=True)
class Segmentation(ModelStep):
    """Each model in ``models`` where its predicate is TRUE, combined by ``method``.

    ``classes`` is set for classification (the target's categories in order); ``treatment`` and
    ``threshold`` are PMML's missingPredictionTreatment and missingThreshold.
    """

    method: str
    predicates: tuple[Predicate, ...]
    weights: tuple[float, ...]
    models: tuple[ModelStep, ...]
    classes: tuple[Any, ...] | None = None
    treatment: str = "continue"
    threshold: float = 1.0

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        names = [f for p in self.predicates for f in predicate_fields(p)]
        names += [f for m in self.models for f in m.inputs]
        return tuple(dict.fromkeys(names))

    def predict(self, env: Env) -> Prediction:
        n = _rows(env)
        on = np.array([truth(p, env, n)[0] for p in self.predicates], dtype=bool).reshape(len(self.predicates), n)
        results = [m.predict(env).finish() for m in self.models]
        return combine_segments(self.method, results, on, self.weights, self.classes, self.treatment, self.threshold, n)


def combine_segments(
    method: str,
    results: list[Prediction],
    on: np.ndarray,
    weights: tuple[float, ...] | np.ndarray,
    classes: tuple[Any, ...] | None,
    treatment: str,
    threshold: float,
    n: int,
) -> Prediction:
    """PMML 4.4 §Segmentation: the fired segments' results (``on``: segment x row) combined by
    ``method``, missing results treated by ``missingPredictionTreatment``. Shared by the IR step
    and the PMML fast path's MiningModel; ``weights`` may be (segments x rows) (VariableWeight)."""
    if method == "selectFirst":
        return first_fired(results, list(on), classes, n)
    w = np.array(weights if method in WEIGHTED else [1.0] * len(weights), dtype=np.float64)
    if classes is None:
        values = np.array([np.asarray(r.value, dtype=np.float64) for r in results]).reshape(len(results), n)
        used, dead = treat_missing(treatment, threshold, np.isnan(values), on, w)
        value = combine_values(method, values, used, w)
        if method in ("sum", "weightedSum"):  # every used segment skipped sums to 0 (pypmml)
            value = np.where(on.any(axis=0) & ~used.any(axis=0), 0.0, value)
        return Prediction(value=np.where(dead, np.nan, value))
    if method in _VOTES:
        index = np.array([label_positions(r.label, classes, n) for r in results]).reshape(len(results), n)
        on, dead = treat_missing(treatment, threshold, index == -1, on, w)
        probs, winner = combine_votes(index, on, w, len(classes))
    else:
        P = np.stack([aligned_probabilities(r, classes, n) for r in results])
        on, dead = treat_missing(treatment, threshold, np.isnan(P).any(axis=2), on, w)
        probs, winner = combine_probabilities(method, P, on, w)
    probs[dead] = np.nan
    winner = np.where(dead, -1, winner)
    labels = np.asarray(classes, dtype=object)[np.maximum(winner, 0)]
    labels[winner < 0] = None
    return Prediction(classes=classes, probabilities=probs, label=labels)


def _rows(env: Env) -> int:
    n = getattr(env, "n", None)
    return int(n) if n is not None else len(next(iter(env.values()), ()))


def label_positions(labels: np.ndarray | None, classes: tuple[Any, ...], n: int) -> np.ndarray:
    """Each label's category index: -1 for a missing label, -2 for one outside ``classes``."""
    if labels is None:
        return np.full(n, -1, dtype=np.int64)
    index = {str(c): i for i, c in enumerate(classes)}
    return np.array([-1 if is_missing(v) else index.get(str(v), -2) for v in labels], dtype=np.int64)


def aligned_probabilities(r: Prediction, classes: tuple[Any, ...], n: int) -> np.ndarray:
    """The segment's probabilities in ``classes`` order; a row with any missing one is a missing result."""
    if r.probabilities is None or r.classes is None:
        return np.full((n, len(classes)), np.nan)
    mine = [str(c) for c in r.classes]
    out = np.zeros((r.probabilities.shape[0], len(classes)))
    for j, c in enumerate(classes):
        if str(c) in mine:
            out[:, j] = r.probabilities[:, mine.index(str(c))]
    out[np.isnan(r.probabilities).any(axis=1)] = np.nan
    return out


def first_fired(results: list[Prediction], on: list[np.ndarray], classes: tuple[Any, ...] | None, n: int) -> Prediction:
    """Per row, the result of the first segment that fired (missing if none)."""
    taken = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    probs = np.full((n, len(classes)), np.nan) if classes else None
    for r, a in zip(results, on, strict=True):
        pick = a & ~taken
        if classes is None:
            if r.value is not None:  # a classification segment in a regression chain has no value: missing
                value[pick] = np.asarray(r.value, dtype=np.float64)[pick]
        else:
            if r.label is not None:
                label[pick] = np.asarray(r.label, dtype=object)[pick]
            if probs is not None:
                probs[pick] = aligned_probabilities(r, classes, n)[pick]
        taken |= pick
    if classes is None:
        return Prediction(value=value)
    return Prediction(classes=classes, probabilities=probs, label=label)
