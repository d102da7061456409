"""Segments weighed per row: PMML 4.4 §Segment VariableWeight (a segment's weight read from a field).

The weighted methods (weightedAverage, weightedSum, weightedMedian, weightedMajorityVote) weigh
each fired segment by the value of its ``variable`` field in that row, times its weight, as
pypmml 1.5.8 does (JPMML-Evaluator 1.6 refuses the element). A fired segment whose variable
weight is missing or not positive makes the row a RecordError: what pypmml computes there is
not settled (the PMML fast path hands such a batch to pypmml).

The step is its own class (not Segmentation's field) so a writer or generator that knows only
Segmentation refuses it by name instead of writing constant weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.errors import ModelError, RecordError
from interchange.ir.combine.segmentation import WEIGHTED, Segmentation, _rows, combine_segments
from interchange.ir.derive.predicates import truth
from interchange.ir.graph import Env, Prediction
from interchange.ir.kernels.calls import as_numbers

__all__ = ["VariableWeights"]


@dataclass(frozen=True)
class VariableWeights(Segmentation):
    """:class:`Segmentation` whose ``variable[k]`` (a field name, or None for the constant weight)
    weighs segment ``k`` per row."""

    variable: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if len(self.variable) != len(self.models) or self.method not in WEIGHTED:
            raise ModelError("VariableWeights needs a weighted method and one variable (or None) per segment")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys((*super().inputs, *(f for f in self.variable if f is not None))))

    def predict(self, env: Env) -> Prediction:
        n = _rows(env)
        on = np.array([truth(p, env, n)[0] for p in self.predicates], dtype=bool).reshape(len(self.predicates), n)
        results = [m.predict(env).finish() for m in self.models]
        rows = []
        for k, field in enumerate(self.variable):
            w = np.full(n, self.weights[k]) if field is None else as_numbers(np.asarray(env[field])) * self.weights[k]
            bad = on[k] & ~(w > 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise RecordError(
                    f"VariableWeight {field!r} of segment {k + 1} is missing or not positive in row {i}", field=field, row=i
                )
            rows.append(np.where(on[k], w, 1.0))  # (a segment that did not fire weighs nothing anyway)
        weights = np.array(rows, dtype=np.float64).reshape(len(self.models), n)
        return combine_segments(self.method, results, on, weights, self.classes, self.treatment, self.threshold, n)
