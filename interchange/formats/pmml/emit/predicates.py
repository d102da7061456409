"""IR predicates (interchange.ir.derive.predicates) as PMML 4.4 predicate elements, and PredicateColumn as a
DerivedField.

Compare -> SimplePredicate, InSet -> SimpleSetPredicate (isIn / isNotIn over a typed Array),
Compound -> CompoundPredicate, Always -> True / False: the same three-valued logic in PMML
4.4 §Predicates, so segments, rules and scorecard bins are written as the document had them.
"""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import E, apply, constant, num, text
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn

__all__ = ["predicate_element", "predicate_column"]

_ORDERING = ("lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual")


def _value(v: Any) -> str:
    return num(v) if isinstance(v, float) else text(v)


def _token(v: Any) -> str:
    s = _value(v)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(values: tuple[Any, ...]) -> etree._Element:
    """A typed Array: ``int`` / ``real`` when every value is a number, else quoted strings."""
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        kind = "int" if all(isinstance(v, int) or float(v).is_integer() for v in values) else "real"
        body = " ".join(str(int(v)) if kind == "int" else num(v) for v in values)
    else:
        kind, body = "string", " ".join(_token(v) for v in values)
    array = E("Array", {"type": kind, "n": len(values)})
    array.text = body
    return array


def predicate_element(pred: Predicate) -> etree._Element:
    """The PMML predicate element of an IR predicate."""
    if isinstance(pred, Always):
        return E("True" if pred.value else "False")
    if isinstance(pred, Compare):
        attrs = {"field": pred.field, "operator": pred.operator}
        if pred.operator not in ("isMissing", "isNotMissing"):
            attrs["value"] = num(float(pred.value)) if pred.operator in _ORDERING else _value(pred.value)
        return E("SimplePredicate", attrs)
    if isinstance(pred, InSet):
        attrs = {"field": pred.field, "booleanOperator": "isNotIn" if pred.negate else "isIn"}
        return E("SimpleSetPredicate", attrs, _array(pred.values))
    if isinstance(pred, Compound):
        return E("CompoundPredicate", {"booleanOperator": pred.operator}, *(predicate_element(p) for p in pred.parts))
    raise UnsupportedModelError(f"the PMML writer has no form for predicate {type(pred).__name__}", format="pmml")


def _fold(function: str, terms: list[etree._Element]) -> etree._Element:
    out = terms[0]
    for t in terms[1:]:
        out = apply(function, out, t)
    return out


def _number(pred: Predicate) -> etree._Element:
    """``pred`` as a number: 1 TRUE, 0 FALSE, missing UNKNOWN.

    Built only from ``isMissing`` / ``isNotMissing`` tests (never missing themselves) and ``if``
    (a two-argument ``if`` is missing where its test is false), since PMML's Apply and / or /
    equal propagate a missing argument instead of PMML predicates' three-valued logic.
    """
    if isinstance(pred, Always):
        return constant(1.0 if pred.value else 0.0)
    if isinstance(pred, Compare) and pred.operator in ("isMissing", "isNotMissing"):
        return apply("if", apply(pred.operator, E("FieldRef", {"field": pred.field})), constant(1.0), constant(0.0))
    if isinstance(pred, (Compare, InSet)):
        present = apply("isNotMissing", E("FieldRef", {"field": pred.field}))
        return apply("if", present, apply("if", _test(pred), constant(1.0), constant(0.0)))
    if isinstance(pred, Compound):
        parts = [_number(p) for p in pred.parts]
        if pred.operator == "surrogate":  # the first part that is not UNKNOWN decides
            out = parts[-1]
            for part in reversed(parts[:-1]):
                out = apply("if", apply("isMissing", copy.deepcopy(part)), out, part)
            return out
        missing = _fold("+", [apply("if", apply("isMissing", copy.deepcopy(v)), constant(1.0), constant(0.0)) for v in parts])
        known = [apply("if", apply("isMissing", copy.deepcopy(v)), constant(0.0), v) for v in parts]
        if pred.operator == "and":  # FALSE if any is FALSE, else UNKNOWN if any is UNKNOWN
            falses = _fold(
                "+",
                [
                    apply("if", apply("isMissing", copy.deepcopy(v)), constant(0.0), apply("-", constant(1.0), v))
                    for v in [copy.deepcopy(p) for p in parts]
                ],
            )
            return apply(
                "if",
                apply("greaterThan", falses, constant(0.0)),
                constant(0.0),
                apply("if", apply("equal", missing, constant(0.0)), constant(1.0)),
            )
        if pred.operator == "or":  # TRUE if any is TRUE, else UNKNOWN if any is UNKNOWN
            trues = _fold("+", known)
            return apply(
                "if",
                apply("greaterThan", trues, constant(0.0)),
                constant(1.0),
                apply("if", apply("equal", missing, constant(0.0)), constant(0.0)),
            )
    raise UnsupportedModelError(
        f"a {getattr(pred, 'operator', '')} CompoundPredicate as a derived column (PredicateColumn)",
        estimator="PredicateColumn",
        format="pmml",
    )


def _test(pred: Compare | InSet) -> etree._Element:
    """The comparison or set test of a present value."""
    field = E("FieldRef", {"field": pred.field})
    if isinstance(pred, InSet):  # (pypmml: the values as Constant arguments, not an Array)
        values = []
        for v in pred.values:
            c = E("Constant", _typed(v))
            c.text = _value(v)
            values.append(c)
        return apply("isNotIn" if pred.negate else "isIn", field, *values)
    const = E("Constant", _typed(pred.value))
    const.text = num(float(pred.value)) if pred.operator in _ORDERING else _value(pred.value)
    return apply(pred.operator, field, const)


def _typed(v: Any) -> dict[str, str]:
    """A number Constant's dataType: untyped, pypmml 1.5.8 reads ``1.0`` as text, equal to no double field."""
    return {"dataType": "double"} if isinstance(v, float) else {}


def predicate_column(step: PredicateColumn) -> list[etree._Element]:
    """PredicateColumn as a DerivedField: 1 TRUE, 0 FALSE, missing UNKNOWN (see _number)."""
    return [E("DerivedField", {"name": step.name, "optype": "continuous", "dataType": "double"}, _number(step.predicate))]
