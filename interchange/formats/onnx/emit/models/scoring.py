"""Scorecard (its score) and RuleSet (the selected label) in ONNX: Where chains over predicate masks.

Refused with a reason: ranked reason codes (the codes sorted by points, ties by the first
characteristic giving them, are not written to ONNX yet) and a rule set without a defaultScore
(no rule firing gives a missing label, which an ONNX string tensor has no form for).
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, INT64, Builder, refuse
from interchange.formats.onnx.emit.predicates import AND, Mask, masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, emitter, labels
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard

__all__: list[str] = []


def _anchor(b: Builder, fields: list[str]) -> str:
    """A ``[N, 1]`` double tensor to shape constant masks (the first numeric input read)."""
    for name in fields:
        if b.types.get(b.where(name)[0]) == DOUBLE:
            return b.column(name)
    raise refuse("a rule set or scorecard reading no numeric field")


@emitter(Scorecard)
def scorecard(step: Scorecard, b: Builder) -> Emitted:
    if step.reasons:
        raise refuse("ranked reason codes (Scorecard reasonCode outputs): sorting codes by points is not written to ONNX yet")
    like = _anchor(b, list(step.inputs))
    total = b.const(float(step.initial))
    for ch in step.characteristics:
        partial = b.const(np.nan)
        for a in reversed(ch.attributes):
            t = tensor(b, masks(b, a.predicate)[0], like)
            score = b.column(a.score) if isinstance(a.score, str) else b.const(float(a.score))
            partial = b.op("Where", [t, score, partial])
        total = b.op("Add", [total, partial])
    b.declare(total, 1)
    return Emitted(value=total)


@emitter(RuleSet)
def ruleset(step: RuleSet, b: Builder) -> Emitted:
    if step.default is None:
        raise refuse("a RuleSet without a defaultScore (no rule firing is a missing label)")
    like = _anchor(b, list(step.inputs))
    scores = list(dict.fromkeys(str(r.score) for r in step.rules))
    names = [*scores, str(step.default)]

    def fires(rule: object) -> Mask:
        m: Mask = True
        for p in rule.predicates:  # type: ignore[attr-defined]
            m = AND(b, m, masks(b, p)[0])
        return m

    if step.criterion in ("firstHit", "weightedMax"):
        rules = list(step.rules) if step.criterion == "firstHit" else sorted(step.rules, key=lambda r: -r.weight)
        index = b.const(np.array([[len(scores)]], dtype=np.int64), np.int64, "i")
        for r in reversed(rules):
            index = b.op(
                "Where", [tensor(b, fires(r), like), b.const(np.array([[scores.index(str(r.score))]]), np.int64, "i"), index]
            )
    else:
        totals = []
        for s in scores:
            total = b.const(0.0)
            for r in step.rules:
                if str(r.score) == s:
                    total = b.op(
                        "Add", [total, b.op("Where", [tensor(b, fires(r), like), b.const(float(r.weight)), b.const(0.0)])]
                    )
            totals.append(b.op("Add", [total, b.op("Mul", [like, b.const(0.0)])]) if total.startswith("c.") else total)
        matrix = b.op("Concat", totals, "totals", axis=1)
        winner = b.op("ArgMax", [matrix], "argmax", axis=1, keepdims=1, select_last_index=0)
        fired = b.op("Greater", [b.op("ReduceSum", [matrix, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)])
        index = b.op("Where", [fired, winner, b.const(np.array([[len(scores)]], dtype=np.int64), np.int64, "i")])
    flat = b.op("Reshape", [b.op("Cast", [index], to=INT64), b.const([-1], np.int64, "shape")])
    return Emitted(label=labels(b, tuple(names), flat))
