"""The IR's segment combination (interchange.ir.combine.segmentation) spelled in elementwise operations,
for the writers that have no sort: the ONNX writer (tensors) and the PFA writer (expressions).

One copy of the arithmetic for both: each writer supplies an ``Ops`` over its own terms (an ONNX
tensor name, a PFA expression). Order statistics across the m segments are ranks: a segment's
stable rank is how many keys sort before it (O(m^2) comparisons, m is small), and the value at
a sorted position is picked by rank. The sums run in the IR's order (numpy sums over the
segment axis one row after another, cumsum likewise), so the results are the IR's to the bit.

Regression (``combine_value``): every method but selectFirst, under continue / returnMissing /
skipSegment. Classification (``ordered_probabilities``): max, median and weightedMedian's
combined probabilities, winner and averaged probabilities, per category; the writers loop
or broadcast over categories themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["Ops", "treat", "combine_value", "middle", "weighted_middle", "ranks", "pick", "any_of", "total"]

T = Any


class Ops(Protocol):
    """Elementwise operations of one writer; booleans and doubles are separate terms."""

    def num(self, x: float) -> T:
        """A double constant (inf and NaN included)."""
        ...

    def add(self, a: T, b: T) -> T: ...
    def sub(self, a: T, b: T) -> T: ...
    def mul(self, a: T, b: T) -> T: ...
    def div(self, a: T, b: T) -> T: ...
    def floor(self, a: T) -> T: ...
    def maximum(self, a: T, b: T) -> T: ...
    def lt(self, a: T, b: T) -> T: ...
    def le(self, a: T, b: T) -> T: ...
    def eq(self, a: T, b: T) -> T: ...
    def ge(self, a: T, b: T) -> T: ...
    def gt(self, a: T, b: T) -> T: ...
    def and_(self, a: T, b: T) -> T: ...
    def or_(self, a: T, b: T) -> T: ...
    def not_(self, a: T) -> T: ...
    def isnan(self, a: T) -> T: ...
    def where(self, c: T, a: T, b: T) -> T: ...
    def bind(self, a: T, boolean: bool = False) -> T:
        """A term used more than once, bound once (a PFA let; ONNX tensors are already shared)."""
        ...


def total(ops: Ops, terms: Sequence[T]) -> T:
    """terms[0] + terms[1] + ... in order (numpy's order over the segment axis)."""
    out = terms[0]
    for t in terms[1:]:
        out = ops.add(out, t)
    return out


def any_of(ops: Ops, flags: Sequence[T]) -> T:
    out = flags[0]
    for f in flags[1:]:
        out = ops.or_(out, f)
    return out


def _indicator(ops: Ops, flag: T) -> T:
    return ops.where(flag, ops.num(1.0), ops.num(0.0))


def ranks(ops: Ops, keys: Sequence[T]) -> list[T]:
    """Each key's position in a stable ascending sort: earlier equal keys count, later ones do not."""
    out = []
    for i, k in enumerate(keys):
        before = [ops.le(keys[j], k) if j < i else ops.lt(keys[j], k) for j in range(len(keys)) if j != i]
        out.append(ops.bind(total(ops, [_indicator(ops, f) for f in before]) if before else ops.num(0.0)))
    return out


def pick(ops: Ops, rank: Sequence[T], items: Sequence[T], position: T) -> T:
    """The item whose rank is ``position`` (the first item if none is: only where keys are NaN)."""
    out = items[0]
    for r, item in zip(reversed(rank[1:]), reversed(items[1:]), strict=True):
        out = ops.where(ops.eq(r, position), item, out)
    return ops.where(ops.eq(rank[0], position), items[0], out)


def _keys(ops: Ops, values: Sequence[T], used: Sequence[T]) -> list[T]:
    inf = ops.num(math.inf)
    return [ops.bind(ops.where(u, v, inf)) for v, u in zip(values, used, strict=True)]


def middle(ops: Ops, values: Sequence[T], used: Sequence[T]) -> tuple[T, T]:
    """The lower and upper middle of the used values (ir.segmentation._middle)."""
    keys = _keys(ops, values, used)
    rank = ranks(ops, keys)
    count = ops.bind(ops.maximum(total(ops, [_indicator(ops, u) for u in used]), ops.num(1.0)))
    low = pick(ops, rank, keys, ops.floor(ops.div(ops.sub(count, ops.num(1.0)), ops.num(2.0))))
    high = pick(ops, rank, keys, ops.floor(ops.div(count, ops.num(2.0))))
    return low, high


def weighted_middle(ops: Ops, values: Sequence[T], used: Sequence[T], w: Sequence[float]) -> T:
    """The first used value, ascending, at which the running weight reaches half the used weight
    (ir.segmentation._weighted_middle: unused values get weight 0 and sort last)."""
    keys = _keys(ops, values, used)
    rank = ranks(ops, keys)
    zero = ops.num(0.0)
    vz = [ops.where(u, v, zero) for v, u in zip(values, used, strict=True)]
    wz = [ops.where(u, ops.num(wi), zero) for u, wi in zip(used, w, strict=True)]
    sorted_values = [ops.bind(pick(ops, rank, vz, ops.num(float(p)))) for p in range(len(keys))]
    running = [ops.bind(pick(ops, rank, wz, ops.num(0.0)))]
    for p in range(1, len(keys)):
        running.append(ops.bind(ops.add(running[-1], pick(ops, rank, wz, ops.num(float(p))))))
    half = ops.bind(ops.mul(ops.num(0.5), running[-1]))
    out = sorted_values[0]
    for run, value in zip(reversed(running), reversed(sorted_values), strict=True):
        out = ops.where(ops.ge(run, half), value, out)
    return out


def treat(
    ops: Ops, treatment: str, threshold: float, miss: Sequence[T], on: Sequence[T], w: Sequence[float]
) -> tuple[list[T], T]:
    """(segments used, rows whose result is missing) under missingPredictionTreatment
    (ir.segmentation.treat_missing); ``dead`` is None where no row is."""
    if treatment == "continue":
        return list(on), None
    used_missing = [ops.bind(ops.and_(m, x), True) for m, x in zip(on, miss, strict=True)]
    if treatment == "returnMissing":
        return list(on), any_of(ops, used_missing)
    zero = ops.num(0.0)
    missing = total(ops, [ops.where(um, ops.num(wi), zero) for um, wi in zip(used_missing, w, strict=True)])
    weight = total(ops, [ops.where(m, ops.num(wi), zero) for m, wi in zip(on, w, strict=True)])
    used = [ops.bind(ops.and_(m, ops.not_(x)), True) for m, x in zip(on, miss, strict=True)]
    return used, ops.gt(ops.div(missing, weight), ops.num(threshold))


def combine_value(
    ops: Ops, method: str, values: Sequence[T], on: Sequence[T], weights: Sequence[float], treatment: str, threshold: float
) -> T:
    """A regression's combined value (ir.segmentation.combine_segments without selectFirst)."""
    values = [ops.bind(v) for v in values]
    miss = [ops.bind(ops.isnan(v), True) for v in values]
    used, dead = treat(ops, treatment, threshold, miss, on, weights)
    zero = ops.num(0.0)
    vz = [ops.where(u, v, zero) for v, u in zip(values, used, strict=True)]
    if method in ("sum", "average"):
        out = total(ops, vz)
    elif method in ("weightedSum", "weightedAverage"):
        out = total(ops, [ops.mul(v, ops.num(wi)) for v, wi in zip(vz, weights, strict=True)])
    elif method == "median":
        low, high = middle(ops, vz, used)
        out = ops.div(ops.add(low, high), ops.num(2.0))
    elif method == "weightedMedian":
        out = weighted_middle(ops, vz, used, weights)
    else:
        raise ValueError(method)
    if method in ("average", "weightedAverage"):
        w = [1.0] * len(weights) if method == "average" else list(weights)
        out = ops.div(out, total(ops, [ops.where(u, ops.num(wi), zero) for u, wi in zip(used, w, strict=True)]))
    broken = any_of(ops, [ops.and_(u, x) for u, x in zip(used, miss, strict=True)])
    any_used = ops.bind(any_of(ops, used), True)
    nan = ops.num(math.nan)
    value = ops.where(ops.and_(any_used, ops.not_(broken)), out, nan)
    if method in ("sum", "weightedSum") and treatment == "skipSegment":  # every used segment skipped sums to 0
        value = ops.where(ops.and_(any_of(ops, on), ops.not_(any_used)), zero, value)
    return value if dead is None else ops.where(dead, nan, value)
