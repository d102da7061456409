"""formats.combine (the segment combination as elementwise ranks, for the PFA and ONNX writers) against the IR's
own kernels (interchange.ir.combine.segmentation), bit for bit, through a numpy spelling of its operations: random
segment values with many ties, missing results, rows selecting no segment, every regression method and
missingPredictionTreatment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from interchange.formats.combine import combine_value, middle, weighted_middle
from interchange.ir.combine.segmentation import WEIGHTED, _middle, _weighted_middle, combine_segments
from interchange.ir.graph import Prediction


class NumpyOps:
    def num(self, x: float) -> Any:
        return np.float64(x)

    def add(self, a: Any, b: Any) -> Any:
        return a + b

    def sub(self, a: Any, b: Any) -> Any:
        return a - b

    def mul(self, a: Any, b: Any) -> Any:
        return a * b

    def div(self, a: Any, b: Any) -> Any:
        with np.errstate(all="ignore"):
            return np.divide(a, b)

    def floor(self, a: Any) -> Any:
        return np.floor(a)

    def maximum(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    def lt(self, a: Any, b: Any) -> Any:
        return np.less(a, b)

    def le(self, a: Any, b: Any) -> Any:
        return np.less_equal(a, b)

    def eq(self, a: Any, b: Any) -> Any:
        return np.equal(a, b)

    def ge(self, a: Any, b: Any) -> Any:
        return np.greater_equal(a, b)

    def gt(self, a: Any, b: Any) -> Any:
        return np.greater(a, b)

    def and_(self, a: Any, b: Any) -> Any:
        return np.logical_and(a, b)

    def or_(self, a: Any, b: Any) -> Any:
        return np.logical_or(a, b)

    def not_(self, a: Any) -> Any:
        return np.logical_not(a)

    def isnan(self, a: Any) -> Any:
        return np.isnan(a)

    def where(self, c: Any, a: Any, b: Any) -> Any:
        return np.where(c, a, b)

    def bind(self, a: Any, boolean: bool = False) -> Any:
        return a


def _case(seed: int, m: int = 5, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.integers(-3, 4, size=(m, n)).astype(np.float64) * 0.5  # many ties
    values[rng.random((m, n)) < 0.1] = np.nan
    on = rng.random((m, n)) < 0.6
    weights = rng.integers(1, 4, size=m).astype(np.float64) * 0.25
    return values, on, weights


@pytest.mark.parametrize("treatment", ["continue", "returnMissing", "skipSegment"])
@pytest.mark.parametrize("method", ["sum", "weightedSum", "average", "weightedAverage", "median", "weightedMedian"])
def test_regression_combination_is_the_irs(method: str, treatment: str) -> None:
    for seed in range(3):
        values, on, weights = _case(seed)
        n = values.shape[1]
        want = combine_segments(method, [Prediction(value=v) for v in values], on, tuple(weights), None, treatment, 0.3, n).value
        w = [float(x) if method in WEIGHTED else 1.0 for x in weights]
        got = combine_value(NumpyOps(), method, list(values), list(on), w, treatment, 0.3)
        np.testing.assert_array_equal(np.broadcast_to(got, (n,)), want)


def test_order_statistics_are_the_irs() -> None:
    for seed in range(5):
        values, on, weights = _case(seed)
        values = np.nan_to_num(values, nan=0.0)
        low, high = middle(NumpyOps(), list(values), list(on))
        want_low, want_high = _middle(values, on)
        np.testing.assert_array_equal(low, want_low)
        np.testing.assert_array_equal(high, want_high)
        got = weighted_middle(NumpyOps(), list(np.where(on, values, 0.0)), list(on), list(weights))
        np.testing.assert_array_equal(got, _weighted_middle(np.where(on, values, 0.0), on, weights))
