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

from interchange.batch import category_key
from interchange.errors import ModelError
from interchange.ir.graph import Env, Step
from interchange.ir.kernels.calls import as_numbers
from interchange.ir.kernels.truths import ORDERINGS, always, combine_truths, compare, in_set

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
_numbers = as_numbers  # (validity reads it under this name)


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


def _column(env: Env, name: str) -> np.ndarray:
    try:
        return np.asarray(env[name])
    except KeyError:
        raise ModelError(f"predicate reads column {name!r} that no earlier step or input defines") from None


def truth(pred: Predicate, env: Env, n: int) -> Truth:
    """(TRUE, UNKNOWN) masks of ``pred`` over the ``n`` rows of ``env``."""
    if isinstance(pred, Always):
        return always(pred.value, n)
    if isinstance(pred, Compare):
        ordering = pred.operator in ORDERINGS
        return compare(_column(env, pred.field), pred.operator, float(pred.value) if ordering else category_key(pred.value), n)
    if isinstance(pred, InSet):
        return in_set(_column(env, pred.field), [category_key(v) for v in pred.values], pred.negate)
    if isinstance(pred, Compound):
        return combine_truths(pred.operator, [truth(p, env, n) for p in pred.parts], n)
    raise ModelError(f"not an IR predicate: {type(pred).__name__}")


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
