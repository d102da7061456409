"""PFA ``a.*`` summaries titus2 computes one array at a time, over whole batches: ``a.mode`` (a
forest's vote), ``a.median``, ``a.product``, ``a.lnsum``, ``a.geomean``, ``a.logsumexp``.

titus2's order is kept: ``a.mode`` counts equal items (by their JSON text), keeps the items
with the highest count and returns their median (``a.median``: the middle of the sorted items;
of an even count, the mean of the two middle ones for float / double, the lower one otherwise).
Rows where that order is not numpy's (a NaN, or a -0.0: JSON text tells 0.0 and -0.0 apart and
NaN equal to NaN, and titus2's sort is stable with a float's NaN equal to everything) are
computed item by item as titus2 computes them (``_titus_median`` / ``_titus_mode``); the rest
of the batch stays vectorised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.collections.ordering import compare_of
from interchange.formats.pfa.fast.library.registry import args_of, fn, seqsum
from interchange.formats.pfa.fast.types import DOUBLE, STRING, Arr, Defer, EnumT, NotCovered, Prim, is_int, is_num

__all__: list[str] = []

LONG_MAX = 2**63 - 1


def _array(c: Compiler, args: list[Any], scope: Scope, name: str, numbers: bool) -> tuple[Callable[[Run], Any], Any]:
    ((af, at),) = args_of(c, args, scope, 1)
    if not isinstance(at, Arr):
        raise NotCovered(f"{name} on {at}")
    ok = is_num(at.items) if numbers else (is_num(at.items) or at.items == STRING or isinstance(at.items, EnumT))
    if not ok:
        raise NotCovered(f"{name} on an array of {at.items}")
    return af, at.items


def _special(x: np.ndarray) -> np.ndarray:
    """Rows (all axes but the last) whose titus2 order is not numpy's: a NaN or a -0.0."""
    if x.dtype.kind != "f":
        return np.zeros(x.shape[:-1], dtype=bool)
    return (np.isnan(x) | ((x == 0) & np.signbit(x))).any(axis=-1)


def _titus_median(items: list[Any], cmp: Callable[[Any, Any], int], floating: bool) -> Any:
    """titus2's ``a.median`` of one array (``titus.lib.array.Median``): a stable sort by its ``compare``."""
    sa = sorted(items, key=cmp_to_key(cmp))
    half = len(sa) // 2
    if len(sa) % 2:
        return sa[half]
    return (sa[half - 1] + sa[half]) / 2.0 if floating else sa[half - 1]


def _titus_mode(items: list[Any], cmp: Callable[[Any, Any], int], floating: bool) -> Any:
    """titus2's ``a.mode`` of one array (``titus.lib.array.Mode``): items counted by their JSON text,
    the median of the most frequent ones in order of first appearance."""
    counter: dict[str, int] = {}
    lookup: dict[str, Any] = {}
    for x in items:
        xx = json.dumps(x)
        if xx not in counter:
            counter[xx], lookup[xx] = 0, x
        counter[xx] += 1
    best = max(counter.values())
    return _titus_median([lookup[xx] for xx in counter if counter[xx] == best], cmp, floating)


def _nth(s: np.ndarray, mark: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per row the ``t``-th (0-based) item of ``s`` among those ``mark`` flags."""
    rank = np.cumsum(mark, axis=-1) - 1
    hit = mark & (rank == t[..., None])
    return np.take_along_axis(s, np.argmax(hit, axis=-1)[..., None], axis=-1)[..., 0]


def _middle(s: np.ndarray, mark: np.ndarray, floating: bool) -> np.ndarray:
    """titus2's ``a.median`` of the marked (sorted) items of each row."""
    m = mark.sum(axis=-1)
    half = m // 2
    upper = _nth(s, mark, half)
    lower = _nth(s, mark, np.maximum(half - 1, 0))
    odd = (m % 2) == 1
    if floating:
        return np.where(odd, upper, (lower + upper) / 2.0)
    return np.where(odd, upper, lower)


def _sorted_summary(
    name: str, pick: Callable[[np.ndarray, bool], np.ndarray], one: Callable[[list[Any], Callable[[Any, Any], int], bool], Any]
) -> Callable[..., Compiled]:
    """``a.median`` / ``a.mode``: ``pick`` over each row's items sorted in titus2's order; rows
    holding a NaN or a -0.0 by ``one``, titus2's computation on that row's items."""

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        af, t = _array(c, args, scope, name, numbers=False)
        depth, floating = scope.depth, t in (DOUBLE, Prim("float"))
        cmp = compare_of(t) if floating else None

        def run(rt: Run) -> Any:
            x = np.asarray(af(rt))
            if x.shape[-1] == 0:
                rt.fail(np.array(True), depth, "empty array")
                return np.zeros(x.shape[:-1], dtype=x.dtype)
            special = _special(x)
            out = pick(np.sort(x, axis=-1), floating)
            if cmp is not None and special.any():
                out = np.array(np.broadcast_to(out, special.shape), dtype=np.float64)
                rows = np.broadcast_to(x, special.shape + x.shape[-1:])
                for at in zip(*np.nonzero(special), strict=True):
                    out[at] = one(rows[at].tolist(), cmp, floating)
            return out

        return run, t

    return compile_


def _mode(s: np.ndarray, floating: bool) -> np.ndarray:
    """The median of the most frequent items (titus2's ``a.mode``) of sorted rows ``s``."""
    k = s.shape[-1]
    same = s[..., 1:] == s[..., :-1]
    start = np.concatenate([np.ones(s.shape[:-1] + (1,), dtype=bool), ~same], axis=-1)
    end = np.concatenate([~same, np.ones(s.shape[:-1] + (1,), dtype=bool)], axis=-1)
    idx = np.arange(k)
    first = np.maximum.accumulate(np.where(start, idx, 0), axis=-1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(end, idx, k - 1), axis=-1), axis=-1), axis=-1)
    count = last - first + 1
    best = start & (count == count.max(axis=-1, keepdims=True))  # one mark per distinct most frequent item
    return _middle(s, best, floating)


