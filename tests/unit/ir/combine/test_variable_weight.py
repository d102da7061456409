"""ir.variable_weight: segments weighed per row by a field (PMML VariableWeight), by hand."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError, RecordError
from interchange.ir.combine.variable_weight import VariableWeights
from interchange.ir.derive.predicates import Compare
from interchange.ir.models.linear import Regression


def _segments(method: str = "weightedAverage") -> VariableWeights:
    one = Regression(("x",), np.array([[1.0]]), np.array([0.0]))  # x
    two = Regression(("x",), np.array([[0.0]]), np.array([10.0]))  # 10
    fired = (Compare("x", "greaterThan", -100.0), Compare("x", "greaterThan", 0.0))
    return VariableWeights(method, fired, (1.0, 2.0), (one, two), None, variable=("w", None))


def test_each_fired_segment_weighs_by_its_field_times_its_weight() -> None:
    env = {"x": np.array([4.0, -1.0]), "w": np.array([3.0, 0.5])}
    value = _segments().predict(env).value
    assert value is not None
    # row 0: both fire, (3 * 4 + 2 * 10) / (3 + 2); row 1: only the first, its own value
    assert value.tolist() == [(3 * 4.0 + 2 * 10.0) / 5.0, -1.0]
    total = _segments("weightedSum").predict(env).value
    assert total is not None and total.tolist() == [3 * 4.0 + 2 * 10.0, 0.5 * -1.0]


def test_a_missing_or_non_positive_weight_of_a_fired_segment_is_the_records_fault() -> None:
    with pytest.raises(RecordError, match="VariableWeight 'w'"):
        _segments().predict({"x": np.array([4.0, 1.0]), "w": np.array([3.0, np.nan])})
    with pytest.raises(RecordError, match="row 0"):
        _segments().predict({"x": np.array([4.0]), "w": np.array([0.0])})


def test_an_unweighted_method_is_refused() -> None:
    with pytest.raises(ModelError, match="weighted method"):
        _segments("average")
