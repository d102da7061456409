"""Segmentation in ONNX: each segment's model emitted into the same graph, its predicate a mask,
then the IR's combination (interchange.ir.combine.segmentation) in Where / Add / Div arithmetic.

Every method and missingPredictionTreatment of the IR step: selectFirst as a Where chain, the
others through formats.combine (order statistics across segments as ranks, no sort), the
classification ones over [N, k] tensors at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.combine import any_of, combine_value, middle, total, treat, weighted_middle
from interchange.formats.onnx.emit.builder import DOUBLE, Builder, refuse
from interchange.formats.onnx.emit.models.linear import row_sum
from interchange.formats.onnx.emit.predicates import masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter, lookup
from interchange.ir.combine.segmentation import WEIGHTED, Segmentation
from interchange.ir.graph import ModelStep

__all__ = ["weighed"]


def _anchor(b: Builder, step: ModelStep) -> str:
    for name in step.inputs:
        if b.types.get(b.where(name)[0]) == DOUBLE:
            return b.column(name)
    raise refuse(f"a {type(step).__name__} reading no numeric field")


def _aligned(b: Builder, probs: str, own: tuple[Any, ...], classes: tuple[Any, ...]) -> str:
    """The segment's probabilities in ``classes`` order; a class it lacks is 0 (NaN rows stay NaN)."""
    mine = [str(c) for c in own]
    index = [mine.index(str(c)) if str(c) in mine else 0 for c in classes]
    if index == list(range(len(mine))) and len(mine) == len(classes):
        return probs
    out = b.op("Gather", [probs, b.const(index, np.int64, "i")], axis=1)
    present = np.array([1.0 if str(c) in mine else 0.0 for c in classes])
    return out if present.all() else b.op("Mul", [out, b.const(present)])


class _Ops:
    """formats.combine's operations as ONNX nodes (double tensors, bool masks)."""

    def __init__(self, b: Builder) -> None:
        self.b = b

    def num(self, x: float | str) -> str:
        """A constant; a tensor's name (a weight read per row, VariableWeights) as it is."""
        return x if isinstance(x, str) else self.b.const(float(x))

    def _op(self, op: str, *args: str) -> str:
        return self.b.op(op, list(args))

    def add(self, a: str, c: str) -> str:
        return self._op("Add", a, c)

    def sub(self, a: str, c: str) -> str:
        return self._op("Sub", a, c)

    def mul(self, a: str, c: str) -> str:
        return self._op("Mul", a, c)

    def div(self, a: str, c: str) -> str:
        return self._op("Div", a, c)

    def floor(self, a: str) -> str:
        return self._op("Floor", a)

    def maximum(self, a: str, c: str) -> str:
        return self._op("Max", a, c)

    def lt(self, a: str, c: str) -> str:
        return self._op("Less", a, c)

    def le(self, a: str, c: str) -> str:
        return self._op("LessOrEqual", a, c)

    def eq(self, a: str, c: str) -> str:
        return self._op("Equal", a, c)

    def ge(self, a: str, c: str) -> str:
        return self._op("GreaterOrEqual", a, c)

    def gt(self, a: str, c: str) -> str:
        return self._op("Greater", a, c)

    def and_(self, a: str, c: str) -> str:
        return self._op("And", a, c)

    def or_(self, a: str, c: str) -> str:
        return self._op("Or", a, c)

    def not_(self, a: str) -> str:
        return self._op("Not", a)

    def isnan(self, a: str) -> str:
        return self._op("IsNaN", a)

    def where(self, c: str, a: str, d: str) -> str:
        return self._op("Where", c, a, d)

    def bind(self, a: str, boolean: bool = False) -> str:
        return a


@emitter(Segmentation)
def segmentation(step: Segmentation, b: Builder) -> Emitted:
    return weighed(step, b, None)


