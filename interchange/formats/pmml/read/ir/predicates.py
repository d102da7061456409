"""PMML 4.4 §Predicates lifted into IR predicates (interchange.ir.derive.predicates).

SimplePredicate (every operator), SimpleSetPredicate (isIn / isNotIn over an int, real or
string Array), CompoundPredicate and / or / surrogate, True, False. Numbers compared with a
``float`` field are read as float32, as the field's values are (JPMML, XGBoost).

Refused with a reason: xor (pypmml 1.5.8, the reference, evaluates every xor as FALSE), a
surrogate nested in another CompoundPredicate (pypmml reads its alternative TRUE as FALSE
under or), Arrays whose n differs from their length.
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.parse import array_tokens, local
from interchange.formats.pmml.read.compile import Ctx, elements
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate
from interchange.ir.kernels.dates import DATE_TYPES
from interchange.ir.lifted import Unliftable

__all__ = ["lift_predicate", "find_predicate", "PREDICATES"]

PREDICATES = ("SimplePredicate", "SimpleSetPredicate", "CompoundPredicate", "True", "False")
_OPERATORS = ("equal", "notEqual", "lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual", "isMissing", "isNotMissing")


def find_predicate(el: etree._Element) -> etree._Element:
    """The one predicate child of a Node, Segment, Attribute or rule."""
    found = [c for c in elements(el) if local(c) in PREDICATES]
    if not found:
        raise Unliftable(path_of(el), f"<{local(el)}> without a predicate")
    return found[0]


def lift_predicate(el: etree._Element, ctx: Ctx, *, nested: bool = False) -> Predicate:
    """The IR predicate of a PMML predicate element, or Unliftable."""
    tag = local(el)
    if tag in ("True", "False"):
        return Always(tag == "True")
    if tag == "SimplePredicate":
        return _simple(el, ctx)
    if tag == "SimpleSetPredicate":
        return _set(el, ctx)
    if tag == "CompoundPredicate":
        op = el.get("booleanOperator")
        if op == "xor":
            raise Unliftable(path_of(el), "CompoundPredicate xor: pypmml 1.5.8 (the reference) evaluates every xor as FALSE")
        if op == "surrogate" and nested:
            raise Unliftable(path_of(el), "a surrogate CompoundPredicate inside another (pypmml reads it differently)")
        parts = tuple(lift_predicate(c, ctx, nested=True) for c in elements(el) if local(c) in PREDICATES)
        if op not in ("and", "or", "surrogate") or len(parts) < 2:
            raise Unliftable(path_of(el), f"CompoundPredicate {op} with {len(parts)} parts")
        return Compound(op, parts)
    raise Unliftable(path_of(el), f"predicate <{tag}>")


def _simple(el: etree._Element, ctx: Ctx) -> Predicate:
    name, op, raw = el.get("field"), el.get("operator"), el.get("value")
    if op not in _OPERATORS:
        raise Unliftable(path_of(el), f"SimplePredicate operator={op}")
    if op in ("isMissing", "isNotMissing"):
        return Compare(name, op)
    if raw is None:
        raise Unliftable(path_of(el), f"SimplePredicate {op} without a value")
    numeric = ctx.numeric(name)
    if op not in ("equal", "notEqual") and not numeric:
        raise Unliftable(path_of(el), f"SimplePredicate {op} on the non-numeric field {name!r}")
    return Compare(name, op, ctx.constant(name, raw) if numeric else raw)


def _set(el: etree._Element, ctx: Ctx) -> Predicate:
    name, op = el.get("field"), el.get("booleanOperator")
    arrays = [c for c in elements(el) if local(c) == "Array"]
    if op not in ("isIn", "isNotIn") or len(arrays) != 1:
        raise Unliftable(path_of(el), f"SimpleSetPredicate booleanOperator={op} with {len(arrays)} Arrays")
    array = arrays[0]
    values = array_tokens(array.text or "")
    if array.get("n") is not None and int(array.get("n")) != len(values):
        raise Unliftable(path_of(array), "an Array whose n differs from its length")
    kind = array.get("type")
    if kind in ("int", "real") or (kind == "string" and ctx.types.get(name) in DATE_TYPES):  # (a date's text: its number)
        typed: tuple[object, ...] = tuple(ctx.constant(name, v) for v in values)
    elif kind == "string":
        typed = tuple(values)
    else:
        raise Unliftable(path_of(array), f"Array type={kind}")
    return InSet(name, typed, negate=op == "isNotIn")
