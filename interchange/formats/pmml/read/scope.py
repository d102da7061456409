"""The evaluation context of the PMML fast path: named columns, derived fields on demand.

A :class:`Scope` is a dict of columns (float64 with NaN for missing numbers and booleans,
object arrays with None for missing text) that computes a derived field the first time it is
read and falls back to its parent scope, the way PMML nests LocalTransformations inside a
model inside a segment inside the TransformationDictionary's global fields.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from interchange.batch import category_key, is_missing

__all__ = ["Scope", "Fn", "num", "text", "java_text", "missing", "keys"]

Fn = Callable[["Scope"], np.ndarray]


class Scope(dict):
    """Columns of one batch in one PMML context; ``defs`` are computed when first read."""

    def __init__(self, columns: dict[str, np.ndarray], n: int, defs: dict[str, Fn] | None = None, parent: Scope | None = None):
        super().__init__(columns)
        self.n = n
        self.defs = defs or {}
        self.parent = parent
        self._busy: set[str] = set()

    def __missing__(self, key: str) -> np.ndarray:
        fn = self.defs.get(key)
        if fn is not None:
            if key in self._busy:
                raise KeyError(f"{key} (defined in terms of itself)")
            self._busy.add(key)
            try:
                value = fn(self)
            finally:
                self._busy.discard(key)
            self[key] = value
            return value
        if self.parent is not None:
            return self.parent[key]
        raise KeyError(key)

    def child(self, defs: dict[str, Fn] | None = None, columns: dict[str, np.ndarray] | None = None) -> Scope:
        return Scope(columns or {}, self.n, defs, self)


def missing(col: np.ndarray) -> np.ndarray:
    if col.dtype.kind == "f":
        return np.isnan(col)
    return np.array([is_missing(v) for v in col], dtype=bool)


def num(col: np.ndarray) -> np.ndarray:
    """A float64 view of a column; text that is not a number becomes missing."""
    if col.dtype.kind in "fiub":
        return col.astype(np.float64, copy=False)
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col):
        if not is_missing(v):
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                pass
    return out


def java_text(v: float) -> str:
    """A double as pypmml (Java/Scala) prints it: integral values without a fraction."""
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    if 1e-3 <= abs(v) < 1e7:
        return repr(float(v))
    mantissa, exponent = np.format_float_scientific(float(v), unique=True).split("e")
    return f"{mantissa}0E{int(exponent)}" if mantissa.endswith(".") else f"{mantissa}E{int(exponent)}"


def text(col: np.ndarray) -> np.ndarray:
    """An object column of text (None for missing); numbers printed the way pypmml prints them."""
    if col.dtype.kind != "f":
        return np.array([None if is_missing(v) else str(v) for v in col], dtype=object)
    out = np.empty(len(col), dtype=object)
    for i, v in enumerate(col):
        out[i] = None if v != v else java_text(v)
    return out


def keys(col: np.ndarray) -> np.ndarray:
    """Category keys (numbers and text compare as text: 1.0 and "1" are the same category)."""
    return np.array([category_key(v) for v in col], dtype=object)
