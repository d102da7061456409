"""PMML 4.4 §Predicates as three-valued masks over a batch: (true, unknown); false is neither.

SimplePredicate, SimpleSetPredicate, CompoundPredicate (and / or / surrogate; xor declined), True
and False, used by trees, segments, scorecards and rule sets. A comparison with a missing
value is UNKNOWN, except isMissing / isNotMissing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.expressions.compile import Ctx, elements
from interchange.formats.pmml.fast.scope import Scope, keys, missing, num
from interchange.formats.pmml.parse import NotCovered, array_tokens, local
from interchange.ir.predicates import combine_truths

__all__ = ["predicate", "Truth", "PREDICATES", "ORDER", "find_predicate"]

Truth = tuple[np.ndarray, np.ndarray]
Pred = Callable[[Scope], Truth]
PREDICATES = ("SimplePredicate", "SimpleSetPredicate", "CompoundPredicate", "True", "False")

ORDER = {  # PMML's ordering operators, shared with the built-in functions of the same names
    "lessThan": np.less,
    "lessOrEqual": np.less_equal,
    "greaterThan": np.greater,
    "greaterOrEqual": np.greater_equal,
}


def find_predicate(el: etree._Element) -> etree._Element:
    """The one predicate child of a Node, Segment, Attribute or rule."""
    found = [c for c in elements(el) if local(c) in PREDICATES]
    if not found:
        raise NotCovered(f"<{local(el)}> without a predicate")
    return found[0]


def _simple(el: etree._Element, ctx: Ctx) -> Pred:
    name, op, raw = el.get("field"), el.get("operator"), el.get("value")
    numeric = ctx.numeric(name)
    if op in ("isMissing", "isNotMissing"):
        want = op == "isMissing"
        return lambda s: (missing(s[name]) == want, np.zeros(s.n, dtype=bool))
    if raw is None:
        raise NotCovered(f"SimplePredicate {op} without a value")
    if op in ("equal", "notEqual"):
        key = keys(np.array([ctx.constant(name, raw) if numeric else raw], dtype=np.float64 if numeric else object))[0]

        def eq(s: Scope) -> Truth:
            col = s[name]
            gone = missing(col)
            hit = keys(col) == key
            return (hit if op == "equal" else ~hit) & ~gone, gone

        return eq
    if op in ORDER and numeric:
        cmp, value = ORDER[op], ctx.constant(name, raw)

        def order(s: Scope) -> Truth:
            x = num(s[name])
            gone = np.isnan(x)
            return cmp(x, value) & ~gone, gone

        return order
    raise NotCovered(f"SimplePredicate {name} {op} {raw!r}")


def _set(el: etree._Element, ctx: Ctx) -> Pred:
    name, op = el.get("field"), el.get("booleanOperator")
    arrays = [c for c in elements(el) if local(c) == "Array"]
    if op not in ("isIn", "isNotIn") or len(arrays) != 1:
        raise NotCovered(f"SimpleSetPredicate {op}")
    array = arrays[0]
    kind = array.get("type")
    values = array_tokens(array.text or "")
    if kind in ("int", "real"):
        members = keys(np.array([ctx.constant(name, v) for v in values], dtype=np.float64))
    elif kind == "string":
        members = np.array(values, dtype=object)
    else:
        raise NotCovered(f"Array type={kind}")
    if array.get("n") is not None and int(array.get("n")) != len(values):
        raise NotCovered("Array whose n differs from its length")

    def member(s: Scope) -> Truth:
        col = s[name]
        gone = missing(col)
        hit = np.isin(keys(col), members)
        return (hit if op == "isIn" else ~hit) & ~gone, gone

    return member


def _compound(el: etree._Element, ctx: Ctx, nested: bool = False) -> Pred:
    """and / or / surrogate, three-valued as PMML 4.4 says (segments, rules and scorecards use
    only the TRUE mask; trees also route the UNKNOWN one)."""
    op = el.get("booleanOperator")
    if op == "surrogate" and nested:
        # pypmml 1.5.8 reads a nested surrogate's alternative TRUE as FALSE under or: declined
        raise NotCovered("surrogate CompoundPredicate inside another CompoundPredicate")
    parts = [_compound(c, ctx, True) if local(c) == "CompoundPredicate" else predicate(c, ctx) for c in elements(el)]
    # pypmml 1.5.8 evaluates every xor as FALSE: declined
    if len(parts) < 2 or op not in ("and", "or", "surrogate"):
        raise NotCovered(f"CompoundPredicate {op} with {len(parts)} parts")

    def combine(s: Scope) -> Truth:
        return combine_truths(op, [p(s) for p in parts], s.n)

    return combine


def predicate(el: etree._Element, ctx: Ctx) -> Pred:
    tag = local(el)
    if tag == "True":
        return lambda s: (np.ones(s.n, dtype=bool), np.zeros(s.n, dtype=bool))
    if tag == "False":
        return lambda s: (np.zeros(s.n, dtype=bool), np.zeros(s.n, dtype=bool))
    if tag == "SimplePredicate":
        return _simple(el, ctx)
    if tag == "SimpleSetPredicate":
        return _set(el, ctx)
    if tag == "CompoundPredicate":
        return _compound(el, ctx)
    raise NotCovered(f"predicate <{tag}>")
