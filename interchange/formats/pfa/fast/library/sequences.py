"""PFA ``a.*`` functions that pick, reorder or count an array's items, over whole batches:
``a.head``, ``a.last``, ``a.tail``, ``a.init``, ``a.reverse``, ``a.sort``, ``a.count`` /
``a.contains`` (an item or a predicate), ``a.mapWithIndex`` and ``a.foldRight``.

Every row's array has the same length in the fast path's layout, so results stay rectangular.
``a.sort`` is titus2's stable ``sorted`` under PFA's ``compare`` (NaN after every double, 0.0 and
-0.0 equal, so they keep their order), which is numpy's stable sort; float arrays with NaN (where
titus2's float compare calls NaN equal to everything) are deferred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope, convert
from interchange.formats.pfa.fast.library.lanes import elements, loop_fcn, map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, fn
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    INT,
    STRING,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Prim,
    is_num,
    length,
    lmap,
    take,
)

__all__: list[str] = []


def _one_array(c: Compiler, args: list[Any], scope: Scope, name: str) -> tuple[Callable[[Run], Any], Arr]:
    ((af, at),) = args_of(c, args, scope, 1)
    if not isinstance(at, Arr):
        raise NotCovered(f"{name} on {at}")
    return af, at


def _end(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, at = _one_array(c, args, scope, f"a.{which}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            a = af(rt)
            k = length(a, at)
            if k == 0:
                rt.fail(np.array(True), depth, "empty array")
                raise Defer(f"a.{which} of an empty array")  # no item to stand in for the failing rows
            return take(a, at, 0 if which == "head" else k - 1)

        return run, at.items

    return compile_


def _drop(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, at = _one_array(c, args, scope, f"a.{which}")
        depth = scope.depth
        cut = slice(1, None) if which == "tail" else slice(None, -1)

        def run(rt: Run) -> Any:
            a = af(rt)
            if length(a, at) == 0:
                rt.fail(np.array(True), depth, "empty array")
                return a
            return lmap(lambda x, r: np.asarray(x)[(Ellipsis, cut) + (slice(None),) * r], a, at.items)

        return run, at

    return compile_


fn("a.head")(_end("head"))
fn("a.last")(_end("last"))
fn("a.tail")(_drop("tail"))
fn("a.init")(_drop("init"))


@fn("a.reverse")
def _a_reverse(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af, at = _one_array(c, args, scope, "a.reverse")
    return (lambda rt: lmap(lambda x, r: np.flip(np.asarray(x), axis=np.ndim(x) - r - 1), af(rt), at.items)), at


@fn("a.sort")
def _a_sort(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af, at = _one_array(c, args, scope, "a.sort")
    if not (is_num(at.items) or at.items == STRING):
        raise NotCovered(f"a.sort of an array of {at.items}")

    def run(rt: Run) -> Any:
        x = np.asarray(af(rt))
        if at.items == Prim("float") and np.isnan(x).any():
            raise Defer("a.sort of a float array with NaN (titus2's float compare)")
        return np.sort(x, axis=-1, kind="stable")

    return run, at


def _needle(name: str) -> Callable[..., Compiled]:
    """``a.count`` / ``a.contains`` of one item (Python's ``==``) or of a predicate."""

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2:
            raise NotCovered(f"{name} arity")
        if isinstance(args[1], dict) and ("params" in args[1] or "fcn" in args[1]):
            return _predicate(c, args, scope, name)
        (af, at), (nf, nt) = args_of(c, args, scope, 2)
        if not isinstance(at, Arr) or not (is_num(at.items) and is_num(nt) or at.items == nt == STRING):
            raise NotCovered(f"{name} of a {nt} in {at} (a sub-array or non-primitive needle)")

        def run(rt: Run) -> Any:
            x, needle = np.asarray(af(rt)), np.asarray(nf(rt))
            if needle.dtype.kind == "f" and np.isnan(needle).any():
                raise Defer(f"{name} of NaN (Python's list.count / index compare by identity first)")
            hits = x == needle[..., None]
            return hits.sum(axis=-1).astype(np.int64) if name == "a.count" else hits.any(axis=-1)

        return run, INT if name == "a.count" else BOOLEAN

    return compile_


def _predicate(c: Compiler, args: list[Any], scope: Scope, name: str) -> Compiled:
    if name == "a.contains":  # stops at the first item that holds: a.any
        return LIBRARY["a.any"](c, args, scope)
    af, at = c.expr(args[0], scope)
    if not isinstance(at, Arr):
        raise NotCovered(f"{name} over a non-array")
    slots, body, ret = map_fcn(c, args[1], scope, [at.items])
    if ret != BOOLEAN:
        raise NotCovered(f"{name} with a non-boolean function")

    def run(rt: Run) -> Any:
        a = af(rt)
        hits = np.asarray(run_lanes(rt, slots, [a], [at.items], body, ret, length(a, at)), dtype=bool)
        return hits.sum(axis=-1).astype(np.int64)

    return run, INT


fn("a.count")(_needle("a.count"))
fn("a.contains")(_needle("a.contains"))


@fn("a.mapWithIndex")
def _a_map_with_index(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 2:
        raise NotCovered("a.mapWithIndex arity")
    af, at = c.expr(args[0], scope)
    if not isinstance(at, Arr) or isinstance(at.items, EnumT):
        raise NotCovered("a.mapWithIndex over a non-array")
    slots, body, ret = map_fcn(c, args[1], scope, [INT, at.items])

    def run(rt: Run) -> Any:
        a = af(rt)
        k = length(a, at)
        return run_lanes(rt, slots, [np.arange(k, dtype=np.int64), a], [INT, at.items], body, ret, k)

    return run, Arr(ret)


@fn("a.foldRight")
def _a_fold_right(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 3:
        raise NotCovered("a.foldRight arity")
    af, at = c.expr(args[0], scope)
    zf, zt = c.expr(args[1], scope)
    if not isinstance(at, Arr):
        raise NotCovered("a.foldRight over a non-array")
    slots, body, ret = loop_fcn(c, args[2], scope, [at.items, zt])
    if ret != slots[1].type:
        raise NotCovered("a.foldRight whose function changes the accumulator type")

    def run(rt: Run) -> Any:
        acc = convert(zf(rt), zt, slots[1].type)
        for item in reversed(elements(af(rt), at)):  # titus2: reduce over reversed(a), fcn(item, acc)
            rt.env[slots[0].id] = convert(item, at.items, slots[0].type)
            rt.env[slots[1].id] = acc
            acc = body(rt)
        return acc

    return run, ret
