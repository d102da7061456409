"""PFA ``a.*`` array functions on whole batches, with titus2's semantics.

Functions passed to ``a.map``/``a.zipmap``/``a.any``/``a.all`` run once for all elements (an
extra lane axis); ``a.fold``/``a.reduce`` and their ``Right`` twins call theirs once per element, in
order, as titus2 does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope, convert
from interchange.formats.pfa.fast.library.lanes import elements, loop_fcn, map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float, check_range, fn, seqsum
from interchange.formats.pfa.fast.types import BOOLEAN, DOUBLE, INT, Arr, NotCovered, Prim, is_int, is_num, length
from interchange.formats.pfa.fast.values import Failed

__all__ = ["LIBRARY"]


@fn("a.map")
def _a_map(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 2:
        raise NotCovered("a.map arity")
    af, at = c.expr(args[0], scope)
    if not isinstance(at, Arr):
        raise NotCovered("a.map over a non-array")
    slots, body, ret = map_fcn(c, args[1], scope, [at.items])

    def run(rt: Run) -> Any:
        a = af(rt)
        return run_lanes(rt, slots, [a], [at.items], body, ret, length(a, at))

    return run, Arr(ret)


@fn("a.zipmap")
def _a_zipmap(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    arrays = [c.expr(a, scope) for a in args[:-1]]
    if len(arrays) < 2 or not all(isinstance(t, Arr) for _, t in arrays):
        raise NotCovered("a.zipmap arguments")
    items = [t.items for _, t in arrays]
    slots, body, ret = map_fcn(c, args[-1], scope, items)
    depth = scope.depth

    def run(rt: Run) -> Any:
        values = [f(rt) for f, _ in arrays]
        ks = {length(v, t) for v, (_, t) in zip(values, arrays, strict=True)}
        if len(ks) != 1:
            rt.fail(np.array(True), depth, "misaligned arrays")
        return run_lanes(rt, slots, values, items, body, ret, min(ks))

    return run, Arr(ret)


def _any_all(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, at = c.expr(args[0], scope)
        if not isinstance(at, Arr) or len(args) != 2:
            raise NotCovered(f"a.{which} arguments")
        slots, body, ret = map_fcn(c, args[1], scope, [at.items])
        if ret != BOOLEAN:
            raise NotCovered(f"a.{which} with a non-boolean function")

        def run(rt: Run) -> Any:
            a = af(rt)
            k = length(a, at)
            errors = len(rt.errors)
            try:
                res = np.asarray(run_lanes(rt, slots, [a], [at.items], body, ret, k), dtype=bool)
            except Failed:  # a strict run (fast.state) stops at the error: titus2 may not reach it
                res, errors = None, -1
            if len(rt.errors) > errors or res is None:
                from interchange.formats.pfa.fast.types import Defer

                raise Defer(f"an error inside a.{which}, which stops at the first decisive element")
            return res.any(axis=-1) if which == "any" else res.all(axis=-1)

        return run, BOOLEAN

    return compile_


LIBRARY["a.any"], LIBRARY["a.all"] = _any_all("any"), _any_all("all")


def _folding(name: str, right: bool) -> Callable[..., Compiled]:
    """``a.fold`` (``fcn(acc, item)``, first to last) or ``a.foldRight`` (``fcn(item, acc)``, last to
    first: titus2 reduces over ``reversed(a)``), the function called once per element, in order."""
    acc_slot, item_slot = (1, 0) if right else (0, 1)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 3:
            raise NotCovered(f"{name} arity")
        af, at = c.expr(args[0], scope)
        zf, zt = c.expr(args[1], scope)
        if not isinstance(at, Arr):
            raise NotCovered(f"{name} over a non-array")
        slots, body, ret = loop_fcn(c, args[2], scope, [at.items, zt] if right else [zt, at.items])
        if ret != slots[acc_slot].type:
            raise NotCovered(f"{name} whose function changes the accumulator type")

        def run(rt: Run) -> Any:
            a = af(rt)
            acc = convert(zf(rt), zt, slots[acc_slot].type)
            items = elements(a, at)
            for item in reversed(items) if right else items:
                rt.env[slots[item_slot].id] = convert(item, at.items, slots[item_slot].type)
                rt.env[slots[acc_slot].id] = acc
                acc = body(rt)
            return acc

        return run, ret

    return compile_


def _reducing(name: str, right: bool) -> Callable[..., Compiled]:
    """``a.reduce`` (``fcn(acc, item)`` from the first item) or ``a.reduceRight`` (``fcn(item, acc)``
    from the last); an empty array fails the row ("empty array", as titus2)."""
    acc_slot, item_slot = (1, 0) if right else (0, 1)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2:
            raise NotCovered(f"{name} arity")
        af, at = c.expr(args[0], scope)
        if not isinstance(at, Arr):
            raise NotCovered(f"{name} over a non-array")
        slots, body, ret = loop_fcn(c, args[1], scope, [at.items, at.items])
        if ret != at.items or slots[acc_slot].type != at.items:
            raise NotCovered(f"{name} with a type-changing function")
        depth = scope.depth

        def run(rt: Run) -> Any:
            a = af(rt)
            if length(a, at) == 0:
                rt.fail(np.array(True), depth, "empty array")
                return np.zeros(())
            items = elements(a, at)
            acc, rest = (items[-1], reversed(items[:-1])) if right else (items[0], items[1:])
            for item in rest:
                rt.env[slots[item_slot].id] = convert(item, at.items, slots[item_slot].type)
                rt.env[slots[acc_slot].id] = acc
                acc = body(rt)
            return acc

        return run, ret

    return compile_


LIBRARY["a.fold"], LIBRARY["a.foldRight"] = _folding("a.fold", right=False), _folding("a.foldRight", right=True)
LIBRARY["a.reduce"], LIBRARY["a.reduceRight"] = _reducing("a.reduce", right=False), _reducing("a.reduceRight", right=True)


def _numeric_array(c: Compiler, args: list[Any], scope: Scope, name: str) -> tuple[Callable[[Run], Any], Prim]:
    ((af, at),) = args_of(c, args, scope, 1)
    if not (isinstance(at, Arr) and is_num(at.items)):
        raise NotCovered(f"{name} on {at}")
    return af, at.items


@fn("a.len")
def _a_len(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if not isinstance(at, Arr):
        raise NotCovered("a.len on a non-array")
    return (lambda rt: np.array(length(af(rt), at), dtype=np.int64)), INT


@fn("a.sum")
def _a_sum(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af, t = _numeric_array(c, args, scope, "a.sum")
    depth = scope.depth
    if is_int(t):
        return (lambda rt: check_range(rt, np.asarray(af(rt), dtype=np.int64).sum(axis=-1), t, depth)), t
    return (lambda rt: seqsum(as_float(af(rt)))), t


@fn("a.mean")
def _a_mean(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af, t = _numeric_array(c, args, scope, "a.mean")

    def run(rt: Run) -> Any:
        x = as_float(af(rt))
        if x.shape[-1] == 0:
            return np.full(x.shape[:-1], np.nan)
        return seqsum(x) / float(x.shape[-1])

    return run, DOUBLE


def _arg_extreme(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, t = _numeric_array(c, args, scope, f"a.{which}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x = np.asarray(af(rt))
            if x.shape[-1] == 0:
                rt.fail(np.array(True), depth, "empty array")
                return np.zeros(x.shape[:-1], dtype=np.int64)
            if x.dtype.kind == "f" and np.isnan(x).any():
                nan = np.isnan(x)
                if which == "argmax":  # NaN is the largest double: the first NaN wins
                    return np.where(nan.any(axis=-1), np.argmax(nan, axis=-1), np.argmax(np.where(nan, -np.inf, x), axis=-1))
                return np.argmin(np.where(nan, np.inf, x), axis=-1) if not nan.all() else np.zeros(x.shape[:-1], np.int64)
            return (np.argmax(x, axis=-1) if which == "argmax" else np.argmin(x, axis=-1)).astype(np.int64)

        return run, INT

    return compile_


LIBRARY["a.argmax"], LIBRARY["a.argmin"] = _arg_extreme("argmax"), _arg_extreme("argmin")


def _array_extreme(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, t = _numeric_array(c, args, scope, f"a.{which}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x = np.asarray(af(rt))
            if x.shape[-1] == 0:
                rt.fail(np.array(True), depth, "empty array")
                return np.zeros(x.shape[:-1], dtype=x.dtype)
            if which == "max":
                return np.max(x, axis=-1)  # NaN propagates: NaN is the largest double
            if x.dtype.kind == "f" and np.isnan(x).any():
                nan = np.isnan(x)
                return np.where(nan.all(axis=-1), np.nan, np.min(np.where(nan, np.inf, x), axis=-1))
            return np.min(x, axis=-1)

        return run, t

    return compile_


LIBRARY["a.max"], LIBRARY["a.min"] = _array_extreme("max"), _array_extreme("min")
