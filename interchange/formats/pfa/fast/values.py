"""Values in flight while a compiled PFA action runs: the batch (``Run``), type conversions, branches.

Split from ``fast.compile`` (which turns expressions into closures) so that module keeps to the
compiler; everything here is re-exported there. ``Run.fail`` records where titus2 would raise for
a record; ``choose``/``masked_only`` evaluate branches under row masks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.types import (
    NULL,
    STRING,
    NotCovered,
    Nullable,
    Opaque,
    Opt,
    Prim,
    is_num,
    where,
)

__all__ = [
    "Run",
    "Failed",
    "accepts",
    "convert",
    "coerce",
    "merge_types",
    "const",
    "opaque_field",
    "map_get",
    "choose",
    "masked_only",
    "filler",
]

Compiled = tuple[Callable[["Run"], Any], Any]


class Failed(Exception):
    """The one record of a strict run raises here, where titus2 stops it (``Run.strict``)."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class Run:
    """One batch being evaluated: variable slots, the active-row mask and errors raised so far.

    ``strict``: a batch of one record whose evaluation stops at its first error (raising
    ``Failed``), as titus2 stops; documents that write cells or pools run that way, so no write
    after the failing point happens."""

    def __init__(self, n: int, strict: bool = False) -> None:
        self.n = n
        self.strict = strict
        self.env: dict[int, Any] = {}
        self.active: Any = None
        self.errors: list[tuple[Any, int, str, str | None]] = []

    def fail(self, cond: Any, depth: int, message: str, field: str | None = None) -> None:
        """Rows (of the active ones) where ``cond`` holds raise ``message`` in titus2."""
        mask = np.asarray(cond) if self.active is None else (np.asarray(self.active) & cond)
        if mask.any():
            if self.strict:
                raise Failed(message, field)
            self.errors.append((mask, depth, message, field))

    def masked(self, mask: Any) -> Any:
        """Narrow the active rows; returns the previous mask for ``restore``."""
        before = self.active
        self.active = mask if before is None else (before & mask)
        return before


def accepts(t: Any, a: Any) -> bool:
    return t == a or (isinstance(t, Opt) and (a == t.inner or a == NULL)) or (is_num(t) and is_num(a) and _wider(t, a))


def _wider(t: Prim, a: Prim) -> bool:
    order = ("int", "long", "float", "double")
    return order.index(t.name) >= order.index(a.name)


def convert(v: Any, a: Any, t: Any) -> Any:
    """A value of type ``a`` as type ``t`` (numeric widening, wrapping into a nullable union)."""
    if a == t:
        return v
    if isinstance(t, Opt) and a == NULL:
        return Nullable(np.zeros((), dtype=np.float64) if is_num(t.inner) else np.array(None, dtype=object), np.array(True))
    if isinstance(t, Opt) and a == t.inner:
        return Nullable(v, np.array(False))
    if is_num(t) and is_num(a):
        return np.asarray(v).astype(np.float64 if t.name in ("float", "double") else np.int64)
    raise NotCovered(f"cannot use {a} as {t}")


def coerce(fn: Callable[[Run], Any], a: Any, t: Any) -> Callable[[Run], Any]:
    if a == t:
        return fn
    if not accepts(t, a):
        raise NotCovered(f"cannot use {a} as {t}")
    return lambda rt: convert(fn(rt), a, t)


def merge_types(a: Any, b: Any) -> Any:
    """Type of ``if``/``cond`` with two branches."""
    if a == b:
        return a
    if a == NULL and not isinstance(b, Opt):
        return Opt(b) if not isinstance(b, Opaque) else _no(a, b)
    if b == NULL and not isinstance(a, Opt):
        return Opt(a) if not isinstance(a, Opaque) else _no(a, b)
    if isinstance(a, Opt) and (b == a.inner or b == NULL):
        return a
    if isinstance(b, Opt) and (a == b.inner or a == NULL):
        return b
    return _no(a, b)


def _no(a: Any, b: Any) -> Any:
    raise NotCovered(f"branches of types {a} and {b}")


def filler(t: Any) -> Any:
    if isinstance(t, Prim) and is_num(t):
        return np.zeros(())
    raise NotCovered("index into an empty array of non-numbers")


def const(v: Any, t: Any) -> Compiled:
    value = v if isinstance(v, (np.ndarray, dict, Nullable)) else np.array(v, dtype=object if t in (STRING, NULL) else None)
    return (lambda rt: value), t


def opaque_field(v: Any, key: str, ft: Any) -> Any:
    """A primitive field of recursive records: a walker's gathered view (dict) or opaque values."""
    if isinstance(v, dict):
        return v[key]
    arr = np.asarray(v, dtype=object)
    out = np.array([x[key] for x in arr.reshape(-1)], dtype=object).reshape(arr.shape)
    return out.astype(np.float64 if ft.name in ("float", "double") else np.int64) if is_num(ft) else out


def map_get(fn: Callable[[Run], Any], kf: Callable[[Run], Any], vt: Any, depth: int) -> Callable[[Run], Any]:
    """``m[key]`` per row (a map is an object array of dicts, ``fast.library.collections.boxed``)."""
    from interchange.formats.pfa.fast.library.collections.boxed import layout

    def get(rt: Run) -> Any:
        m = np.asarray(fn(rt), dtype=object)
        keys = np.asarray(kf(rt), dtype=object)
        found = np.asarray(np.frompyfunc(lambda t, k: k in t, 2, 1)(m, keys), dtype=bool)
        rt.fail(~found, depth, "map key not found")
        out = np.frompyfunc(lambda t, k: t.get(k), 2, 1)(m, keys)
        if not isinstance(out, np.ndarray):
            box = np.empty((), dtype=object)
            box[()] = out
            out = box
        return layout(out, found, vt)

    return get


def masked_only(
    cf: Callable[[Run], Any], tf: Callable[[Run], Any], ef: Callable[[Run], Any] | None = None
) -> Callable[[Run], Any]:
    """A one-armed if (statement): run ``then`` on rows where the condition holds, ``else`` elsewhere."""

    def run(rt: Run) -> Any:
        c = np.asarray(cf(rt), dtype=bool)
        before = rt.masked(c)
        try:
            tf(rt)
        finally:
            rt.active = before
        if ef is not None:
            before = rt.masked(~c)
            try:
                ef(rt)
            finally:
                rt.active = before
        return None

    return run


def choose(cf: Callable[[Run], Any], tf: Callable[[Run], Any], ef: Callable[[Run], Any], t: Any) -> Callable[[Run], Any]:
    def run(rt: Run) -> Any:
        c = np.asarray(cf(rt), dtype=bool)
        before = rt.masked(c)
        try:
            a = tf(rt)
        finally:
            rt.active = before
        before = rt.masked(~c)
        try:
            b = ef(rt)
        finally:
            rt.active = before
        return where(c, a, b, t) if t != NULL else None

    return run
