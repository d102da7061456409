"""The IR's predicate kernels: (TRUE, UNKNOWN) masks of comparisons, set membership and
PMML 4.4's three-valued and / or / xor / surrogate (the operations of interchange.ir.derive.predicates).

A comparison reading a missing value is UNKNOWN, except ``isMissing`` / ``isNotMissing``.
Categories compare as their keys (``interchange.batch.category_key``: 1, 1.0 and "1" are one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.ir.kernels.calls import as_numbers

__all__ = ["ORDERINGS", "always", "compare", "in_set", "combine_truths"]

ORDERINGS = {"lessThan": np.less, "lessOrEqual": np.less_equal, "greaterThan": np.greater, "greaterOrEqual": np.greater_equal}


def always(value: bool, n: int) -> tuple[np.ndarray, np.ndarray]:
    """TRUE (``value``) or FALSE for every row, never UNKNOWN."""
    return np.full(n, value, dtype=bool), np.zeros(n, dtype=bool)


def compare(col: np.ndarray, operator: str, value: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``col <operator> value``: ``value`` a float for the orderings, else a category key."""
    gone = missing_mask(col)
    if operator in ("isMissing", "isNotMissing"):
        return gone == (operator == "isMissing"), np.zeros(n, dtype=bool)
    if operator in ORDERINGS:
        x = as_numbers(col)
        gone = np.isnan(x)
        with np.errstate(invalid="ignore"):
            return ORDERINGS[operator](x, value) & ~gone, gone
    hit = np.array([category_key(v) for v in col.tolist()], dtype=object) == value
    return (hit if operator == "equal" else ~hit) & ~gone, gone


def in_set(col: np.ndarray, members: Any, negate: bool) -> tuple[np.ndarray, np.ndarray]:
    """``col``'s category key is (``negate``: is not) among ``members`` (keys)."""
    gone = missing_mask(col)
    wanted = set(members)
    hit = np.array([category_key(v) in wanted for v in col.tolist()], dtype=bool)
    return (~hit if negate else hit) & ~gone, gone


def combine_truths(operator: str, results: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """PMML 4.4's three-valued and / or / xor / surrogate over (TRUE, UNKNOWN) masks (also the fast path's)."""
    if operator == "surrogate":  # the first part that is not UNKNOWN decides
        t, u = results[0]
        for t2, u2 in results[1:]:
            t, u = np.where(u, t2, t), u & u2
        return t, u
    ts = np.array([r[0] for r in results]).reshape(len(results), n)
    us = np.array([r[1] for r in results]).reshape(len(results), n)
    if operator == "and":  # FALSE if any part is FALSE, else UNKNOWN if any is UNKNOWN
        t = np.asarray(ts.all(axis=0), dtype=bool)
        return t, ~t & ~(~ts & ~us).any(axis=0)
    if operator == "or":  # TRUE if any part is TRUE, else UNKNOWN if any is UNKNOWN
        t = np.asarray(ts.any(axis=0), dtype=bool)
        return t, ~t & us.any(axis=0)
    unknown = np.asarray(us.any(axis=0), dtype=bool)  # xor: UNKNOWN if any part is UNKNOWN, else an odd number TRUE
    return (ts.sum(axis=0) % 2 == 1) & ~unknown, unknown
