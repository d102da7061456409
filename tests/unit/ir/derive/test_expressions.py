"""The IR expression layer: each node kind against values computed by hand, missing values included."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Indicator, Interpolate, Lookup, Ref, evaluate_expr

NAN = float("nan")
ENV = {"x": np.array([1.0, -2.0, NAN, 4.0]), "c": np.array(["a", "b", None, "a"], dtype=object)}


def _eq(a: np.ndarray, b: list) -> None:
    np.testing.assert_array_equal(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


def test_arithmetic_propagates_missing_and_division_by_zero_is_missing() -> None:
    _eq(evaluate_expr(Call("+", (Ref("x"), Const(1.0))), ENV, 4), [2.0, -1.0, NAN, 5.0])
    _eq(evaluate_expr(Call("/", (Const(1.0), Call("-", (Ref("x"), Const(1.0))))), ENV, 4), [NAN, -1 / 3, NAN, 1 / 3])


def test_fill_and_default() -> None:
    # fill: any missing argument gives it; default: a missing result gives it
    _eq(evaluate_expr(Call("*", (Ref("x"), Const(2.0)), fill=0.0), ENV, 4), [2.0, -4.0, 0.0, 8.0])
    _eq(evaluate_expr(Call("ln", (Ref("x"),), default=-1.0), ENV, 4), [0.0, -1.0, -1.0, np.log(4.0)])


def test_if_missing_condition_takes_else_and_aggregates_skip_missing() -> None:
    cond = Call("greaterThan", (Ref("x"), Const(0.0)))
    _eq(evaluate_expr(Call("if", (cond, Const(1.0), Const(-1.0))), ENV, 4), [1.0, -1.0, -1.0, 1.0])
    _eq(evaluate_expr(Call("max", (Ref("x"), Const(0.0))), ENV, 4), [1.0, 0.0, 0.0, 4.0])
    _eq(evaluate_expr(Call("isMissing", (Ref("c"),)), ENV, 4), [0.0, 0.0, 1.0, 0.0])


def test_interpolate_outliers() -> None:
    e = Interpolate(Ref("x"), (0.0, 2.0), (0.0, 1.0), "asIs", fill=9.0)
    _eq(evaluate_expr(e, ENV, 4), [0.5, -1.0, 9.0, 2.0])
    _eq(evaluate_expr(Interpolate(Ref("x"), (0.0, 2.0), (0.0, 1.0), "asExtremeValues"), ENV, 4), [0.5, 0.0, NAN, 1.0])
    _eq(evaluate_expr(Interpolate(Ref("x"), (0.0, 2.0), (0.0, 1.0), "asMissingValues"), ENV, 4), [0.5, NAN, NAN, NAN])


def test_indicator_lookup_bins() -> None:
    _eq(evaluate_expr(Indicator(Ref("c"), "a"), ENV, 4), [1.0, 0.0, NAN, 1.0])
    _eq(evaluate_expr(Indicator(Ref("c"), "a", 0.0), ENV, 4), [1.0, 0.0, 0.0, 1.0])
    table = ((("a",), 10.0), (("b",), 20.0))
    _eq(evaluate_expr(Lookup((Ref("c"),), table, default=0.0, fill=-1.0), ENV, 4), [10.0, 20.0, -1.0, 10.0])
    bins = Bins(Ref("x"), ((None, 0.0, "openOpen", "neg"), (0.0, None, "closedOpen", "pos")), numeric=False)
    assert list(evaluate_expr(bins, ENV, 4)) == ["pos", "neg", None, "pos"]


def test_derive_casts_and_names_its_inputs() -> None:
    step = Derive(("y",), Call("*", (Ref("x"), Const(-1.7))), "integer")
    env = dict(ENV)
    step.apply(env)
    _eq(env["y"], [-1.0, 3.0, NAN, -6.0])
    assert step.inputs == ("x",)


def test_unknown_column_and_function_are_model_errors() -> None:
    with pytest.raises(ModelError, match="nope"):
        evaluate_expr(Ref("nope"), ENV, 4)
    with pytest.raises(ModelError, match="frobnicate"):
        evaluate_expr(Call("frobnicate", (Ref("x"),)), ENV, 4)


def test_median_leaves_missing_arguments_out() -> None:
    # rows: (1, 0, 5) -> 1; (-2, 0, 5) -> 0; (missing, 0, 5) -> 2.5 (two present); (4, 0, 5) -> 4
    _eq(evaluate_expr(Call("median", (Ref("x"), Const(0.0), Const(5.0))), ENV, 4), [1.0, 0.0, 2.5, 4.0])
    _eq(evaluate_expr(Call("median", (Ref("x"),)), ENV, 4), [1.0, -2.0, NAN, 4.0])


def test_membership_of_a_category_missing_in_no_set() -> None:
    _eq(evaluate_expr(Call("isIn", (Ref("c"), Const("a"), Const("z"))), ENV, 4), [1.0, 0.0, 0.0, 1.0])
    _eq(evaluate_expr(Call("isNotIn", (Ref("c"), Const("a"))), ENV, 4), [0.0, 1.0, 1.0, 0.0])
