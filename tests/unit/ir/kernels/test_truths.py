"""PMML 4.4's three-valued predicates on plain columns: (TRUE, UNKNOWN) masks worked out by hand
from the specification's truth tables (§Predicates: SimplePredicate, SimpleSetPredicate,
CompoundPredicate)."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.kernels.truths import always, combine_truths, compare, in_set

T, F, U = (True, False), (False, False), (False, True)  # (TRUE, UNKNOWN) of one row


def _masks(*cells: tuple[bool, bool]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([c[0] for c in cells]), np.array([c[1] for c in cells])


def _cells(result: tuple[np.ndarray, np.ndarray]) -> list[tuple[bool, bool]]:
    return [(bool(t), bool(u)) for t, u in zip(*result, strict=True)]


def test_always() -> None:
    assert _cells(always(True, 2)) == [T, T]
    assert _cells(always(False, 1)) == [F]


def test_orderings_are_unknown_on_missing() -> None:
    col = np.array([1.0, 2.0, np.nan])
    assert _cells(compare(col, "lessThan", 2.0, 3)) == [T, F, U]
    assert _cells(compare(col, "greaterOrEqual", 2.0, 3)) == [F, T, U]


def test_missing_tests_are_never_unknown() -> None:
    col = np.array(["a", None], dtype=object)
    assert _cells(compare(col, "isMissing", None, 2)) == [F, T]
    assert _cells(compare(col, "isNotMissing", None, 2)) == [T, F]


def test_equality_compares_category_keys() -> None:
    col = np.array(["1", 2.0, None], dtype=object)
    assert _cells(compare(col, "equal", "1", 3)) == [T, F, U]
    assert _cells(compare(col, "notEqual", "1", 3)) == [F, T, U]


def test_set_membership() -> None:
    col = np.array(["a", 1.0, "c", None], dtype=object)  # the number 1.0 has key "1"; the text "1.0" would not
    members = {"a", "1"}
    assert _cells(in_set(col, members, negate=False)) == [T, T, F, U]
    assert _cells(in_set(col, members, negate=True)) == [F, F, T, U]


ALL = [T, F, U]
PAIRS = [(a, b) for a in ALL for b in ALL]


@pytest.mark.parametrize(
    ("operator", "table"),
    [
        # the specification's truth tables, row by row over (a, b) in (T, F, U) x (T, F, U)
        ("and", [T, F, U, F, F, F, U, F, U]),
        ("or", [T, T, T, T, F, U, T, U, U]),
        ("xor", [F, T, U, T, F, U, U, U, U]),
        ("surrogate", [T, T, T, F, F, F, T, F, U]),
    ],
)
def test_compound_truth_tables(operator: str, table: list[tuple[bool, bool]]) -> None:
    a = _masks(*(p[0] for p in PAIRS))
    b = _masks(*(p[1] for p in PAIRS))
    assert _cells(combine_truths(operator, [a, b], len(PAIRS))) == table
