"""PFA's ``map.*`` functions of functions on whole batches: the function runs once over every item.

Each row's map is spread over one lane axis (``spread``: as many lanes as the largest map of the
batch, the items in the map's order, the padding masked off so it raises nothing), the function
is compiled one lane deeper (``lanes.map_fcn``) and its results are gathered back into one dict
per row in the map's key order (``map.map``, ``mapWithKey``, ``filter``, ``filterWithKey``,
``filterMap``, ``filterMapWithKey``, ``flatMap``, ``flatMapWithKey``, ``zipmap``,
``zipmapWithKey``). Tests that titus2 stops at the first decisive item (``map.containsKey`` /
``containsValue`` with a function, ``corresponds``, ``correspondsWithKey``) defer a batch
whose function raised for some item, as ``a.any`` does. ``argmaxLT`` / ``argminLT`` /
``argmaxNLT`` / ``argminNLT`` evaluate the user comparison on every ordered pair of a map's items
at once (``k * k`` lanes), then run titus2's insertion (``maps.argtop``) on those answers; a
comparison that raises for some pair defers the batch (titus2 may never compare that pair).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.collections.boxed import layout, map_values, objects, python, stacked
from interchange.formats.pfa.fast.library.collections.maps import argtop  # (and the plain forms _search wraps)
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, fn
from interchange.formats.pfa.fast.types import BOOLEAN, STRING, Arr, Defer, NotCovered, Opaque, Opt, is_int
from interchange.formats.pfa.fast.values import Failed

__all__ = ["spread"]


def spread(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, values, valid): each element's items along a new last axis, padded to the largest map."""
    flat = maps.reshape(-1).tolist()
    k = max([len(m) for m in flat] + [1])
    keys, values, valid = [], [], []
    for m in flat:
        pad = k - len(m)
        keys.extend(list(m.keys()) + [""] * pad)
        values.extend(list(m.values()) + [None] * pad)
        valid.extend([True] * len(m) + [False] * pad)
    shape = maps.shape + (k,)
    return objects(shape, keys), objects(shape, values), np.array(valid, dtype=bool).reshape(shape)


def _is_fcn(raw: Any) -> bool:
    return isinstance(raw, dict) and ("params" in raw or "fcn" in raw)


def _items(c: Compiler, args: list[Any], scope: Scope, name: str, maps: int, with_key: bool):  # type: ignore[no-untyped-def]
    """The maps' closures and value types, and the function compiled one lane deeper."""
    compiled = [c.expr(a, scope) for a in args[:maps]]
    vts = [map_values(t, name) for _, t in compiled]
    params = ([STRING] if with_key else []) + vts
    slots, body, ret = map_fcn(c, args[maps], scope, params)
    return compiled, vts, params, slots, body, ret


