"""The IR's expression kernels: functions over columns, derived-field casts, normalisation,
indicators, look-ups and bins (the operations of interchange.ir.derive.expressions, on plain values;
its docstring says how missing values go through them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.ir.kernels.dates import DATE_CASTS, DATE_FUNCTIONS
from interchange.ir.links import _ERF  # (the one vectorised math.erf)

__all__ = [
    "as_numbers",
    "FUNCTIONS",
    "constant",
    "call",
    "interpolate",
    "indicator",
    "lookup",
    "bins",
    "CASTS",
]


def as_numbers(col: np.ndarray) -> np.ndarray:
    """A column as float64: numbers as they are, text that parses, anything else NaN."""
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


def _truthy(col: np.ndarray) -> np.ndarray:
    x = as_numbers(col)
    return ~np.isnan(x) & (x != 0)


def _b(mask: np.ndarray) -> np.ndarray:
    return mask.astype(np.float64)


def _arith(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _clean(op(as_numbers(a), as_numbers(b)))

    return fn


def _unary(op: Callable[[np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _clean(op(as_numbers(a)))

    return fn


def _aggregate(name: str) -> Callable[..., np.ndarray]:
    """min max sum avg product over arguments, missing ones left out (all missing -> missing)."""

    def fn(*args: np.ndarray) -> np.ndarray:
        x = np.column_stack([as_numbers(a) for a in args])
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
    c = _truthy(cond)
    if no is None:
        no = np.full(len(c), np.nan) if yes.dtype.kind == "f" else np.full(len(c), None, dtype=object)
    if yes.dtype.kind == "f" and no.dtype.kind == "f":
        return np.where(c, yes, no)
    return np.where(c, yes.astype(object), no.astype(object))


def _compare(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _b(op(as_numbers(a), as_numbers(b)))  # a comparison with a missing value is false

    return fn


def _median_of(*args: np.ndarray) -> np.ndarray:
    """The median of the present arguments (pypmml leaves missing ones out; all missing -> missing)."""
    x = np.column_stack([as_numbers(a) for a in args])
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


def _logistic(a: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-as_numbers(a)))


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
    # PMML 4.4 trigonometric built-ins, in radians (PFA m.sin ..., Java Math.sin ...)
    "sin": _unary(np.sin),
    "cos": _unary(np.cos),
    "tan": _unary(np.tan),
    "asin": _unary(np.arcsin),
    "acos": _unary(np.arccos),
    "atan": _unary(np.arctan),
    "sinh": _unary(np.sinh),
    "cosh": _unary(np.cosh),
    "tanh": _unary(np.tanh),
    # PMML 4.4 expm1, ln1p (log1p), rint (half to even, Java Math.rint), hypot (without undue overflow)
    "expm1": _unary(np.expm1),
    "ln1p": _unary(np.log1p),
    "rint": _unary(np.rint),
    "hypot": _arith(np.hypot),
    "erf": _unary(lambda x: np.asarray(_ERF(x), dtype=np.float64)),  # PMML 4.4 erf (PFA's m.link.probit uses it)
    # Java Math.round (half up); a missing argument gives 0 (pypmml, measured)
    "round": lambda a: np.where(np.isnan(as_numbers(a)), 0.0, np.floor(as_numbers(a) + 0.5)),
    "min": _aggregate("min"),
    "max": _aggregate("max"),
    "sum": _aggregate("sum"),
    "avg": _aggregate("avg"),
    "product": _aggregate("product"),
    # threshold: a missing argument compares false (pypmml)
    "threshold": lambda a, b: _b(as_numbers(a) > as_numbers(b)),
    "isMissing": lambda a: _b(missing_mask(a)),
    "isNotMissing": lambda a: _b(~missing_mask(a)),
    "equal": lambda a, b: _b(_equal(a, b)),
    "notEqual": lambda a, b: _b(~_equal(a, b)),
    "lessThan": _compare(np.less),
    "lessOrEqual": _compare(np.less_equal),
    "greaterThan": _compare(np.greater),
    "greaterOrEqual": _compare(np.greater_equal),
    # a missing boolean counts as false in and / or / not (pypmml, measured)
    "and": lambda *a: _b(np.logical_and.reduce([_truthy(x) for x in a])),
    "or": lambda *a: _b(np.logical_or.reduce([_truthy(x) for x in a])),
    "not": lambda a: _b(~_truthy(a)),
    "if": _if,
    "median": _median_of,
    "isIn": _member(True),
    "isNotIn": _member(False),
    **DATE_FUNCTIONS,  # PMML 4.4 dates and times over the IR's date columns (ir.kernels.dates)
}


def constant(n: int, value: Any) -> np.ndarray:
    """A column of ``n`` copies of ``value``: float64 for a number or None, else object."""
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


def call(function: str, args: list[np.ndarray], fill: Any, default: Any, n: int) -> np.ndarray:
    """``FUNCTIONS[function](*args)``; ``default`` where it gives missing, ``fill`` where an argument is missing."""
    out = FUNCTIONS[function](*args)
    if default is not None:
        out = _replace(out, missing_mask(out), default)
    if fill is not None:
        gone = np.zeros(n, dtype=bool)
        for a in args:
            gone |= missing_mask(a)
        out = _replace(out, gone, fill)
    return out


def interpolate(x: np.ndarray, orig: Any, norm: Any, outliers: str, fill: float | None) -> np.ndarray:
    """Piecewise-linear map of ``x`` through points ``(orig[i], norm[i])`` (PMML NormContinuous)."""
    orig, norm = np.asarray(orig), np.asarray(norm)
    k = np.clip(np.searchsorted(orig, x, side="right") - 1, 0, len(orig) - 2)
    y = norm[k] + (x - orig[k]) * (norm[k + 1] - norm[k]) / (orig[k + 1] - orig[k])
    low, high = x < orig[0], x > orig[-1]
    if outliers == "asMissingValues":
        y = np.where(low | high, np.nan, y)
    elif outliers == "asExtremeValues":
        y = np.where(low, norm[0], np.where(high, norm[-1], y))
    return y if fill is None else np.where(np.isnan(x), fill, y)


def indicator(col: np.ndarray, key: Any, fill: float | None) -> np.ndarray:
    """1.0 where ``col``'s category key is ``key``, else 0.0; missing -> ``fill`` (PMML NormDiscrete)."""
    gone = missing_mask(col)
    hit = np.array([category_key(v) == key for v in col.tolist()], dtype=bool)
    out = np.where(gone, np.nan, hit.astype(np.float64))
    return out if fill is None else np.where(gone, fill, out)


