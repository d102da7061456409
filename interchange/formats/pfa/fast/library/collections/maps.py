"""PFA's ``map.*`` functions without function arguments, on whole batches, with titus2's semantics.

A map is held as an object array of the Python dicts titus2 would hold (``collections.boxed``),
one per row and lane, so every function here is titus2's own dict operation applied per element
(``_rowwise``): key order, ties and equality are Python's, as in titus2. Results that are arrays
(``map.keys``, ``map.values``, ``map.split``, ``map.argmaxN``...) take the fast layout when every
row has the same length, else that batch is deferred to titus2. ``map.toset`` / ``map.in`` /
``map.add`` of an item key items by the base64 of their Avro binary encoding, as titus2 does
(``_avro``; numbers, strings, booleans, enums and records of them).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.collections.boxed import is_map, layout, map_values, objects, python, stacked
from interchange.formats.pfa.fast.library.collections.ordering import compare_of
from interchange.formats.pfa.fast.library.registry import args_of, fn
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    INT,
    STRING,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Opaque,
    Prim,
    Rec,
    is_int,
)

__all__ = ["rowwise", "argtop"]


class _Fail:
    """A row where titus2 raises ``message``."""

    def __init__(self, message: str) -> None:
        self.message = message


def _per_element(f: Callable[..., Any], values: list[np.ndarray]) -> np.ndarray:
    out = np.frompyfunc(f, len(values), 1)(*values)
    return out if isinstance(out, np.ndarray) else objects((), [out])


def rowwise(name: str, compute: Callable[..., Any], ret: Any, args: list[Compiled], depth: int) -> Callable[[Run], Any]:
    """A closure applying ``compute`` to each element's Python arguments; ``_Fail`` results fail
    that row (a filler in its place), the result laid out as ``ret``."""
    fns = [(f, t) for f, t in args]

    def run(rt: Run) -> Any:
        values = [python(f(rt), t) for f, t in fns]
        out = _per_element(compute, values)
        failed = _per_element(lambda x: isinstance(x, _Fail), [out]).astype(bool)
        if failed.any():
            for message in {x.message for x in out[failed].reshape(-1).tolist()}:
                rt.fail(
                    failed & _per_element(lambda x, m=message: isinstance(x, _Fail) and x.message == m, [out]).astype(bool),
                    depth,
                    message,
                )
            out = out.copy()
            count = int(failed.sum())
            out[failed] = objects((count,), [_filler(ret) for _ in range(count)])
        if isinstance(ret, Arr):
            return stacked(out, ret)
        return layout(out, ~failed, ret)

    return run


def _filler(t: Any) -> Any:
    if isinstance(t, Arr):
        return []
    if is_map(t):
        return {}
    return {"boolean": False, "string": ""}.get(t.name, 0) if isinstance(t, Prim) else None


def _register(name: str, arity: tuple[int, ...], typed: Callable[[list[Any]], tuple[Callable[..., Any], Any]]) -> None:
    """``typed(argument types)`` gives (per-element function, result type) or raises NotCovered."""

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) not in arity:
            raise NotCovered(f"{name} with {len(args)} arguments")
        compiled = args_of(c, args, scope)
        compute, ret = typed([t for _, t in compiled])
        return rowwise(name, compute, ret, compiled, scope.depth), ret

    fn(name)(compile_)


def _one_map(name: str, ts: list[Any]) -> Any:
    return map_values(ts[0], name)


def _maps(name: str, ts: list[Any]) -> Any:
    vt = map_values(ts[0], name)
    for t in ts[1:]:
        if map_values(t, name) != vt:
            raise NotCovered(f"{name} of maps of different value types")
    return vt


def _string(name: str, t: Any) -> None:
    if t != STRING:
        raise NotCovered(f"{name} with a key of type {t}")


# --- access, search, manipulation ------------------------------------------------------------------


def _unary(name: str, op: Callable[[dict[str, Any]], Any], ret: Callable[[Any], Any]) -> None:
    def typed(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
        return op, ret(_one_map(name, ts))

    _register(name, (1,), typed)


_unary("map.len", len, lambda vt: INT)
_unary("map.keys", lambda m: list(m.keys()), lambda vt: Arr(STRING))
_unary("map.values", lambda m: list(m.values()), Arr)
_unary("map.fromset", lambda m: list(m.values()), Arr)
_unary("map.split", lambda m: [{k: v} for k, v in m.items()], lambda vt: Arr(Opaque("map", None, (vt,))))


def _no(name: str, ts: list[Any]) -> Any:
    raise NotCovered(f"{name} on {ts}")


def _contains_key(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    _one_map("map.containsKey", ts)
    _string("map.containsKey", ts[1])
    return (lambda m, k: k in m), BOOLEAN


def _contains_value(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    vt = _one_map("map.containsValue", ts)
    if ts[1] != vt and not (isinstance(vt, Prim) and isinstance(ts[1], Prim) and vt.name in ("double", "float")):
        raise NotCovered(f"map.containsValue of a {ts[1]} in a map of {vt}")
    return (lambda m, x: any(v == x for v in m.values())), BOOLEAN


def _add(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    vt = _one_map("map.add", ts)
    if len(ts) == 3:
        _string("map.add", ts[1])
        return (lambda m, k, v: dict(m, **{k: v})), ts[0]
    encode = _avro(vt)
    return (lambda m, x: dict(m, **{_key(encode, x): x})), ts[0]


def _remove(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    _one_map("map.remove", ts)
    _string("map.remove", ts[1])

    def remove(m: dict[str, Any], k: str) -> dict[str, Any]:
        out = dict(m)
        out.pop(k, None)
        return out

    return remove, ts[0]


def _keep(which: bool) -> Callable[[list[Any]], tuple[Callable[..., Any], Any]]:
    name = "map.only" if which else "map.except"

    def typed(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
        _one_map(name, ts)
        if ts[1] != Arr(STRING):
            raise NotCovered(f"{name} with keys of type {ts[1]}")
        return (lambda m, keys: {k: v for k, v in m.items() if (k in keys) == which}), ts[0]

    return typed


_register("map.containsKey", (2,), _contains_key)
_register("map.containsValue", (2,), _contains_value)
_register("map.add", (2, 3), _add)
_register("map.remove", (2,), _remove)
_register("map.only", (2,), _keep(True))
_register("map.except", (2,), _keep(False))


def _join(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    if not (isinstance(ts[0], Arr) and is_map(ts[0].items)):
        raise NotCovered(f"map.join of {ts[0]}")

    def join(a: list[dict[str, Any]]) -> dict[str, Any]:
        out: list[tuple[str, Any]] = []
        for m in a:
            out.extend(m.items())
        return dict(out)

    return join, ts[0].items


_register("map.join", (1,), _join)

_PAIRS: dict[str, tuple[Callable[[dict[str, Any], dict[str, Any]], Any], bool]] = {  # name: (titus2's operation, boolean)
    "map.update": (lambda a, b: dict(list(a.items()) + list(b.items())), False),
    "map.union": (lambda a, b: dict(list(a.items()) + list(b.items())), False),
    "map.intersection": (lambda a, b: {k: v for k, v in a.items() if k in b}, False),
    "map.diff": (lambda a, b: {k: v for k, v in a.items() if k not in b}, False),
    "map.symdiff": (
        lambda a, b: {k: v for k, v in list(a.items()) + list(b.items()) if k in set(a).symmetric_difference(b)},
        False,
    ),
    "map.subset": (lambda a, b: all(k in b for k in a), True),
    "map.disjoint": (lambda a, b: not set(a).intersection(b), True),
}


def _pair(name: str) -> Callable[[list[Any]], tuple[Callable[..., Any], Any]]:
    op, boolean = _PAIRS[name]

    def typed(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
        _maps(name, ts)
        return op, (BOOLEAN if boolean else ts[0])

    return typed


for _name in _PAIRS:
    _register(_name, (2,), _pair(_name))


# --- argmax / argmin: titus2's argHighestN / argLowestN with the value type's order -----------------


def argtop(m: dict[str, Any], n: int, lt: Callable[[Any, Any], bool], highest: bool) -> list[str]:
    """titus2's ``argHighestN`` / ``argLowestN``: the keys of the ``n`` best values, ties to the smaller key."""
    out: list[tuple[str, Any]] = []
    for k, x in m.items():
        found = False
        for index, (bestk, bestx) in enumerate(out):
            better = lt(bestx, x) if highest else lt(x, bestx)
            worse = lt(x, bestx) if highest else lt(bestx, x)
            if better or (not worse and bestk > k):
                ind = index
                while ind < len(out) and not lt(out[ind][1], x) and not lt(x, out[ind][1]) and out[ind][0] < k:
                    ind += 1
                out.insert(ind, (k, x))
                found = True
                break
        if not found:
            out.append((k, x))
        if len(out) > n:
            out.pop()
    return [k for k, _ in out]


