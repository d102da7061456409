"""Values the fast path holds as Python objects (maps), and the way between them and its columns.

A map travels as an object ndarray of Python dicts, one per row (and lane), holding the values
titus2 would hold (floats for double / float, ints, strings, booleans, dicts for records, lists
for arrays): every ``map.*`` function then sees exactly titus2's datum. ``python`` turns any
fast-path value into such an object array (per element the Python value), ``layout`` turns an
object array of Python values of one type back into the fast path's columns (a filler where
``valid`` is false), ``lists`` / ``stacked`` go between arrays and per-element Python lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    NULL,
    STRING,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Nullable,
    Opaque,
    Opt,
    Prim,
    Rec,
    dtype_of,
    is_num,
)

__all__ = ["MapInputs", "python", "layout", "lists", "stacked", "is_map", "map_values", "objects", "convert_map"]


def is_map(t: Any) -> bool:
    return isinstance(t, Opaque) and t.kind == "map"


def map_values(t: Any, what: str) -> Any:
    """The value type of map type ``t`` (NotCovered naming ``what`` otherwise)."""
    if not is_map(t):
        raise NotCovered(f"{what} on {t}, not a map")
    return t.members[0]


def objects(shape: tuple[int, ...], values: list[Any]) -> np.ndarray:
    """An object array of ``shape`` holding ``values`` in order (numpy would unpack lists and dicts)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values if values else []
    return out.reshape(shape)


def python(v: Any, t: Any) -> np.ndarray:
    """Per element the Python value titus2 would hold, as an object array (no own axes)."""
    if isinstance(t, Prim) and t.name in ("double", "float"):
        x = np.asarray(v, dtype=np.float64)
        return objects(x.shape, [float(a) for a in x.reshape(-1).tolist()])
    if isinstance(t, Prim) and t.name in ("int", "long"):
        x = np.asarray(v, dtype=np.int64)
        return objects(x.shape, x.reshape(-1).tolist())
    if t == BOOLEAN:
        x = np.asarray(v, dtype=bool)
        return objects(x.shape, x.reshape(-1).tolist())
    if t == STRING or isinstance(t, EnumT) or isinstance(t, Opaque) or t == NULL:
        return np.asarray(v, dtype=object)
    if isinstance(t, Opt):
        inner = python(v.value, t.inner)
        missing = np.broadcast_to(np.asarray(v.missing, dtype=bool), inner.shape)
        flat = [None if m else x for x, m in zip(inner.reshape(-1).tolist(), missing.reshape(-1).tolist(), strict=True)]
        return objects(inner.shape, flat)
    if isinstance(t, Arr):
        return lists(v, t)
    if isinstance(t, Rec) and not t.recursive:
        fields = {k: python(v[k], ft) for k, ft in t.fields.items()}
        shape = np.broadcast_shapes(*(f.shape for f in fields.values())) if fields else ()
        cols = {k: np.broadcast_to(f, shape).reshape(-1).tolist() for k, f in fields.items()}
        size = int(np.prod(shape)) if shape else 1
        return objects(shape, [{k: cols[k][i] for k in cols} for i in range(size)])
    if isinstance(t, Rec):
        return np.asarray(v, dtype=object)
    raise NotCovered(f"values of {t} as Python values")


def lists(v: Any, t: Arr) -> np.ndarray:
    """An array value as an object array of per-element Python lists."""
    from interchange.formats.pfa.fast.library.lanes import elements

    items = [python(x, t.items) for x in elements(v, t)]
    if not items:
        from interchange.formats.pfa.fast.types import first_leaf

        leaf, r = first_leaf(v, t)
        shape = np.shape(leaf)[: np.ndim(leaf) - r - 1]
        return objects(shape, [[] for _ in range(int(np.prod(shape)) if shape else 1)])
    shape = np.broadcast_shapes(*(x.shape for x in items))
    cols = [np.broadcast_to(x, shape).reshape(-1).tolist() for x in items]
    size = int(np.prod(shape)) if shape else 1
    return objects(shape, [[c[i] for c in cols] for i in range(size)])