def lookup(cols: list[np.ndarray], table: Any, default: Any, fill: Any, numeric: bool, n: int) -> np.ndarray:
    """``table`` (pairs of a key tuple and a value) at the category keys of ``cols`` (PMML MapValues)."""
    gone = np.zeros(n, dtype=bool)
    for c in cols:
        gone |= missing_mask(c)
    found = dict(table)
    rows = zip(*([category_key(v) for v in c.tolist()] for c in cols), strict=True)
    return _result([fill if gone[i] else found.get(k, default) for i, k in enumerate(rows)], numeric)


def bins(x: np.ndarray, intervals: Any, default: Any, fill: Any, numeric: bool) -> np.ndarray:
    """The value of the first ``(low, high, closure, value)`` interval holding ``x`` (PMML Discretize)."""
    out: list[Any] = [default] * len(x)
    todo = ~np.isnan(x)
    for low, high, closure, value in intervals:
        ok = todo.copy()
        if low is not None:
            ok &= (x >= low) if closure.startswith("closed") else (x > low)
        if high is not None:
            ok &= (x <= high) if closure.endswith("Closed") else (x < high)
        for i in np.flatnonzero(ok):
            out[i] = value
        todo &= ~ok
    for i in np.flatnonzero(np.isnan(x)):
        out[i] = fill
    return _result(out, numeric)


# a derived field's declared type (PMML dataType); another type leaves the column as computed
CASTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "double": as_numbers,
    "float": lambda c: as_numbers(c).astype(np.float32).astype(np.float64),  # a float32 value, held as float64
    "integer": lambda c: np.trunc(as_numbers(c)),  # towards zero (pypmml, measured: -1.7 -> -1)
    "boolean": as_numbers,
    "string": lambda c: np.array([None if v is None or v != v else str(v) for v in c.tolist()], dtype=object),
    **DATE_CASTS,  # a date / time input read into the IR's unit for its PMML type (ir.kernels.dates)
}