def _arg(highest: bool, many: bool) -> Callable[[list[Any]], tuple[Callable[..., Any], Any]]:
    name = f"map.arg{'max' if highest else 'min'}{'N' if many else ''}"

    def typed(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
        cmp = compare_of(_one_map(name, ts))
        lt = lambda x, y: cmp(x, y) < 0  # noqa: E731

        def one(m: dict[str, Any]) -> Any:
            return _Fail("empty map") if not m else argtop(m, 1, lt, highest)[0]

        def top(m: dict[str, Any], k: int) -> Any:
            if not m:
                return _Fail("empty map")
            return _Fail("n < 0") if k < 0 else argtop(m, k, lt, highest)

        if not many:
            return one, STRING
        if not is_int(ts[1]):
            raise NotCovered(f"{name} with n of type {ts[1]}")
        return top, Arr(STRING)

    return typed


for _hi in (True, False):
    _register(f"map.arg{'max' if _hi else 'min'}", (1,), _arg(_hi, False))
    _register(f"map.arg{'max' if _hi else 'min'}N", (2,), _arg(_hi, True))


# --- sets: items keyed by their Avro binary encoding -----------------------------------------------


def _varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z & ~0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _avro(t: Any) -> Callable[[Any], bytes]:
    """Avro's binary encoding of values of ``t`` (what titus2's ``toKey`` encodes before base64)."""
    if isinstance(t, Prim) and t.name in ("int", "long"):
        return lambda x: _varint(int(x))
    if isinstance(t, Prim) and t.name == "double":
        return lambda x: struct.pack("<d", x)
    if isinstance(t, Prim) and t.name == "float":
        return lambda x: struct.pack("<f", x)
    if t == BOOLEAN:
        return lambda x: b"\x01" if x else b"\x00"
    if t == STRING:
        return lambda x: _varint(len(x.encode("utf-8"))) + x.encode("utf-8")
    if isinstance(t, EnumT):
        index = {s: i for i, s in enumerate(t.symbols)}
        return lambda x: _varint(index[x])
    if isinstance(t, Rec) and not t.recursive:
        parts = [(k, _avro(ft)) for k, ft in t.fields.items()]
        return lambda x: b"".join(enc(x[k]) for k, enc in parts)
    raise NotCovered(f"set items of type {t} (their Avro encoding is not mirrored)")


def _key(encode: Callable[[Any], bytes], x: Any) -> str:
    if isinstance(x, float) and x != x:
        raise Defer("a set item that is NaN (titus2 encodes its JSON form)")
    return base64.b64encode(encode(x)).decode()


def _toset(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    if not isinstance(ts[0], Arr):
        raise NotCovered(f"map.toset of {ts[0]}")
    encode = _avro(ts[0].items)
    return (lambda a: {_key(encode, x): x for x in a}), Opaque("map", None, (ts[0].items,))


def _in(ts: list[Any]) -> tuple[Callable[..., Any], Any]:
    vt = _one_map("map.in", ts)
    if ts[1] != vt:
        raise NotCovered(f"map.in of a {ts[1]} in a set of {vt}")
    encode = _avro(vt)
    return (lambda s, x: _key(encode, x) in s), BOOLEAN


_register("map.toset", (1,), _toset)
_register("map.in", (2,), _in)