def layout(values: np.ndarray, valid: np.ndarray, t: Any) -> Any:
    """Python values of type ``t`` (an object array) in the fast layout; ``valid`` false: a filler."""
    flat = values.reshape(-1).tolist()
    ok = np.broadcast_to(valid, values.shape).reshape(-1).tolist()
    if isinstance(t, Prim) and (is_num(t) or t == BOOLEAN):
        fill = False if t == BOOLEAN else 0
        return np.array([x if o else fill for x, o in zip(flat, ok, strict=True)], dtype=dtype_of(t)).reshape(values.shape)
    if t == STRING or isinstance(t, EnumT):
        return objects(values.shape, [x if o else "" for x, o in zip(flat, ok, strict=True)])
    if isinstance(t, Opaque) or t == NULL:
        return values
    if isinstance(t, Opt) and isinstance(t.inner, Prim):
        missing = np.array([x is None or not o for x, o in zip(flat, ok, strict=True)], dtype=bool).reshape(values.shape)
        present = objects(values.shape, [x if x is not None else None for x in flat])
        return Nullable(layout(present, valid & ~missing, t.inner), missing)
    if isinstance(t, Rec) and not t.recursive:
        return {
            k: layout(objects(values.shape, [x[k] if o else None for x, o in zip(flat, ok, strict=True)]), valid, ft)
            for k, ft in t.fields.items()
        }
    raise NotCovered(f"map values of {t} in the fast layout")


def stacked(rows: np.ndarray, t: Arr) -> Any:
    """Per-element Python lists of ``t.items`` as an array value; lists of different lengths in one
    batch have no rectangular layout (Defer: titus2 takes the batch)."""
    flat = rows.reshape(-1).tolist()
    sizes = {len(x) for x in flat}
    if len(sizes) > 1:
        raise Defer("map results of different lengths in one batch (an array per row)")
    k = sizes.pop() if sizes else 0
    if k == 0 and not (isinstance(t.items, Prim) and (is_num(t.items) or t.items == BOOLEAN)) and t.items != STRING:
        raise NotCovered(f"an empty array of {t.items}")
    cells = objects(rows.shape + (k,), [x for row in flat for x in row])
    return layout(cells, np.ones(cells.shape, dtype=bool), t.items)


def convert_map(value: Any, vt: Any) -> dict[str, Any]:
    """A map literal or cell value with titus2's value types (a whole number in a map of doubles is a float)."""
    if not isinstance(value, dict):
        raise NotCovered("a map value that is not a JSON object")
    if isinstance(vt, Prim) and vt.name in ("double", "float"):
        return {k: float(x) for k, x in value.items()}
    return dict(value)


class MapInputs:
    """Input fields of map type: each row's value converted as titus2's input is (``pfa.datum``)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        from interchange.formats.pfa.datum import Converter

        self.converter = Converter(doc)
        declared = doc.get("input")
        resolved = self.converter.named.get(declared, declared) if isinstance(declared, str) else declared
        fields = resolved.get("fields") if isinstance(resolved, dict) and resolved.get("type") == "record" else None
        self.raw: dict[str, Any] = {f["name"]: f["type"] for f in fields} if fields else {"input": declared}

    def column(self, name: str, t: Any, column: Any) -> tuple[np.ndarray, np.ndarray]:
        """(a dict per row, rows that are missing); RecordError for a row that is not such a map."""
        rows = [self.converter.datum(v, self.raw[name], name) for v in list(column)]
        missing = np.array([r is None for r in rows], dtype=bool)
        vt = t.members[0]
        if isinstance(vt, Prim) and any(x is None for r in rows if r is not None for x in r.values()):
            raise Defer(f"input field {name}: a map holding a missing value")
        return objects((len(rows),), [r if r is not None else {} for r in rows]), missing
