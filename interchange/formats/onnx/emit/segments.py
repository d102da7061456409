"""Segmentation in ONNX: each segment's model emitted into the same graph, its predicate a mask,
then the IR's combination (interchange.ir.segmentation) in Where / Add / Div arithmetic.

Written: selectFirst; regression sum, weightedSum, average, weightedAverage; classification
average, weightedAverage, majorityVote, weightedMajorityVote; missingPredictionTreatment
continue and returnMissing (a used segment's missing result already makes these missing).
Refused with a reason: median, weightedMedian and max (order statistics across segments are
not written to ONNX yet) and skipSegment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, Builder, refuse
from interchange.formats.onnx.emit.linear import row_sum
from interchange.formats.onnx.emit.predicates import masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter, lookup
from interchange.ir.segmentation import WEIGHTED, Segmentation

__all__: list[str] = []

_WRITTEN = ("selectFirst", "sum", "weightedSum", "average", "weightedAverage", "majorityVote", "weightedMajorityVote")


def _anchor(b: Builder, step: Segmentation) -> str:
    for name in step.inputs:
        if b.types.get(b.where(name)[0]) == DOUBLE:
            return b.column(name)
    raise refuse("a Segmentation reading no numeric field")


def _aligned(b: Builder, probs: str, own: tuple[Any, ...], classes: tuple[Any, ...]) -> str:
    """The segment's probabilities in ``classes`` order; a class it lacks is 0 (NaN rows stay NaN)."""
    mine = [str(c) for c in own]
    index = [mine.index(str(c)) if str(c) in mine else 0 for c in classes]
    if index == list(range(len(mine))) and len(mine) == len(classes):
        return probs
    out = b.op("Gather", [probs, b.const(index, np.int64, "i")], axis=1)
    present = np.array([1.0 if str(c) in mine else 0.0 for c in classes])
    return out if present.all() else b.op("Mul", [out, b.const(present)])


def _sum(b: Builder, terms: list[str]) -> str:
    out = terms[0]
    for t in terms[1:]:
        out = b.op("Add", [out, t])
    return out


@emitter(Segmentation)
def segmentation(step: Segmentation, b: Builder) -> Emitted:
    if step.method not in _WRITTEN:
        raise refuse(f"Segmentation {step.method}: order statistics across segments are not written to ONNX yet")
    if step.treatment == "skipSegment":
        raise refuse("Segmentation missingPredictionTreatment=skipSegment (not written to ONNX yet)")
    like = _anchor(b, step)
    on = [tensor(b, masks(b, p)[0], like) for p in step.predicates]
    results: list[Emitted] = [lookup(m)(m, b) for m in step.models]
    w = [float(x) if step.method in WEIGHTED else 1.0 for x in step.weights]
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
            vz = [b.op("Where", [m, v, zero]) for m, v in zip(on, values, strict=True)]  # (a used NaN stays NaN)
            if step.method in ("weightedSum", "weightedAverage"):
                vz = [b.op("Mul", [v, b.const(wi)]) for v, wi in zip(vz, w, strict=True)]
            value = _sum(b, vz)
            count = _sum(b, [b.op("Where", [m, b.const(wi), zero]) for m, wi in zip(on, w, strict=True)])
            if step.method in ("average", "weightedAverage"):
                value = b.op("Div", [value, count])
            value = b.op("Where", [b.op("Greater", [count, zero]), value, nan])
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
    elif step.method in ("average", "weightedAverage"):
        weighted = [b.op("Where", [m, b.op("Mul", [p, b.const(wi)]), zero]) for m, p, wi in zip(on, P, w, strict=True)]
        total = _sum(b, [b.op("Where", [m, b.const(wi), zero]) for m, wi in zip(on, w, strict=True)])
        probs = b.op("Div", [_sum(b, weighted), total])
    else:  # votes: each segment's first most probable class; a missing one is a missing vote
        votes: list[str] = []
        missing: list[str] = []
        totals: list[str] = []
        for m, p, wi in zip(on, P, w, strict=True):
            gone = b.op("IsNaN", [row_sum(b, p)])
            index = b.op("ArgMax", [b.op("Where", [gone, zero, p])], axis=1, keepdims=1, select_last_index=0)
            hit = b.op("Equal", [index, b.const(np.arange(k, dtype=np.int64), np.int64, "i")])  # [N, k]
            onehot = b.op("Mul", [b.op("Cast", [hit], to=DOUBLE), b.const(wi)])
            counted = b.op("And", [m, b.op("Not", [gone])])
            votes.append(b.op("Where", [counted, onehot, zero]))
            missing.append(b.op("Where", [b.op("And", [m, gone]), b.const(wi), zero]))
            totals.append(b.op("Where", [m, b.const(wi), zero]))
        v, miss, tot = _sum(b, votes), _sum(b, missing), _sum(b, totals)
        top = b.op("ReduceMax", [v, b.const([1], np.int64, "axes")], keepdims=1)
        ok = b.op("And", [b.op("Greater", [tot, zero]), b.op("Not", [b.op("Greater", [miss, top])])])
        probs = b.op("Where", [ok, b.op("Div", [v, tot]), nan])
    b.declare(probs, k)
    return Emitted(label=argmax_label(b, classes, probs), probabilities=probs)
