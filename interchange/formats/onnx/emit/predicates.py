"""IR predicates as ONNX boolean masks, and PredicateColumn as a double column (1 / 0 / NaN).

Each predicate gives two ``[N, 1]`` bool tensors, TRUE and UNKNOWN (a comparison reading a
missing value: NaN, or "" for text, the runtime's missing text), combined three-valued as
interchange.ir.derive.predicates.combine_truths does. Python booleans stand for constant masks until
a tensor is needed, so True / False predicates cost no node.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import category_key
from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import emitter
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn

__all__ = ["masks", "AND", "OR", "NOT", "Mask"]

Mask = str | bool
_ORDER = {"lessThan": "Less", "lessOrEqual": "LessOrEqual", "greaterThan": "Greater", "greaterOrEqual": "GreaterOrEqual"}


def NOT(b: Builder, a: Mask) -> Mask:  # noqa: N802 - logic operators read as such
    return (not a) if isinstance(a, bool) else b.op("Not", [a])


def AND(b: Builder, a: Mask, c: Mask) -> Mask:  # noqa: N802
    if isinstance(a, bool):
        return c if a else False
    if isinstance(c, bool):
        return a if c else False
    return b.op("And", [a, c])


def OR(b: Builder, a: Mask, c: Mask) -> Mask:  # noqa: N802
    if isinstance(a, bool):
        return True if a else c
    if isinstance(c, bool):
        return True if c else a
    return b.op("Or", [a, c])


def _missing(b: Builder, x: str, elem: int) -> str:
    return b.op("Equal", [x, b.const(np.array([""], dtype=object), object, "empty")]) if elem == STRING else b.op("IsNaN", [x])


def _equals(b: Builder, x: str, elem: int, value: Any) -> Mask:
    key = category_key(value)
    if elem == STRING:
        return b.op("Equal", [x, b.const(np.array([key], dtype=object), object, "category")])
    try:
        number = float(key)
    except (TypeError, ValueError):
        return False  # a text category never equals a number
    return b.op("Equal", [x, b.const(number)])


def masks(b: Builder, pred: Predicate) -> tuple[Mask, Mask]:
    """(TRUE, UNKNOWN) of ``pred`` as ``[N, 1]`` bool tensors or constants."""
    if isinstance(pred, Always):
        return bool(pred.value), False
    if isinstance(pred, (Compare, InSet)):
        x, elem = b.column(pred.field), b.elem(pred.field)
        gone = _missing(b, x, elem)
        if isinstance(pred, InSet):
            hit: Mask = False
            for v in pred.values:
                hit = OR(b, hit, _equals(b, x, elem, v))
            return AND(b, NOT(b, hit) if pred.negate else hit, NOT(b, gone)), gone
        if pred.operator in ("isMissing", "isNotMissing"):
            return (gone if pred.operator == "isMissing" else NOT(b, gone)), False
        if pred.operator in _ORDER:
            if elem != DOUBLE:
                raise refuse(f"an ordering comparison of the text field {pred.field!r}")
            return b.op(_ORDER[pred.operator], [x, b.const(float(pred.value))]), gone  # NaN compares false
        test = _equals(b, x, elem, pred.value)
        return AND(b, test if pred.operator == "equal" else NOT(b, test), NOT(b, gone)), gone
    if isinstance(pred, Compound):
        parts = [masks(b, p) for p in pred.parts]
        if pred.operator == "surrogate":
            t, u = parts[0]
            for t2, u2 in parts[1:]:
                t, u = OR(b, AND(b, u, t2), AND(b, NOT(b, u), t)), AND(b, u, u2)
            return t, u
        if pred.operator == "and":
            every: Mask = True
            false: Mask = False
            for tp, up in parts:
                every = AND(b, every, tp)
                false = OR(b, false, AND(b, NOT(b, tp), NOT(b, up)))
            return every, AND(b, NOT(b, every), NOT(b, false))
        if pred.operator == "or":
            some: Mask = False
            unknown: Mask = False
            for tp, up in parts:
                some, unknown = OR(b, some, tp), OR(b, unknown, up)
            return some, AND(b, NOT(b, some), unknown)
        raise refuse(f"a {pred.operator} CompoundPredicate")
    raise refuse(f"the predicate {type(pred).__name__}")


def tensor(b: Builder, m: Mask, like: str) -> str:
    """A constant mask as a ``[N, 1]`` tensor shaped like the double tensor ``like``."""
    if not isinstance(m, bool):
        return m
    never = b.op("Less", [like, b.const(-np.inf)])  # false on every row, NaN included
    return b.op("Not", [never]) if m else never


@emitter(PredicateColumn)
def predicate_column(step: PredicateColumn, b: Builder) -> None:
    t, u = masks(b, step.predicate)
    if isinstance(t, bool) and isinstance(u, bool):  # (a lifted <False/> Node: a column of one value)
        from interchange.formats.onnx.emit.expressions import _rows

        b.define((step.name,), b.op("Expand", [b.const(np.nan if u else float(t)), _rows(b)], "constant"))
        return
    value = b.op("Where", [t, b.const(1.0), b.const(0.0)]) if not isinstance(t, bool) else None
    if value is None:
        assert not isinstance(u, bool)
        value = b.op("Where", [u, b.const(1.0 if t else 0.0), b.const(1.0 if t else 0.0)])
    if not isinstance(u, bool):
        value = b.op("Where", [u, b.const(np.nan), value])
    elif u:
        raise refuse(f"the always-UNKNOWN predicate column {step.name!r}")
    b.define((step.name,), value)
