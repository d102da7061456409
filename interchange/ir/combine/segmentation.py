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

The combination kernels (interchange.ir.kernels.segments, plain numpy: generated Python copies
them by source) are also the PMML fast path's (formats/pmml/fast/models/mining.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.kernels.segments import (  # _middle, _weighted_middle: read by tests/unit/formats/test_combine.py
    WEIGHTED,
    _middle,  # noqa: F401
    _weighted_middle,  # noqa: F401
    aligned,
    combine,
    combine_probabilities,
    combine_values,
    combine_votes,
    first_of,
    label_positions,
    treat_missing,
)

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


def _parts(r: Prediction) -> dict[str, Any]:
    return {"value": r.value, "probabilities": r.probabilities, "label": r.label, "classes": r.classes}


def _prediction(
    parts: tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None], classes: tuple[Any, ...] | None
) -> Prediction:
    value, probs, label = parts
    if classes is None:
        return Prediction(value=value)
    return Prediction(classes=classes, probabilities=probs, label=label)


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
    return _prediction(combine(method, [_parts(r) for r in results], on, weights, classes, treatment, threshold, n), classes)


def _rows(env: Env) -> int:
    n = getattr(env, "n", None)
    return int(n) if n is not None else len(next(iter(env.values()), ()))


def aligned_probabilities(r: Prediction, classes: tuple[Any, ...], n: int) -> np.ndarray:
    """The segment's probabilities in ``classes`` order; a row with any missing one is a missing result."""
    return aligned(r.probabilities, r.classes, classes, n)


def first_fired(results: list[Prediction], on: list[np.ndarray], classes: tuple[Any, ...] | None, n: int) -> Prediction:
    """Per row, the result of the first segment that fired (missing if none)."""
    return _prediction(first_of([_parts(r) for r in results], on, classes, n), classes)
