"""Avro types of a PFA document and how the fast path lays their values out in numpy.

A value of a PFA type is held for a whole batch at once ("struct of arrays"):

- numbers, booleans, strings, enums: one ndarray (float64 / int64 / bool / object);
- ``array<T>``: T's layout with one more axis on every leaf, placed just before T's own axes;
- records: a dict of field layouts; ``union<null, T>``: :class:`Nullable` (T's layout + a mask);
- anything else a document may hold read-only (recursive records such as tree nodes, maps,
  other unions): an object ndarray of the Python values titus2 would see ("opaque").

Leaves have the shape ``(n, *lanes, *own)``: ``n`` rows, one lane axis per enclosing ``a.map``
style function call, then the value's own array axes. Constants (cells, literals) omit the row
axis and broadcast from the right, so they never have to be copied per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NotCovered", "RaggedConstant", "Defer", "Prim", "Arr", "Opt", "Rec", "EnumT", "Opaque", "Nullable", "Types"]


class NotCovered(Exception):
    """The document uses something the fast path does not implement exactly (load falls back to titus2)."""


class RaggedConstant(NotCovered):
    """An array constant whose elements have different shapes (no rectangular layout); only
    functions that take such constants whole (``model.neural.simpleLayers``) may use it."""


class Defer(Exception):
    """A batch hits a rare case the fast path does not mirror exactly; titus2 evaluates that batch."""


@dataclass(frozen=True)
class Prim:
    name: str  # null boolean int long float double string bytes


@dataclass(frozen=True)
class Arr:
    items: Any


@dataclass(frozen=True)
class Opt:
    """``union<null, inner>``."""

    inner: Any


@dataclass(frozen=True)
class EnumT:
    name: str
    symbols: tuple[str, ...]


@dataclass(frozen=True)
class Opaque:
    """A type whose values the fast path only passes around (tree nodes, maps, general unions)."""

    kind: str
    avro: Any = None
    members: tuple[Any, ...] = ()


class Rec:
    """A record type; equal by name. ``recursive`` records are laid out opaque."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[str, Any] = {}
        self.recursive = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rec) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("record", self.name))

    def __repr__(self) -> str:
        return f"Rec({self.name})"


NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING = (
    Prim(n) for n in ("null", "boolean", "int", "long", "float", "double", "string")
)
NUMBERS = ("int", "long", "float", "double")


class Nullable:
    """A ``union<null, T>`` value: T's layout (any filler where missing) and the missing mask."""

    __slots__ = ("value", "missing")

    def __init__(self, value: Any, missing: Any) -> None:
        self.value = value
        self.missing = missing


def is_num(t: Any) -> bool:
    return isinstance(t, Prim) and t.name in NUMBERS


def is_int(t: Any) -> bool:
    return isinstance(t, Prim) and t.name in ("int", "long")


def promote(a: Any, b: Any) -> Prim:
    """PFA numeric promotion: int < long < float < double."""
    if not (is_num(a) and is_num(b)):
        raise NotCovered(f"arithmetic on {a} and {b}")
    return Prim(NUMBERS[max(NUMBERS.index(a.name), NUMBERS.index(b.name))])


def opaque(t: Any) -> bool:
    return isinstance(t, Opaque) or (isinstance(t, Rec) and t.recursive)


def lmap(fn: Callable[[np.ndarray, int], Any], v: Any, t: Any, r: int = 0) -> Any:
    """Apply ``fn(leaf, own_rank)`` to every ndarray leaf of a value of type ``t``."""
    if isinstance(t, Arr):
        return lmap(fn, v, t.items, r + 1)
    if isinstance(t, Opt):
        return Nullable(lmap(fn, v.value, t.inner, r), fn(v.missing, r))
    if isinstance(t, Rec) and not t.recursive:
        return {k: lmap(fn, v[k], ft, r) for k, ft in t.fields.items()}
    return fn(v, r)


def lmap2(fn: Callable[[np.ndarray, np.ndarray, int], Any], a: Any, b: Any, t: Any, r: int = 0) -> Any:
    if isinstance(t, Arr):
        return lmap2(fn, a, b, t.items, r + 1)
    if isinstance(t, Opt):
        return Nullable(lmap2(fn, a.value, b.value, t.inner, r), fn(a.missing, b.missing, r))
    if isinstance(t, Rec) and not t.recursive:
        return {k: lmap2(fn, a[k], b[k], ft, r) for k, ft in t.fields.items()}
    return fn(a, b, r)


