"""PFA ``a.*`` functions that pick, reorder or count an array's items, over whole batches:
``a.head``, ``a.last``, ``a.tail``, ``a.init``, ``a.reverse``, ``a.sort``, ``a.count`` /
``a.contains`` / ``a.index`` / ``a.rindex`` (an item or a predicate), ``a.mapWithIndex``,
``a.concat``, ``a.append``, ``a.rotate``, ``a.subseq`` (literal bounds, Python's slice as titus2)
and ``a.maxN`` / ``a.minN`` / ``a.argmaxN`` / ``a.argminN`` (a literal n; titus2's insertion keeps
equal items in their order: a stable sort). ``a.foldRight`` / ``a.reduceRight`` are in ``arrays``,
beside their left-hand twins.

Every row's array has the same length in the fast path's layout, so results stay rectangular.
``a.sort`` is titus2's stable ``sorted`` under PFA's ``compare`` (NaN after every double, 0.0 and
-0.0 equal, so they keep their order), which is numpy's stable sort; float arrays with NaN (where
titus2's float compare calls NaN equal to everything) are deferred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
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
    is_int,
    is_num,
    length,
    lmap,
    take,
)
from interchange.formats.pfa.fast.values import Failed

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
            if name == "a.contains":
                return hits.any(axis=-1)
            return hits.sum(axis=-1).astype(np.int64) if name == "a.count" else _position(hits, name)

        return run, BOOLEAN if name == "a.contains" else INT

    return compile_


def _position(hits: np.ndarray, name: str) -> np.ndarray:
    """The first (``a.index``) or last (``a.rindex``) item that holds, -1 where none does."""
    k = hits.shape[-1]
    found = hits.any(axis=-1)
    at = np.argmax(hits, axis=-1) if name == "a.index" else k - 1 - np.argmax(np.flip(hits, axis=-1), axis=-1)
    return np.where(found, at, -1).astype(np.int64)


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
        errors = len(rt.errors)
        try:
            hits = np.asarray(run_lanes(rt, slots, [a], [at.items], body, ret, length(a, at)), dtype=bool)
        except Failed:  # a strict run stops at the error: titus2 may stop at an earlier hit
            raise Defer(f"an error inside {name}'s predicate") from None
        if name == "a.count":
            return hits.sum(axis=-1).astype(np.int64)
        if len(rt.errors) > errors:  # titus2 stops at the first hit: a later error may never happen
            raise Defer(f"an error inside {name}'s predicate, which stops at the first hit")
        return _position(hits, name)

    return run, INT


for _name in ("a.count", "a.contains", "a.index", "a.rindex"):
    fn(_name)(_needle(_name))


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


def _primitive_items(c: Compiler, args: list[Any], scope: Scope, name: str, count: int) -> list[Any]:
    compiled = args_of(c, args, scope, count)
    at = compiled[0][1]
    if not (isinstance(at, Arr) and (is_num(at.items) or at.items in (STRING, BOOLEAN))):
        raise NotCovered(f"{name} of {at}")
    return compiled


@fn("a.concat")
def _a_concat(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = _primitive_items(c, args, scope, "a.concat", 2)
    if bt != at:
        raise NotCovered(f"a.concat of {at} and {bt}")

    def run(rt: Run) -> Any:
        a, b = np.asarray(af(rt)), np.asarray(bf(rt))
        lead = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
        return np.concatenate([np.broadcast_to(a, lead + a.shape[-1:]), np.broadcast_to(b, lead + b.shape[-1:])], axis=-1)

    return run, at


@fn("a.append")
def _a_append(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (xf, xt) = _primitive_items(c, args, scope, "a.append", 2)
    if xt != at.items:
        raise NotCovered(f"a.append of a {xt} to {at}")

    def run(rt: Run) -> Any:
        a, x = np.asarray(af(rt)), np.asarray(xf(rt))
        lead = np.broadcast_shapes(a.shape[:-1], x.shape)
        return np.concatenate([np.broadcast_to(a, lead + a.shape[-1:]), np.broadcast_to(x, lead)[..., None]], axis=-1)

    return run, at


@fn("a.rotate")
def _a_rotate(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (sf, st) = _primitive_items(c, args, scope, "a.rotate", 2)
    if not is_int(st):
        raise NotCovered("a.rotate by a non-integer")
    depth = scope.depth

    def run(rt: Run) -> Any:
        a, steps = np.asarray(af(rt)), np.asarray(sf(rt), dtype=np.int64)
        rt.fail(steps < 0, depth, "steps out of range")
        k = a.shape[-1]
        if k == 0:
            return a
        lead = np.broadcast_shapes(a.shape[:-1], steps.shape)
        idx = (np.arange(k) + np.maximum(steps, 0)[..., None] % k) % k  # right + left of a split at steps % k
        return np.take_along_axis(np.broadcast_to(a, lead + (k,)), np.broadcast_to(idx, lead + (k,)), axis=-1)

    return run, at


@fn("a.subseq")
def _a_subseq(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 3 or not all(isinstance(x, int) and not isinstance(x, bool) for x in args[1:]):
        raise NotCovered("a.subseq with bounds that are not literals (a length per row)")
    af, at = _one_array(c, args[:1], scope, "a.subseq")
    cut = slice(args[1], args[2])  # titus2: a[start:end]
    return (lambda rt: lmap(lambda x, r: np.asarray(x)[(Ellipsis, cut) + (slice(None),) * r], af(rt), at.items)), at


def _extremes(name: str) -> Callable[..., Compiled]:
    """titus2's highestN / lowestN (and their arg forms): the first ``n`` of a stable sort,
    descending for max, ascending for min (equal items in their original order)."""
    highest, indices = "max" in name, name.startswith("a.arg")

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2 or not (isinstance(args[1], int) and not isinstance(args[1], bool)) or args[1] < 0:
            raise NotCovered(f"{name} with an n that is not a literal count (a length per row)")
        n = args[1]
        af, at = _one_array(c, args[:1], scope, name)
        if not (is_num(at.items) or at.items == STRING):
            raise NotCovered(f"{name} of an array of {at.items}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x = np.asarray(af(rt))
            k = x.shape[-1]
            if k == 0:
                rt.fail(np.array(True), depth, "empty array")
                raise Defer(f"{name} of an empty array")
            if x.dtype.kind == "f" and np.isnan(x).any():
                raise Defer(f"{name} over NaN (titus2's compare puts NaN above every number)")
            if highest:  # stable descending: sort the reversed items, read back to front
                order = (k - 1 - np.argsort(x[..., ::-1], axis=-1, kind="stable"))[..., ::-1]
            else:
                order = np.argsort(x, axis=-1, kind="stable")
            order = order[..., :n]
            return order.astype(np.int64) if indices else np.take_along_axis(x, order, axis=-1)

        return run, Arr(INT) if indices else at

    return compile_


for _name in ("a.maxN", "a.minN", "a.argmaxN", "a.argminN"):
    fn(_name)(_extremes(_name))
