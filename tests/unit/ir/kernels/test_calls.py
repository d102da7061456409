"""The expression kernels on plain columns, against values worked out by hand from PMML 4.4 and
the reference runtimes' measured behaviour stated in each kernel's docstring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interchange.ir.kernels.calls import CASTS, FUNCTIONS, as_numbers, bins, call, constant, indicator, interpolate, lookup

NAN = np.nan


def _f(*values: float | None) -> np.ndarray:
    return np.array([NAN if v is None else v for v in values], dtype=np.float64)


def _o(*values: object) -> np.ndarray:
    return np.array(values, dtype=object)


def test_as_numbers_parses_text_and_leaves_the_rest_missing() -> None:
    got = as_numbers(_o("1.5", 2, None, "x", True))
    np.testing.assert_array_equal(got, [1.5, 2.0, NAN, NAN, 1.0])


def test_arithmetic_is_missing_where_an_argument_is_missing_or_the_result_is_not_finite() -> None:
    np.testing.assert_array_equal(FUNCTIONS["+"](_f(1, None, 2), _f(2, 3, None)), [3, NAN, NAN])
    np.testing.assert_array_equal(FUNCTIONS["/"](_f(1, 1, 0), _f(4, 0, 0)), [0.25, NAN, NAN])
    np.testing.assert_array_equal(FUNCTIONS["ln"](_f(math.e, 0, -1)), [1.0, NAN, NAN])


def test_mod_follows_the_divisor_and_rem_the_dividend() -> None:
    np.testing.assert_array_equal(FUNCTIONS["mod"](_f(-7, 7), _f(3, -3)), [2, -2])
    np.testing.assert_array_equal(FUNCTIONS["rem"](_f(-7, 7), _f(3, -3)), [-1, 1])


def test_round_is_half_up_and_gives_zero_for_missing() -> None:
    np.testing.assert_array_equal(FUNCTIONS["round"](_f(2.5, -2.5, 1.4, None)), [3, -2, 1, 0])


def test_aggregates_leave_missing_arguments_out() -> None:
    a, b, c = _f(1, None, None), _f(3, 4, None), _f(None, 8, None)
    np.testing.assert_array_equal(FUNCTIONS["sum"](a, b, c), [4, 12, NAN])
    np.testing.assert_array_equal(FUNCTIONS["avg"](a, b, c), [2, 6, NAN])
    np.testing.assert_array_equal(FUNCTIONS["min"](a, b, c), [1, 4, NAN])
    np.testing.assert_array_equal(FUNCTIONS["max"](a, b, c), [3, 8, NAN])
    np.testing.assert_array_equal(FUNCTIONS["product"](a, b, c), [3, 32, NAN])


def test_median_of_present_arguments() -> None:
    got = FUNCTIONS["median"](_f(5, 1, None), _f(1, None, None), _f(3, 4, None), _f(None, 2, None))
    np.testing.assert_array_equal(got, [3, 2, NAN])  # (1, 3, 5) -> 3; (1, 2, 4) -> 2; none present


def test_equal_treats_two_missing_values_as_equal_and_categories_by_key() -> None:
    np.testing.assert_array_equal(FUNCTIONS["equal"](_f(1, None, None), _f(1, None, 2)), [1, 1, 0])
    np.testing.assert_array_equal(FUNCTIONS["equal"](_o("1", "a", None), _o(1.0, "b", None)), [1, 0, 1])
    np.testing.assert_array_equal(FUNCTIONS["notEqual"](_o("1", "a"), _o(1, "b")), [0, 1])


def test_comparisons_with_a_missing_value_are_false() -> None:
    np.testing.assert_array_equal(FUNCTIONS["lessThan"](_f(1, 2, None), _f(2, 2, 0)), [1, 0, 0])
    np.testing.assert_array_equal(FUNCTIONS["greaterOrEqual"](_f(1, 2, None), _f(2, 2, 0)), [0, 1, 0])
    np.testing.assert_array_equal(FUNCTIONS["threshold"](_f(3, None), _f(2, 2)), [1, 0])


def test_boolean_functions_count_missing_as_false() -> None:
    t, f, m = _f(1, 1, 1), _f(0, 1, None), _f(None, None, None)
    np.testing.assert_array_equal(FUNCTIONS["and"](t, f), [0, 1, 0])
    np.testing.assert_array_equal(FUNCTIONS["or"](f, m), [0, 1, 0])
    np.testing.assert_array_equal(FUNCTIONS["not"](f), [1, 0, 1])


def test_if_takes_the_else_branch_on_a_missing_condition_and_is_missing_without_one() -> None:
    np.testing.assert_array_equal(FUNCTIONS["if"](_f(1, 0, None), _f(10, 10, 10), _f(20, 20, 20)), [10, 20, 20])
    np.testing.assert_array_equal(FUNCTIONS["if"](_f(1, 0), _f(10, 10)), [10, NAN])
    assert FUNCTIONS["if"](_f(1, 0), _o("a", "a")).tolist() == ["a", None]


def test_membership_of_a_missing_value_is_in_no_set() -> None:
    a = _o("x", "1", None)
    np.testing.assert_array_equal(FUNCTIONS["isIn"](a, _o("x", 1.0, None), _o("y", "y", None)), [1, 1, 0])
    np.testing.assert_array_equal(FUNCTIONS["isNotIn"](a, _o("x", 1.0, None), _o("y", "y", None)), [0, 0, 1])


def test_erf_and_logistic() -> None:
    np.testing.assert_allclose(FUNCTIONS["erf"](_f(0.0, 0.5, -1.0)), [0.0, math.erf(0.5), math.erf(-1.0)], rtol=1e-15)
    np.testing.assert_allclose(FUNCTIONS["logistic"](_f(0.0, math.log(3.0))), [0.5, 0.75], rtol=1e-15)


def test_constant_columns() -> None:
    np.testing.assert_array_equal(constant(2, 3), [3.0, 3.0])
    np.testing.assert_array_equal(constant(2, None), [NAN, NAN])
    text = constant(2, "a")
    assert text.dtype == object and text.tolist() == ["a", "a"]
    assert constant(1, True).dtype == object  # a boolean stays a value, not 1.0


def test_call_fills_missing_arguments_and_defaults_missing_results() -> None:
    args = [_f(1, None, 1), _f(0, 1, 2)]
    np.testing.assert_array_equal(call("/", args, fill=None, default=None, n=3), [NAN, NAN, 0.5])
    np.testing.assert_array_equal(call("/", args, fill=None, default=-1.0, n=3), [-1, -1, 0.5])
    np.testing.assert_array_equal(call("/", args, fill=99.0, default=-1.0, n=3), [-1, 99, 0.5])


def test_interpolate_between_points_and_outliers() -> None:
    orig, norm = [0.0, 10.0, 20.0], [0.0, 1.0, 3.0]
    x = _f(5, 15, -10, 30, None)
    np.testing.assert_array_equal(interpolate(x, orig, norm, "asIs", None), [0.5, 2.0, -1.0, 5.0, NAN])
    np.testing.assert_array_equal(interpolate(x, orig, norm, "asMissingValues", None), [0.5, 2.0, NAN, NAN, NAN])
    np.testing.assert_array_equal(interpolate(x, orig, norm, "asExtremeValues", 7.0), [0.5, 2.0, 0.0, 3.0, 7.0])


def test_indicator_by_category_key() -> None:
    np.testing.assert_array_equal(indicator(_o("1", 1.0, "2", None), "1", None), [1, 1, 0, NAN])
    np.testing.assert_array_equal(indicator(_o("1", None), "1", 0.5), [1, 0.5])


def test_lookup_default_and_missing() -> None:
    table = [(("a", "1"), 10.0), (("b", "1"), 20.0)]
    got = lookup([_o("a", "b", "a", None), _o(1, "1", "2", "1")], table, default=-1.0, fill=0.0, numeric=True, n=4)
    np.testing.assert_array_equal(got, [10, 20, -1, 0])


@pytest.mark.parametrize(
    ("closure", "want"),
    [("closedOpen", ["low", "high", "high", "none"]), ("openClosed", ["low", "low", "high", "high"])],
)
def test_bins_closure(closure: str, want: list[str]) -> None:
    intervals = [(None, 1.0, closure, "low"), (1.0, 3.0, closure, "high")]
    got = bins(_f(0.5, 1.0, 2.0, 3.0), intervals, default="none", fill="gone", numeric=False)
    assert got.tolist() == want
    assert bins(_f(None), intervals, default="none", fill="gone", numeric=False).tolist() == ["gone"]


def test_casts() -> None:
    np.testing.assert_array_equal(CASTS["integer"](_f(-1.7, 1.7)), [-1, 1])
    assert CASTS["float"](_f(0.1))[0] == float(np.float32(0.1))
    assert CASTS["string"](_o(1, None, NAN)).tolist() == ["1", None, None]