def first_leaf(v: Any, t: Any, r: int = 0) -> tuple[np.ndarray, int]:
    if isinstance(t, Arr):
        return first_leaf(v, t.items, r + 1)
    if isinstance(t, Opt):
        return first_leaf(v.value, t.inner, r)
    if isinstance(t, Rec) and not t.recursive:
        if not t.fields:
            raise NotCovered("empty record")
        k = next(iter(t.fields))
        return first_leaf(v[k], t.fields[k], r)
    return np.asarray(v), r


def length(v: Any, t: Arr) -> int:
    """Length of an array value (the axis just before the items' own axes)."""
    leaf, r = first_leaf(v, t.items)
    return int(leaf.shape[-(r + 1)])


def lift(v: Any, t: Any, k: int) -> Any:
    """The value seen from ``k`` lanes deeper: one new axis of size 1 per lane, before own axes."""
    if k == 0:
        return v

    def go(x: np.ndarray, r: int) -> np.ndarray:
        x = np.asarray(x)
        at = x.ndim - r
        return x.reshape(x.shape[:at] + (1,) * k + x.shape[at:])

    return lmap(go, v, t)


def expand(mask: Any, r: int) -> Any:
    """A row/lane mask broadcastable against a leaf with ``r`` own axes."""
    m = np.asarray(mask)
    return m.reshape(m.shape + (1,) * r) if r else m


def where(cond: Any, a: Any, b: Any, t: Any) -> Any:
    """``cond ? a : b`` leaf by leaf (cond is a row/lane mask)."""
    return lmap2(lambda x, y, r: np.where(expand(cond, r), x, y), a, b, t)


def lane_axis(x: np.ndarray, r: int, k: int) -> np.ndarray:
    """Make the axis just before the ``r`` own axes exist with size ``k`` (broadcast if needed)."""
    x = np.asarray(x)
    if x.ndim < r + 1:
        x = x.reshape((1,) * (r + 1 - x.ndim) + x.shape)
    if x.shape[-(r + 1)] != k:
        shape = list(x.shape)
        shape[-(r + 1)] = k
        x = np.broadcast_to(x, tuple(shape))
    return x


def take(v: Any, t: Arr, i: int) -> Any:
    """Element ``i`` (static, already in range) of an array value."""
    return lmap(lambda x, r: np.take(np.asarray(x), i, axis=x.ndim - r - 1 if np.ndim(x) else 0), v, t.items)


def take_rows(v: Any, t: Arr, idx: np.ndarray) -> Any:
    """Element ``idx`` (one index per row/lane, already in range) of an array value."""

    def go(x: np.ndarray, r: int) -> np.ndarray:
        x = np.asarray(x)
        ax = x.ndim - r - 1
        ix = np.asarray(idx).reshape(np.shape(idx) + (1,) * (r + 1))
        lead = np.broadcast_shapes(x.shape[:ax], np.shape(idx))
        x = np.broadcast_to(x, lead + x.shape[ax:])
        ax = len(lead)
        ix = np.broadcast_to(ix, lead + (1,) + x.shape[ax + 1 :])
        return np.take_along_axis(x, ix, axis=ax).squeeze(axis=ax)

    return lmap(go, v, t.items)


def stack(values: list[Any], t: Any) -> Any:
    """An ``array<t>`` value from per-element values (leaves broadcast to a common shape)."""
    if not values:
        if isinstance(t, Prim) and t.name in NUMBERS + ("boolean",):
            return np.empty(0, dtype=dtype_of(t))
        raise NotCovered("empty array of non-numbers")
    if isinstance(t, Prim):  # the common case: numbers in a new array
        arrays = [np.asarray(v) for v in values]
        if len({a.shape for a in arrays}) != 1:
            arrays = list(np.broadcast_arrays(*arrays))
        return np.stack(arrays, axis=-1)
    leaves: list[list[np.ndarray]] = []

    def collect(v: Any) -> None:
        out: list[np.ndarray] = []
        lmap(lambda x, r: out.append(np.asarray(x)), v, t)
        leaves.append(out)

    for v in values:
        collect(v)
    ranks: list[int] = []
    lmap(lambda x, r: ranks.append(r), values[0], t)
    stacked = []
    for j, r in enumerate(ranks):
        parts = np.broadcast_arrays(*[lv[j] for lv in leaves]) if len(values) > 1 else [leaves[0][j]]
        stacked.append(np.stack(parts, axis=parts[0].ndim - r))
    it = iter(stacked)
    return lmap(lambda x, r: next(it), values[0], t)


