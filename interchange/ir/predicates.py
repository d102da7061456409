"""Predicates over columns with three-valued logic: which segment, rule or scorecard bin a row takes.

PMML 4.4 §Predicates (SimplePredicate, SimpleSetPredicate, CompoundPredicate, True / False)
are plain data here, so any writer can lower them. :func:`truth` gives two boolean masks per
batch, (TRUE, UNKNOWN); FALSE is neither. A comparison reading a missing value is UNKNOWN,
except ``isMissing`` / ``isNotMissing``. Categories compare as text (1, 1.0 and "1" are one
category), the way the IR's indicators do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.errors import ModelError
from interchange.ir.graph import Env, Step

__all__ = [
    "PredicateColumn",
    "Always",
    "Compare",
    "InSet",
    "Compound",
    "Predicate",
    "truth",
    "combine_truths",
    "predicate_fields",
    "Truth",
]

Truth = tuple[np.ndarray, np.ndarray]
Operator = Literal["equal", "notEqual", "lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual", "isMissing", "isNotMissing"]
_ORDER = {"lessThan": np.less, "lessOrEqual": np.less_equal, "greaterThan": np.greater, "greaterOrEqual": np.greater_equal}


@dataclass(frozen=True)
class Always:
    """TRUE (``value``) or FALSE for every row."""

    value: bool


@dataclass(frozen=True)
class Compare:
    """``field <operator> value``; ``value`` is a number for the ordering operators."""

    field: str
    operator: Operator
    value: Any = None


@dataclass(frozen=True)
class InSet:
    """``field`` is (``negate``: is not) one of ``values`` (categories)."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False


@dataclass(frozen=True)
class Compound:
    """and / or / xor over ``parts``, or surrogate: the first part that is not UNKNOWN decides."""

    operator: Literal["and", "or", "xor", "surrogate"]
    parts: tuple[Predicate, ...]


Predicate = Union[Always, Compare, InSet, Compound]  # noqa: UP007 - a runtime alias


def _keys(col: np.ndarray) -> np.ndarray:
    return np.array([category_key(v) for v in col.tolist()], dtype=object)


def _numbers(col: np.ndarray) -> np.ndarray:
    if col.dtype.kind in "fiub":
        return col.astype(np.float64, copy=False)
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col.tolist()):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            pass
    return out


def _column(env: Env, name: str) -> np.ndarray:
    try:
        return np.asarray(env[name])
    except KeyError:
        raise ModelError(f"predicate reads column {name!r} that no earlier step or input defines") from None


def truth(pred: Predicate, env: Env, n: int) -> Truth:
    """(TRUE, UNKNOWN) masks of ``pred`` over the ``n`` rows of ``env``."""
    if isinstance(pred, Always):
        return np.full(n, pred.value, dtype=bool), np.zeros(n, dtype=bool)
    if isinstance(pred, Compare):
        col = _column(env, pred.field)
        gone = missing_mask(col)
        if pred.operator in ("isMissing", "isNotMissing"):
            return gone == (pred.operator == "isMissing"), np.zeros(n, dtype=bool)
        if pred.operator in _ORDER:
            x = _numbers(col)
            gone = np.isnan(x)
            with np.errstate(invalid="ignore"):
                return _ORDER[pred.operator](x, float(pred.value)) & ~gone, gone
        hit = _keys(col) == category_key(pred.value)
        return (hit if pred.operator == "equal" else ~hit) & ~gone, gone
    if isinstance(pred, InSet):
        col = _column(env, pred.field)
        gone = missing_mask(col)
        members = {category_key(v) for v in pred.values}
        hit = np.array([k in members for k in _keys(col).tolist()], dtype=bool)
        return (~hit if pred.negate else hit) & ~gone, gone
    if isinstance(pred, Compound):
        return _compound(pred, env, n)
    raise ModelError(f"not an IR predicate: {type(pred).__name__}")


def _compound(pred: Compound, env: Env, n: int) -> Truth:
    return combine_truths(pred.operator, [truth(p, env, n) for p in pred.parts], n)


def combine_truths(operator: str, results: list[Truth], n: int) -> Truth:
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


def predicate_fields(pred: Predicate) -> list[str]:
    """The columns ``pred`` reads, in first-use order."""
    if isinstance(pred, (Compare, InSet)):
        return [pred.field]
    if isinstance(pred, Compound):
        return list(dict.fromkeys(f for p in pred.parts for f in predicate_fields(p)))
    return []


@dataclass(frozen=True)
class PredicateColumn(Step):
    """A step writing ``predicate`` as a number column: 1.0 TRUE, 0.0 FALSE, NaN UNKNOWN.

    A tree split on a category, a set or a compound predicate is a numeric split of this column
    at 0.5, with UNKNOWN routed as the tree routes a missing value.
    """

    name: str
    predicate: Predicate

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(predicate_fields(self.predicate))

    @property
    def outputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.name,)

    def apply(self, env: Env) -> None:
        n = len(next(iter(env.values()), ())) if getattr(env, "n", None) is None else int(env.n)  # type: ignore[attr-defined]
        t, u = truth(self.predicate, env, n)
        env[self.name] = np.where(u, np.nan, t.astype(np.float64))