def _over(
    rt: Run,
    compiled: list[Compiled],
    vts: list[Any],
    params: list[Any],
    slots: list[Any],
    body: Any,
    ret: Any,
    with_key: bool,
    depth: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(maps of the first argument, keys, valid, the function's Python results per item)."""
    ms = [np.asarray(f(rt), dtype=object) for f, _ in compiled]
    shape = np.broadcast_shapes(*(m.shape for m in ms))
    ms = [np.broadcast_to(m, shape) for m in ms]
    keys, first, valid = spread(ms[0])
    values = [first]
    if len(ms) > 1:  # zipmap: the others' items in the first map's key order; other key lists fail the row
        order = [list(m.keys()) for m in ms[0].reshape(-1).tolist()]
        bad = np.zeros(int(np.prod(shape)) if shape else 1, dtype=bool)
        for other in ms[1:]:
            bad |= np.array([list(m.keys()) != o for m, o in zip(other.reshape(-1).tolist(), order, strict=True)])
            items = [
                [m.get(k) for k in o] + [None] * (keys.shape[-1] - len(o))
                for m, o in zip(other.reshape(-1).tolist(), order, strict=True)
            ]
            values.append(objects(keys.shape, [x for row in items for x in row]))
        bad_rows = bad.reshape(shape)
        rt.fail(bad_rows, depth, "misaligned maps")
        valid = valid & ~bad_rows[..., None]
    laid = [layout(v, valid, vt) for v, vt in zip(values, vts, strict=True)]
    bound = ([keys] if with_key else []) + laid
    out = run_lanes(rt, slots, bound, params, body, ret, keys.shape[-1], mask=valid)
    return ms[0], keys, valid, python(out, ret)


def _gather(
    maps: np.ndarray, keys: np.ndarray, valid: np.ndarray, results: np.ndarray, pick: Callable[[Any, Any, Any], Any]
) -> np.ndarray:
    """One dict per element from its items' results; ``pick(key, result, out)`` fills ``out``."""
    k = keys.shape[-1]
    flat_keys, flat_valid, flat_res = keys.reshape(-1, k).tolist(), valid.reshape(-1, k).tolist(), results.reshape(-1, k).tolist()
    out = []
    for ks, ok, rs in zip(flat_keys, flat_valid, flat_res, strict=True):
        d: dict[str, Any] = {}
        for key, o, r in zip(ks, ok, rs, strict=True):
            if o:
                pick(key, r, d)
        out.append(d)
    return objects(maps.shape, out)


def _put(key: str, r: Any, d: dict[str, Any]) -> None:
    d[key] = r


def _merge(key: str, r: Any, d: dict[str, Any]) -> None:
    d.update(r)


def _present(key: str, r: Any, d: dict[str, Any]) -> None:
    if r is not None:
        d[key] = r


def _mapping(name: str, with_key: bool, maps: int = 1) -> None:
    """map.map / filter / filterMap / flatMap (and WithKey), zipmap (and WithKey)."""
    kind = name.split(".")[1].replace("WithKey", "")

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        count = len(args) - 1
        if (kind == "zipmap" and not 2 <= count <= 4) or (kind != "zipmap" and count != maps):
            raise NotCovered(f"{name} with {len(args)} arguments")
        compiled, vts, params, slots, body, ret = _items(c, args, scope, name, count, with_key)
        if kind == "filter" and ret != BOOLEAN:
            raise NotCovered(f"{name} with a function returning {ret}")
        if kind == "filterMap" and not isinstance(ret, Opt):
            raise NotCovered(f"{name} with a function returning {ret}, not a union with null")
        if kind == "flatMap":
            map_values(ret, name)
        depth = scope.depth
        out_t = {
            "map": Opaque("map", None, (ret,)),
            "zipmap": Opaque("map", None, (ret,)),
            "filter": compiled[0][1],
            "filterMap": Opaque("map", None, (ret.inner if isinstance(ret, Opt) else ret,)),
            "flatMap": ret,
        }[kind]

        def run(rt: Run) -> Any:
            m, keys, valid, res = _over(rt, compiled, vts, params, slots, body, ret, with_key, depth)
            if kind == "filter":
                first = spread(m)[1]
                return _gather(m, keys, valid & res.astype(bool), first, _put)
            return _gather(m, keys, valid, res, {"flatMap": _merge, "filterMap": _present}.get(kind, _put))

        return run, out_t

    fn(name)(compile_)


for _kind in ("map", "filter", "filterMap", "flatMap"):
    _mapping(f"map.{_kind}", False)
    _mapping(f"map.{_kind}WithKey" if _kind != "map" else "map.mapWithKey", True)
_mapping("map.zipmap", False, 2)
_mapping("map.zipmapWithKey", True, 2)


def _decisive(rt: Run, compute: Callable[[], Any], name: str) -> Any:
    """``compute()``, deferring the batch when the function raised for an item (titus2 stops at
    the first decisive item, so it may never reach the one that raised)."""
    errors = len(rt.errors)
    try:
        out = compute()
    except Failed:
        out, errors = None, -1
    if out is None or len(rt.errors) > errors:
        raise Defer(f"an error inside {name}, which stops at the first decisive item")
    return out


def _search(name: str, keyed: bool) -> None:
    """map.containsKey / containsValue with a function (a key or value test); plain forms in ``maps``."""
    plain = LIBRARY[name]

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2 or not _is_fcn(args[1]):
            return plain(c, args, scope)
        mf, mt = c.expr(args[0], scope)
        vt = map_values(mt, name)
        slots, body, ret = map_fcn(c, args[1], scope, [STRING if keyed else vt])
        if ret != BOOLEAN:
            raise NotCovered(f"{name} with a function returning {ret}")

        def run(rt: Run) -> Any:
            m = np.asarray(mf(rt), dtype=object)
            keys, values, valid = spread(m)
            item = keys if keyed else layout(values, valid, vt)

            def compute() -> Any:
                res = run_lanes(rt, slots, [item], [STRING if keyed else vt], body, ret, keys.shape[-1], mask=valid)
                return (np.asarray(res, dtype=bool) & valid).any(axis=-1)

            return _decisive(rt, compute, name)

        return run, BOOLEAN

    fn(name)(compile_)


_search("map.containsKey", True)
_search("map.containsValue", False)


def _corresponds(name: str, with_key: bool) -> None:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 3:
            raise NotCovered(f"{name} with {len(args)} arguments")
        compiled, vts, params, slots, body, ret = _items(c, args, scope, name, 2, with_key)
        if ret != BOOLEAN:
            raise NotCovered(f"{name} with a function returning {ret}")

        def run(rt: Run) -> Any:
            a, b = (np.asarray(f(rt), dtype=object) for f, _ in compiled)
            shape = np.broadcast_shapes(a.shape, b.shape)
            a, b = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
            same = np.array([set(x) == set(y) for x, y in zip(a.reshape(-1).tolist(), b.reshape(-1).tolist(), strict=True)])
            same = same.reshape(shape)
            keys, first, valid = spread(a)
            second = objects(keys.shape, [y.get(k) if s else None for k, y, s in _aligned(keys, b, same)])
            valid = valid & same[..., None]
            laid = [layout(first, valid, vts[0]), layout(second, valid, vts[1])]

            def compute() -> Any:
                res = run_lanes(rt, slots, ([keys] if with_key else []) + laid, params, body, ret, keys.shape[-1], mask=valid)
                return same & (np.asarray(res, dtype=bool) | ~valid).all(axis=-1)

            return _decisive(rt, compute, name)

        return run, BOOLEAN

    fn(name)(compile_)


def _aligned(keys: np.ndarray, b: np.ndarray, same: np.ndarray) -> list[tuple[str, dict[str, Any], bool]]:
    k = keys.shape[-1]
    rows = zip(keys.reshape(-1, k).tolist(), b.reshape(-1).tolist(), same.reshape(-1).tolist(), strict=True)
    return [(key, y, s) for ks, y, s in rows for key in ks]


_corresponds("map.corresponds", False)
_corresponds("map.correspondsWithKey", True)


def _answers(less: list[list[bool]]) -> Callable[[int, int], bool]:
    """The user comparison of items ``i`` and ``j`` of one map, as evaluated for every pair."""
    return lambda i, j: less[i][j]


def _arg_lt(highest: bool, many: bool) -> None:
    """map.argmaxLT / argminLT / argmaxNLT / argminNLT: titus2's insertion over the user comparison's
    answers for every ordered pair of items (lane ``i * k + j``: is item i less than item j)."""
    name = f"map.arg{'max' if highest else 'min'}{'N' if many else ''}LT"

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != (3 if many else 2):
            raise NotCovered(f"{name} with {len(args)} arguments")
        mf, mt = c.expr(args[0], scope)
        vt = map_values(mt, name)
        nf, nt = c.expr(args[1], scope) if many else (None, None)
        if many and not is_int(nt):
            raise NotCovered(f"{name} with n of type {nt}")
        slots, body, ret = map_fcn(c, args[-1], scope, [vt, vt])
        if ret != BOOLEAN:
            raise NotCovered(f"{name} with a comparison returning {ret}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            m = np.asarray(mf(rt), dtype=object)
            n = None if nf is None else np.asarray(nf(rt))
            if n is not None:
                m = np.broadcast_to(m, np.broadcast_shapes(m.shape, n.shape))
                n = np.broadcast_to(n, m.shape)
            _, values, valid = spread(m)
            k = values.shape[-1]
            tile = (1,) * (values.ndim - 1) + (k,)
            first, second = np.repeat(values, k, axis=-1), np.tile(values, tile)
            pairs = np.repeat(valid, k, axis=-1) & np.tile(valid, tile)
            bound = [layout(first, pairs, vt), layout(second, pairs, vt)]

            def compute() -> Any:
                return np.asarray(run_lanes(rt, slots, bound, [vt, vt], body, ret, k * k, mask=pairs), dtype=bool)

            less = np.broadcast_to(_decisive(rt, compute, name), pairs.shape).reshape(-1, k, k).tolist()
            empty = np.array([len(x) == 0 for x in m.reshape(-1).tolist()]).reshape(m.shape)
            rt.fail(empty, depth, "empty map")
            negative = np.zeros(m.shape, dtype=bool) if n is None else (np.asarray(n) < 0) & ~empty
            rt.fail(negative, depth, "n < 0")
            counts = [1] * m.size if n is None else np.asarray(n).reshape(-1).tolist()
            out = []
            for mm, lt, count, bad in zip(
                m.reshape(-1).tolist(), less, counts, (empty | negative).reshape(-1).tolist(), strict=True
            ):
                order = {key: i for i, key in enumerate(mm)}
                top = [] if bad else argtop(order, count, _answers(lt), highest)
                out.append(top if many else (top[0] if top else ""))
            result = objects(m.shape, out)
            return stacked(result, Arr(STRING)) if many else layout(result, np.ones(m.shape, dtype=bool), STRING)

        return run, (Arr(STRING) if many else STRING)

    fn(name)(compile_)


for _hi in (True, False):
    for _many in (False, True):
        _arg_lt(_hi, _many)
