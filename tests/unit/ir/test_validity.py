"""ir.validity.Treat: PMML 4.4's valid / invalid / missing values and their treatments, on small columns."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import RecordError
from interchange.ir.validity import Interval, Treat


def _run(step: Treat, col: list) -> np.ndarray:
    env = {step.inputs[0]: np.array(col, dtype=np.float64 if all(isinstance(v, float) or v is None for v in col) else object)}
    if env[step.inputs[0]].dtype.kind == "f":
        env[step.inputs[0]] = np.array([np.nan if v is None else v for v in col])
    step.apply(env)
    return env[step.outputs[0]]


def test_continuous_intervals_and_declared_values() -> None:
    t = Treat(("x",), ("x",), intervals=(Interval(0.0, 10.0, "closedOpen"),), missing_values=(-999.0,), invalid="asMissing")
    out = _run(t, [0.0, 10.0, 5.0, -999.0, None, -1.0])
    assert np.array_equal(np.isnan(out), [False, True, False, True, True, True])
    assert out[0] == 0.0 and out[2] == 5.0


def test_a_value_listed_valid_is_valid_outside_the_intervals() -> None:
    t = Treat(("x",), ("x",), intervals=(Interval(0.0, 1.0),), valid=(7.0,), invalid="asValue", invalid_replacement=0.5)
    assert _run(t, [7.0, 8.0, 0.25]).tolist() == [7.0, 0.5, 0.25]


def test_categorical_values_invalid_missing_and_replacement() -> None:
    t = Treat(
        ("s",),
        ("s",),
        optype="categorical",
        valid=("a", "b"),
        invalid_values=("bad",),
        missing_values=("NA",),
        invalid="asValue",
        invalid_replacement="a",
        replacement="b",
    )
    assert _run(t, ["a", "zz", "bad", "NA", None]).tolist() == ["a", "a", "a", "b", "b"]


def test_return_invalid_refuses_the_record_and_names_the_field() -> None:
    t = Treat(("s",), ("s",), optype="categorical", valid=("a",))
    assert _run(t, ["a", None]).tolist() == ["a", None]
    with pytest.raises(RecordError, match="'s'"):
        _run(t, ["a", "b"])


def test_missing_value_treatment_return_invalid() -> None:
    t = Treat(("x",), ("x",), missing_invalid=True, invalid="asIs")
    with pytest.raises(RecordError):
        _run(t, [1.0, None])


def test_outliers_clamp_or_go_missing_valid_values_only() -> None:
    clamp = Treat(("x",), ("x",), outliers="asExtremeValues", low=0.0, high=1.0, invalid="asIs")
    assert _run(clamp, [-2.0, 0.5, 3.0]).tolist() == [0.0, 0.5, 1.0]
    gone = Treat(("x",), ("x",), outliers="asMissingValues", low=0.0, high=1.0, invalid="asIs", replacement=9.0)
    assert _run(gone, [-2.0, 0.5, None]).tolist() == [9.0, 0.5, 9.0]


def test_bad_treatments_are_refused() -> None:
    with pytest.raises(ValueError):
        Treat(("x",), ("x",), invalid="asSomething")
    with pytest.raises(ValueError):
        Treat(("x",), ("x",), invalid="asValue")
    with pytest.raises(ValueError):
        Interval(0.0, 1.0, "halfOpen")