def weighed(step: Segmentation, b: Builder, weigh: Callable[[list[str]], list[Any]] | None) -> Emitted:
    """The Segmentation; ``weigh``: the segments' [N, 1] weight tensors (or numbers) from their [N, 1] fired
    masks (VariableWeights), for the step's constant weights."""
    like = _anchor(b, step)
    on = [tensor(b, masks(b, p)[0], like) for p in step.predicates]
    results: list[Emitted] = [lookup(m)(m, b) for m in step.models]
    w: list[Any] = weigh(on) if weigh is not None else [float(x) if step.method in WEIGHTED else 1.0 for x in step.weights]
    ops = _Ops(b)
    nan, zero = b.const(np.nan), b.const(0.0)
    if step.classes is None:
        values = [r.value for r in results if r.value is not None]
        if len(values) != len(results):
            raise refuse("a regression segment without a value")
        if step.method == "selectFirst":
            value = nan
            for m, v in zip(reversed(on), reversed(values), strict=True):
                value = b.op("Where", [m, v, value])
        else:
            value = combine_value(ops, step.method, values, on, w, step.treatment, step.threshold)
        b.declare(value, 1)
        return Emitted(value=value)
    classes = tuple(step.classes)
    k = len(classes)
    P: list[str] = []
    for r, model in zip(results, step.models, strict=True):
        own = getattr(model, "classes", None)
        if r.probabilities is None or own is None:
            raise refuse("a classification segment without probabilities")
        P.append(_aligned(b, r.probabilities, tuple(own), classes))
    if step.method == "selectFirst":
        probs = b.op("Add", [b.op("Mul", [like, zero]), b.const(np.full(k, np.nan))])  # [N, k] of NaN
        for m, p in zip(reversed(on), reversed(P), strict=True):
            probs = b.op("Where", [m, p, probs])
        b.declare(probs, k)
        return Emitted(label=argmax_label(b, classes, probs), probabilities=probs)
    gone = [b.op("IsNaN", [row_sum(b, p)]) for p in P]  # a segment's missing result (any missing probability)
    used, dead = treat(ops, step.treatment, step.threshold, gone, on, w)
    label = None
    if step.method in ("average", "weightedAverage"):
        weighted = [b.op("Where", [m, b.op("Mul", [p, ops.num(wi)]), zero]) for m, p, wi in zip(used, P, w, strict=True)]
        count = total(ops, [b.op("Where", [m, ops.num(wi), zero]) for m, wi in zip(used, w, strict=True)])
        probs = b.op("Div", [total(ops, weighted), count])
    elif step.method in ("max", "median", "weightedMedian"):
        probs, label = _ordered(ops, step.method, P, gone, used, w, classes)
    else:  # votes: each segment's first most probable class; a missing one is a missing vote
        votes: list[str] = []
        missing: list[str] = []
        totals: list[str] = []
        for m, p, g, wi in zip(used, P, gone, w, strict=True):
            index = b.op("ArgMax", [b.op("Where", [g, zero, p])], axis=1, keepdims=1, select_last_index=0)
            hit = b.op("Equal", [index, b.const(np.arange(k, dtype=np.int64), np.int64, "i")])  # [N, k]
            onehot = b.op("Mul", [b.op("Cast", [hit], to=DOUBLE), ops.num(wi)])
            counted = b.op("And", [m, b.op("Not", [g])])
            votes.append(b.op("Where", [counted, onehot, zero]))
            missing.append(b.op("Where", [b.op("And", [m, g]), ops.num(wi), zero]))
            totals.append(b.op("Where", [m, ops.num(wi), zero]))
        v, miss, tot = total(ops, votes), total(ops, missing), total(ops, totals)
        top = b.op("ReduceMax", [v, b.const([1], np.int64, "axes")], keepdims=1)
        ok = b.op("And", [b.op("Greater", [tot, zero]), b.op("Not", [b.op("Greater", [miss, top])])])
        probs = b.op("Where", [ok, b.op("Div", [v, tot]), nan])
    if dead is not None:
        probs = b.op("Where", [dead, nan, probs])
    b.declare(probs, k)
    return Emitted(label=label or argmax_label(b, classes, probs), probabilities=probs)


def _ordered(
    ops: _Ops, method: str, P: list[str], gone: list[str], used: list[str], w: list[Any], classes: tuple[Any, ...]
) -> tuple[str, str]:
    """(probabilities, label) of max / median / weightedMedian (ir.segmentation.combine_probabilities):
    the order statistic per category over [N, k] tensors, the winner the first category with the
    highest, the probabilities the average of the segments whose probability of the winner is it."""
    b = ops.b
    zero, nan = b.const(0.0), b.const(np.nan)
    Pz = [b.op("Where", [u, p, zero]) for u, p in zip(used, P, strict=True)]
    if method == "max":
        combined = b.op("Where", [used[0], P[0], b.const(-np.inf)])
        for u, p in zip(used[1:], P[1:], strict=True):
            combined = b.op("Max", [combined, b.op("Where", [u, p, b.const(-np.inf)])])
    elif method == "median":
        low, high = middle(ops, Pz, used)
        combined = b.op("Div", [b.op("Add", [low, high]), b.const(2.0)])
    else:
        combined = weighted_middle(ops, Pz, used, w)
    scores = b.op("Where", [b.op("IsNaN", [combined]), b.const(-np.inf), combined])
    winner = b.op("ArgMax", [scores], axis=1, keepdims=1, select_last_index=0)
    chosen = [b.op("GatherElements", [p, winner], axis=1) for p in Pz]
    if method == "median":
        lo, hi = middle(ops, chosen, used)
        takes = [
            b.op("And", [u, b.op("Or", [b.op("Equal", [c, lo]), b.op("Equal", [c, hi])])])
            for u, c in zip(used, chosen, strict=True)
        ]
    else:
        target = b.op("GatherElements", [combined, winner], axis=1)
        takes = [b.op("And", [u, b.op("Equal", [c, target])]) for u, c in zip(used, chosen, strict=True)]
    summed = total(ops, [b.op("Where", [t, p, zero]) for t, p in zip(takes, Pz, strict=True)])
    count = total(ops, [b.op("Where", [t, b.const(1.0), zero]) for t in takes])
    broken = any_of(ops, [b.op("And", [u, g]) for u, g in zip(used, gone, strict=True)])
    bad = b.op("Or", [broken, b.op("Not", [any_of(ops, used)])])
    probs = b.op("Where", [bad, nan, b.op("Div", [summed, count])])
    label = argmax_label(b, classes, b.op("Where", [bad, nan, scores]))
    return probs, label