fn("a.median")(_sorted_summary("a.median", lambda s, floating: _middle(s, np.ones(s.shape, dtype=bool), floating), _titus_median))
fn("a.mode")(_sorted_summary("a.mode", _mode, _titus_mode))


@fn("a.product")
def _a_product(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af, t = _array(c, args, scope, "a.product", numbers=True)
    depth = scope.depth

    def run(rt: Run) -> Any:
        x = np.asarray(af(rt))
        if not is_int(t):
            return _seqprod(x)
        big = np.abs(np.prod(x.astype(np.float64), axis=-1)) >= 2.0**62  # past int64's exact products
        exact = np.prod(x.astype(np.int64), axis=-1)
        lo, hi = (-(2**31), 2**31 - 1) if t.name == "int" else (-LONG_MAX - 1, LONG_MAX)
        over = np.where(big, False, (exact < lo) | (exact > hi))
        if big.any():  # those rows in Python's whole numbers, as titus2 multiplies
            rows = np.broadcast_to(x, big.shape + x.shape[-1:])[big].tolist()
            over[big] = [not lo <= int(np.prod(np.array(r, dtype=object))) <= hi for r in rows]
            exact = np.where(big, 0, exact)
        rt.fail(over, depth, f"{t.name} overflow")
        return exact

    return run, t


def _doubles(c: Compiler, args: list[Any], scope: Scope, name: str) -> Callable[[Run], Any]:
    af, t = _array(c, args, scope, name, numbers=True)
    if t != DOUBLE:
        raise NotCovered(f"{name} of a non-double array")
    return af


def _seqprod(x: np.ndarray) -> np.ndarray:
    """Left-to-right product from 1.0 along the last axis (titus2's ``reduce``)."""
    out = np.ones(x.shape[:-1])
    for j in range(x.shape[-1]):
        out = out * x[..., j]
    return out


@fn("a.lnsum")
def _a_lnsum(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af = _doubles(c, args, scope, "a.lnsum")

    def run(rt: Run) -> Any:
        x = np.asarray(af(rt), dtype=np.float64)
        logs = np.where(x < 0.0, np.nan, np.where(x == 0.0, -np.inf, np.log(np.where(x > 0.0, x, 1.0))))
        return seqsum(logs) if x.shape[-1] else np.zeros(x.shape[:-1])

    return run, DOUBLE


@fn("a.geomean")
def _a_geomean(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af = _doubles(c, args, scope, "a.geomean")

    def run(rt: Run) -> Any:
        x = np.asarray(af(rt), dtype=np.float64)
        k = x.shape[-1]
        if k == 0:
            return np.full(x.shape[:-1], np.nan)
        product = _seqprod(x)
        if k > 1 and (product < 0).any():
            raise Defer("a.geomean of a negative product (Python's power gives a complex number)")
        return np.power(product, 1.0 / k)

    return run, DOUBLE


@fn("a.logsumexp")
def _a_logsumexp(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    af = _doubles(c, args, scope, "a.logsumexp")

    def run(rt: Run) -> Any:
        x = np.asarray(af(rt), dtype=np.float64)
        if x.shape[-1] == 0:
            return np.full(x.shape[:-1], np.nan)
        if np.isnan(x).any():
            raise Defer("a.logsumexp over NaN (Python's max depends on where the NaN is)")
        top = x.max(axis=-1)
        return np.log(seqsum(np.exp(x - top[..., None]))) + top  # titus2: log(sum of exp(v - max)) + max

    return run, DOUBLE
