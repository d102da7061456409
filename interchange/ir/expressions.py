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

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Union

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.errors import ModelError
from interchange.ir.graph import Env, Step

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


def _num(col: np.ndarray) -> np.ndarray:
    if col.dtype.kind in "fiub":
        return col.astype(np.float64, copy=False)
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col.tolist()):
        if v is not None:
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                pass
    return out


def _clean(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), x, np.nan)


def _truth(col: np.ndarray) -> np.ndarray:
    x = _num(col)
    return ~np.isnan(x) & (x != 0)


def _b(mask: np.ndarray) -> np.ndarray:
    return mask.astype(np.float64)


def _arith(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _clean(op(_num(a), _num(b)))

    return fn


def _unary(op: Callable[[np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _clean(op(_num(a)))

    return fn


def _aggregate(name: str) -> Callable[..., np.ndarray]:
    """min max sum avg product over arguments, missing ones left out (all missing -> missing)."""

    def fn(*args: np.ndarray) -> np.ndarray:
        x = np.column_stack([_num(a) for a in args])
        gone = np.isnan(x)
        none = gone.all(axis=1)
        with np.errstate(all="ignore"):
            if name == "min":
                out = np.where(gone, np.inf, x).min(axis=1)
            elif name == "max":
                out = np.where(gone, -np.inf, x).max(axis=1)
            elif name == "sum":
                out = np.where(gone, 0.0, x).sum(axis=1)
            elif name == "avg":
                out = np.where(gone, 0.0, x).sum(axis=1) / np.maximum((~gone).sum(axis=1), 1)
            else:
                out = np.where(gone, 1.0, x).prod(axis=1)
        return np.where(none, np.nan, _clean(out))

    return fn


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two missing values are equal, one missing value equals nothing (PMML 4.4 reference runtimes)."""
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return np.array([category_key(x) == category_key(y) for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)


def _if(cond: np.ndarray, yes: np.ndarray, no: np.ndarray | None = None) -> np.ndarray:
    """A missing condition takes the else branch (pypmml, measured)."""
    c = _truth(cond)
    if no is None:
        no = np.full(len(c), np.nan) if yes.dtype.kind == "f" else np.full(len(c), None, dtype=object)
    if yes.dtype.kind == "f" and no.dtype.kind == "f":
        return np.where(c, yes, no)
    return np.where(c, yes.astype(object), no.astype(object))


def _compare(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _b(op(_num(a), _num(b)))  # a comparison with a missing value is false

    return fn


def _median(*args: np.ndarray) -> np.ndarray:
    """The median of the present arguments (pypmml leaves missing ones out; all missing -> missing)."""
    x = np.column_stack([_num(a) for a in args])
    ordered, count = np.sort(x, axis=1), (~np.isnan(x)).sum(axis=1)  # NaN sorts last
    rows, low = np.arange(len(x)), np.maximum(count - 1, 0) // 2
    with np.errstate(all="ignore"):
        mid = (ordered[rows, low] + ordered[rows, np.maximum(count, 1) // 2]) / 2.0
    return np.where(count > 0, _clean(mid), np.nan)


def _member(want: bool) -> Callable[..., np.ndarray]:
    """isIn / isNotIn: the first argument's category among the others'; a missing one is in no set
    (pypmml: isIn gives 0, isNotIn 1)."""

    def fn(a: np.ndarray, *values: np.ndarray) -> np.ndarray:
        pools = zip(*([category_key(v) for v in col.tolist()] for col in values), strict=True)
        hits = [k is not None and k in pool for k, pool in zip((category_key(v) for v in a.tolist()), pools, strict=True)]
        return _b(np.array(hits, dtype=bool) == want)

    return fn


_ERF = np.frompyfunc(math.erf, 1, 1)


def _logistic(a: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-_num(a)))


FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "+": _arith(np.add),
    "-": _arith(np.subtract),
    "*": _arith(np.multiply),
    "/": _arith(np.divide),
    "pow": _arith(np.power),
    "mod": _arith(np.mod),  # the sign of the divisor (PFA %, Python %)
    "rem": _arith(np.fmod),  # the sign of the dividend (PFA %%)
    "neg": _unary(np.negative),
    "exp": _unary(np.exp),
    "ln": _unary(np.log),
    "log10": _unary(np.log10),
    "sqrt": _unary(np.sqrt),
    "abs": _unary(np.abs),
    "floor": _unary(np.floor),
    "ceil": _unary(np.ceil),
    "logistic": _logistic,
    "tanh": _unary(np.tanh),
    "erf": _unary(lambda x: np.asarray(_ERF(x), dtype=np.float64)),  # PMML 4.4 erf (PFA's m.link.probit uses it)
    # Java Math.round (half up); a missing argument gives 0 (pypmml, measured)
    "round": lambda a: np.where(np.isnan(_num(a)), 0.0, np.floor(_num(a) + 0.5)),
    "min": _aggregate("min"),
    "max": _aggregate("max"),
    "sum": _aggregate("sum"),
    "avg": _aggregate("avg"),
    "product": _aggregate("product"),
    # threshold: a missing argument compares false (pypmml)
    "threshold": lambda a, b: _b(_num(a) > _num(b)),
    "isMissing": lambda a: _b(missing_mask(a)),
    "isNotMissing": lambda a: _b(~missing_mask(a)),
    "equal": lambda a, b: _b(_equal(a, b)),
    "notEqual": lambda a, b: _b(~_equal(a, b)),
    "lessThan": _compare(np.less),
    "lessOrEqual": _compare(np.less_equal),
    "greaterThan": _compare(np.greater),
    "greaterOrEqual": _compare(np.greater_equal),
    # a missing boolean counts as false in and / or / not (pypmml, measured)
    "and": lambda *a: _b(np.logical_and.reduce([_truth(x) for x in a])),
    "or": lambda *a: _b(np.logical_or.reduce([_truth(x) for x in a])),
    "not": lambda a: _b(~_truth(a)),
    "if": _if,
    "median": _median,
    "isIn": _member(True),
    "isNotIn": _member(False),
}


def _const(n: int, value: Any) -> np.ndarray:
    if value is None or isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return np.full(n, np.nan if value is None else float(value))
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def _result(values: list[Any], numeric: bool) -> np.ndarray:
    if numeric:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _replace(col: np.ndarray, where: np.ndarray, value: Any) -> np.ndarray:
    if col.dtype.kind == "f" and (value is None or isinstance(value, (int, float))):
        return np.where(where, np.nan if value is None else float(value), col)
    out = col.astype(object).copy()
    out[where] = value
    return out


def evaluate_expr(expr: Expr, env: Env, n: int) -> np.ndarray:
    """The column ``expr`` computes over the ``n`` rows of ``env``."""
    if isinstance(expr, Const):
        return _const(n, expr.value)
    if isinstance(expr, Ref):
        try:
            return np.asarray(env[expr.name])
        except KeyError:
            raise ModelError(f"expression reads column {expr.name!r} that no earlier step or input defines") from None
    if isinstance(expr, Call):
        fn = FUNCTIONS.get(expr.function)
        if fn is None:
            raise ModelError(f"unknown IR function {expr.function!r}")
        args = [evaluate_expr(a, env, n) for a in expr.args]
        out = fn(*args)
        if expr.default is not None:
            out = _replace(out, missing_mask(out), expr.default)
        if expr.fill is not None:
            gone = np.zeros(n, dtype=bool)
            for a in args:
                gone |= missing_mask(a)
            out = _replace(out, gone, expr.fill)
        return out
    if isinstance(expr, Interpolate):
        return _interpolate(expr, _num(evaluate_expr(expr.arg, env, n)))
    if isinstance(expr, Indicator):
        col = evaluate_expr(expr.arg, env, n)
        gone = missing_mask(col)
        key = category_key(expr.value)
        hit = np.array([category_key(v) == key for v in col.tolist()], dtype=bool)
        out = np.where(gone, np.nan, hit.astype(np.float64))
        return out if expr.fill is None else np.where(gone, expr.fill, out)
    if isinstance(expr, Lookup):
        cols = [evaluate_expr(a, env, n) for a in expr.args]
        gone = np.zeros(n, dtype=bool)
        for c in cols:
            gone |= missing_mask(c)
        table = dict(expr.table)
        rows = zip(*([category_key(v) for v in c.tolist()] for c in cols), strict=True)
        return _result([expr.fill if gone[i] else table.get(k, expr.default) for i, k in enumerate(rows)], expr.numeric)
    if isinstance(expr, Bins):
        return _bins(expr, _num(evaluate_expr(expr.arg, env, n)))
    raise ModelError(f"not an IR expression: {type(expr).__name__}")


def _interpolate(e: Interpolate, x: np.ndarray) -> np.ndarray:
    orig, norm = np.asarray(e.orig), np.asarray(e.norm)
    k = np.clip(np.searchsorted(orig, x, side="right") - 1, 0, len(orig) - 2)
    y = norm[k] + (x - orig[k]) * (norm[k + 1] - norm[k]) / (orig[k + 1] - orig[k])
    low, high = x < orig[0], x > orig[-1]
    if e.outliers == "asMissingValues":
        y = np.where(low | high, np.nan, y)
    elif e.outliers == "asExtremeValues":
        y = np.where(low, norm[0], np.where(high, norm[-1], y))
    return y if e.fill is None else np.where(np.isnan(x), e.fill, y)


def _bins(e: Bins, x: np.ndarray) -> np.ndarray:
    out: list[Any] = [e.default] * len(x)
    todo = ~np.isnan(x)
    for low, high, closure, value in e.bins:
        ok = todo.copy()
        if low is not None:
            ok &= (x >= low) if closure.startswith("closed") else (x > low)
        if high is not None:
            ok &= (x <= high) if closure.endswith("Closed") else (x < high)
        for i in np.flatnonzero(ok):
            out[i] = value
        todo &= ~ok
    for i in np.flatnonzero(np.isnan(x)):
        out[i] = e.fill
    return _result(out, e.numeric)


def references(expr: Expr) -> set[str]:
    """The column names ``expr`` reads."""
    if isinstance(expr, Ref):
        return {expr.name}
    if isinstance(expr, Const):
        return set()
    if isinstance(expr, (Call, Lookup)):
        return set().union(*(references(a) for a in expr.args)) if expr.args else set()
    return references(expr.arg)


_CASTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "double": _num,
    "float": lambda c: _num(c).astype(np.float32).astype(np.float64),  # a float32 value, held as float64
    "integer": lambda c: np.trunc(_num(c)),  # towards zero (pypmml, measured: -1.7 -> -1)
    "boolean": _num,
    "string": lambda c: np.array([None if v is None or v != v else str(v) for v in c.tolist()], dtype=object),
}


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
        env[self.outputs[0]] = _CASTS[self.type](col) if self.type in _CASTS else col
