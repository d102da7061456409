"""Expressions over columns: the IR's derived fields and let-bindings.

A :class:`Derive` step computes one named column from an expression tree of constants,
column references, function calls, piecewise-linear normalisation, category indicators,
table look-ups and interval bins: what PMML derived fields (NormContinuous, NormDiscrete,
MapValues, Discretize, Apply), PFA let-bindings and ONNX arithmetic graphs hold between the
raw inputs and a model. Every node is plain data, so writers can lower it into any format.

Missing values: numeric columns are float64 with NaN, text columns object arrays with None.
Arithmetic propagates a missing argument and turns non-finite results (x/0, log 0) into
missing, as PMML 4.4 and its reference runtimes do; the few functions that treat missing
otherwise say so in ``FUNCTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

import numpy as np

from interchange.batch import category_key
from interchange.errors import ModelError, RecordError
from interchange.ir.graph import Env, Step
from interchange.ir.kernels.calls import CASTS, FUNCTIONS, as_numbers, bins, call, constant, indicator, interpolate, lookup
from interchange.ir.kernels.dates import DATE_TYPES, zoned

__all__ = [
    "Const",
    "Ref",
    "Call",
    "Interpolate",
    "Indicator",
    "Lookup",
    "Bins",
    "Expr",
    "Derive",
    "FUNCTIONS",
    "evaluate_expr",
    "references",
]


@dataclass(frozen=True)
class Const:
    """A constant: a number, a text, or None (missing)."""

    value: Any


@dataclass(frozen=True)
class Ref:
    """The column ``name``."""

    name: str


@dataclass(frozen=True)
class Call:
    """``function(*args)`` from :data:`FUNCTIONS`.

    ``fill``: the result where any argument is missing (PMML mapMissingTo); ``default``: the
    result where the function gives a missing value (PMML defaultValue).
    """

    function: str
    args: tuple[Expr, ...]
    fill: Any = None
    default: Any = None


@dataclass(frozen=True)
class Interpolate:
    """Piecewise-linear map through points ``(orig[i], norm[i])`` (PMML NormContinuous).

    ``outliers`` beyond the end points: "asIs" extends the end pieces, "asMissingValues"
    gives missing, "asExtremeValues" clamps; ``fill`` replaces a missing input.
    """

    arg: Expr
    orig: tuple[float, ...]
    norm: tuple[float, ...]
    outliers: Literal["asIs", "asMissingValues", "asExtremeValues"] = "asIs"
    fill: float | None = None


@dataclass(frozen=True)
class Indicator:
    """1.0 where the argument equals ``value`` (as a category), else 0.0; missing -> ``fill``."""

    arg: Expr
    value: Any
    fill: float | None = None


@dataclass(frozen=True)
class Lookup:
    """The value of ``table`` at the categories of ``args`` (PMML MapValues, a one-hot table).

    Keys are tuples of category keys; an unlisted key gives ``default``; a missing argument
    gives ``fill``. ``numeric`` results are float64 columns, otherwise text.
    """

    args: tuple[Expr, ...]
    table: tuple[tuple[tuple[Any, ...], Any], ...]
    default: Any = None
    fill: Any = None
    numeric: bool = True


@dataclass(frozen=True)
class Bins:
    """The value of the first bin whose interval holds the argument (PMML Discretize).

    Each bin is ``(low, high, closure, value)``; None margins are unbounded; closure is one
    of "openClosed", "openOpen", "closedOpen", "closedClosed".
    """

    arg: Expr
    bins: tuple[tuple[float | None, float | None, str, Any], ...]
    default: Any = None
    fill: Any = None
    numeric: bool = True


Expr = Union[Const, Ref, Call, Interpolate, Indicator, Lookup, Bins]  # noqa: UP007 - a runtime alias (Python 3.11 has no `type`)


def evaluate_expr(expr: Expr, env: Env, n: int) -> np.ndarray:
    """The column ``expr`` computes over the ``n`` rows of ``env``."""
    if isinstance(expr, Const):
        return constant(n, expr.value)
    if isinstance(expr, Ref):
        try:
            return np.asarray(env[expr.name])
        except KeyError:
            raise ModelError(f"expression reads column {expr.name!r} that no earlier step or input defines") from None
    if isinstance(expr, Call):
        if expr.function not in FUNCTIONS:
            raise ModelError(f"unknown IR function {expr.function!r}")
        return call(expr.function, [evaluate_expr(a, env, n) for a in expr.args], expr.fill, expr.default, n)
    if isinstance(expr, Interpolate):
        return interpolate(as_numbers(evaluate_expr(expr.arg, env, n)), expr.orig, expr.norm, expr.outliers, expr.fill)
    if isinstance(expr, Indicator):
        return indicator(evaluate_expr(expr.arg, env, n), category_key(expr.value), expr.fill)
    if isinstance(expr, Lookup):
        cols = [evaluate_expr(a, env, n) for a in expr.args]
        return lookup(cols, expr.table, expr.default, expr.fill, expr.numeric, n)
    if isinstance(expr, Bins):
        return bins(as_numbers(evaluate_expr(expr.arg, env, n)), expr.bins, expr.default, expr.fill, expr.numeric)
    raise ModelError(f"not an IR expression: {type(expr).__name__}")


def references(expr: Expr) -> set[str]:
    """The column names ``expr`` reads."""
    if isinstance(expr, Ref):
        return {expr.name}
    if isinstance(expr, Const):
        return set()
    if isinstance(expr, (Call, Lookup)):
        return set().union(*(references(a) for a in expr.args)) if expr.args else set()
    return references(expr.arg)


def _refuse_zoned(col: np.ndarray, pmml_type: str, name: str) -> None:
    """A UTC offset makes the record bad: PMML 4.4 dates and times have no zone (JPMML-Evaluator refuses it as an
    invalid value; ir.kernels.dates.zoned)."""
    rows = np.flatnonzero(zoned(col, pmml_type))
    if len(rows):
        i = int(rows[0])
        why = f"carries a UTC offset, which a PMML 4.4 {pmml_type} does not hold (no time zone)"
        raise RecordError(f"value {col[i]!r} of field {name!r} {why}", field=name, row=i)


@dataclass(frozen=True)
class Derive(Step):
    """``outputs[0] = expression`` converted to ``type`` (None: as computed)."""

    outputs: tuple[str, ...]
    expression: Expr
    type: str | None = None

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(references(self.expression)))

    def apply(self, env: Env) -> None:
        n = getattr(env, "n", None)
        if n is None:
            n = len(next(iter(env.values()))) if env else 0
        col = evaluate_expr(self.expression, env, n)
        if self.type in DATE_TYPES:
            _refuse_zoned(col, self.type, self.outputs[0])
        env[self.outputs[0]] = CASTS[self.type](col) if self.type in CASTS else col