def dtype_of(t: Any) -> Any:
    if isinstance(t, Prim):
        return {"boolean": bool, "int": np.int64, "long": np.int64, "float": np.float64, "double": np.float64}.get(t.name, object)
    return object


class Types:
    """Named types of one document, parsed on demand (definitions may come in any order)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.raw: dict[str, Any] = {}
        self.parsed: dict[str, Any] = {}
        self._collect(doc.get("input"))
        self._collect(doc.get("output"))
        for section in ("cells", "pools"):
            for spec in (doc.get(section) or {}).values():
                if isinstance(spec, dict):
                    self._collect(spec.get("type"))
        self._scan(doc.get("fcns"))
        self._scan(doc.get("action"))
        self._scan(doc.get("begin"))

    def _collect(self, t: Any) -> None:
        if isinstance(t, list):
            for x in t:
                self._collect(x)
        elif isinstance(t, dict):
            kind = t.get("type")
            if kind in ("record", "enum", "fixed") and isinstance(t.get("name"), str):
                name = t["name"] if "." in t["name"] or not t.get("namespace") else f"{t['namespace']}.{t['name']}"
                self.raw.setdefault(name, t)
                self.raw.setdefault(t["name"], t)
            if kind == "record":
                for f in t.get("fields") or []:
                    self._collect(f.get("type"))
            elif kind == "array":
                self._collect(t.get("items"))
            elif kind == "map":
                self._collect(t.get("values"))
            elif isinstance(kind, (dict, list)):
                self._collect(kind)

    def _scan(self, expr: Any) -> None:
        """Type definitions inside the action/fcns: ``new``/``value`` types and fcn signatures."""
        if isinstance(expr, list):
            for x in expr:
                self._scan(x)
        elif isinstance(expr, dict):
            for key, val in expr.items():
                if key in ("type", "ret", "as"):
                    self._collect(val)
                elif key == "params" and isinstance(val, list):
                    for p in val:
                        if isinstance(p, dict):
                            for pt in p.values():
                                self._collect(pt)
                elif key == "value" and "type" in expr:
                    continue
                else:
                    self._scan(val)

    def parse(self, t: Any) -> Any:
        if isinstance(t, str):
            if t in ("null", "boolean", "int", "long", "float", "double", "string"):
                return Prim(t)
            if t == "bytes":
                return Opaque("bytes", t)
            if t in self.parsed:
                return self.parsed[t]
            if t not in self.raw:
                raise NotCovered(f"unknown type {t!r}")
            return self.parse(self.raw[t])
        if isinstance(t, list):
            options = [self.parse(x) for x in t]
            rest = [x for x in options if x != NULL]
            if len(rest) == 1 and len(options) == 2:
                inner = rest[0]
                if not (opaque(inner) or isinstance(inner, Opt)):
                    return Opt(inner)
            if len(options) == 1:
                return options[0]
            return Opaque("union", json_key(t), tuple(options))
        if not isinstance(t, dict):
            raise NotCovered(f"type {t!r}")
        kind = t.get("type")
        if kind == "array":
            return Arr(self.parse(t["items"]))
        if kind == "map":  # equal by value type: a map built in the action is one declared elsewhere
            return Opaque("map", None, (self.parse(t["values"]),))
        if kind == "enum":
            return EnumT(t["name"], tuple(t["symbols"]))
        if kind == "fixed":
            return Opaque("fixed", json_key(t))
        if kind == "record":
            name = t["name"]
            if name in self.parsed:
                return self.parsed[name]
            rec = Rec(name)
            self.parsed[name] = rec
            if t.get("namespace"):
                self.parsed[f"{t['namespace']}.{name}"] = rec
            for f in t.get("fields") or []:
                rec.fields[f["name"]] = self.parse(f["type"])
            rec.recursive = _refers(rec, rec, set())
            return rec
        if isinstance(kind, (str, list, dict)):
            return self.parse(kind)
        raise NotCovered(f"type {t!r}")


def _refers(t: Any, target: Rec, seen: set[str]) -> bool:
    for ft in t.fields.values():
        for sub in _parts(ft):
            if sub == target:
                return True
            if isinstance(sub, Rec) and sub.name not in seen:
                seen.add(sub.name)
                if _refers(sub, target, seen):
                    return True
    return False


def _parts(t: Any) -> list[Any]:
    if isinstance(t, Arr):
        return _parts(t.items)
    if isinstance(t, Opt):
        return _parts(t.inner)
    if isinstance(t, Opaque) and t.kind == "union":
        return [p for m in t.members for p in _parts(m)]
    return [t]


def json_key(t: Any) -> str:
    """Hashable spelling of a JSON type (for frozen dataclasses)."""
    import json

    return json.dumps(t, sort_keys=True)


def const_of(value: Any, t: Any) -> Any:
    """A JSON value of type ``t`` (cell init, literal) in the fast path's layout, without a row axis."""
    if isinstance(t, Prim):
        if t.name == "null":
            if value is not None:
                raise NotCovered("bad null literal")
            return np.array(None, dtype=object)
        if t.name in NUMBERS:
            if isinstance(value, dict) and len(value) == 1:
                (value,) = value.values()
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise NotCovered(f"non-numeric {t.name} value {value!r}")
            return np.array(value, dtype=dtype_of(t))
        if t.name == "boolean":
            if not isinstance(value, bool):
                raise NotCovered(f"non-boolean value {value!r}")
            return np.array(value)
        if t.name == "string":
            if not isinstance(value, str):
                raise NotCovered(f"non-string value {value!r}")
            return np.array(value, dtype=object)
    if isinstance(t, EnumT):
        if value not in t.symbols:
            raise NotCovered(f"{value!r} is not a symbol of {t.name}")
        return np.array(value, dtype=object)
    if isinstance(t, Arr):
        if not isinstance(value, list):
            raise NotCovered("array value is not a list")
        if opaque(t.items):
            out = np.empty(len(value), dtype=object)
            out[:] = [_opaque_value(v) for v in value] if value else []
            return out
        items = [const_of(v, t.items) for v in value]
        shapes = [_leaf_shapes(x, t.items) for x in items]
        if any(s != shapes[0] for s in shapes[1:]):  # stack would broadcast a length-1 row: not the same array
            raise RaggedConstant("ragged array constant: elements of different shapes")
        try:
            return stack(items, t.items)
        except ValueError as exc:
            raise RaggedConstant(f"ragged array constant: {exc}") from None
    if isinstance(t, Opt):
        if not isinstance(t.inner, Prim):
            raise NotCovered("nullable non-primitive constant")
        if isinstance(value, dict) and len(value) == 1:
            (value,) = value.values()
        if value is None:
            filler = "" if t.inner.name == "string" else (False if t.inner.name == "boolean" else 0)
            return Nullable(const_of(filler, t.inner), np.array(True))
        return Nullable(const_of(value, t.inner), np.array(False))
    if isinstance(t, Rec) and not t.recursive:
        if not isinstance(value, dict) or set(value) != set(t.fields):
            raise NotCovered(f"record value does not match {t.name}")
        return {k: const_of(value[k], ft) for k, ft in t.fields.items()}
    if isinstance(t, Opaque) and t.kind == "map":
        from interchange.formats.pfa.fast.library.collections.boxed import convert_map

        value = convert_map(value, t.members[0])
    out = np.empty((), dtype=object)
    out[()] = _opaque_value(value)
    return out


def _opaque_value(v: Any) -> Any:
    return v


def _leaf_shapes(v: Any, t: Any) -> list[tuple[int, ...]]:
    shapes: list[tuple[int, ...]] = []
    lmap(lambda x, r: shapes.append(np.shape(x)), v, t)
    return shapes
