"""IR predicates (interchange.ir.predicates) as PMML 4.4 predicate elements, and PredicateColumn as a
DerivedField.

Compare -> SimplePredicate, InSet -> SimpleSetPredicate (isIn / isNotIn over a typed Array),
Compound -> CompoundPredicate, Always -> True / False: the same three-valued logic in PMML
4.4 §Predicates, so segments, rules and scorecard bins are written as the document had them.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import E, num, text
from interchange.ir.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn

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


def predicate_column(step: PredicateColumn) -> list[etree._Element]:
    """PredicateColumn as a DerivedField: a one-node TreeModel is not an expression, so the
    predicate is written as ``if`` over its own Apply form (1 TRUE, 0 FALSE, missing UNKNOWN)."""
    expr = _apply_form(step.predicate)
    one, zero = E("Constant", {"dataType": "double"}), E("Constant", {"dataType": "double"})
    one.text, zero.text = "1", "0"
    body = E("Apply", {"function": "if"}, expr, one, zero)
    return [E("DerivedField", {"name": step.name, "optype": "continuous", "dataType": "double"}, body)]


def _apply_form(pred: Predicate) -> etree._Element:
    """A boolean Apply with PMML's missing-value propagation, which is three-valued only for a
    single comparison or set test; compounds are refused (and / or in Apply are not Kleene)."""
    if isinstance(pred, Always):
        const = E("Constant", {"dataType": "boolean"})
        const.text = "true" if pred.value else "false"
        return const
    if isinstance(pred, Compare):
        field = E("FieldRef", {"field": pred.field})
        if pred.operator in ("isMissing", "isNotMissing"):
            return E("Apply", {"function": pred.operator}, field)
        const = E("Constant")
        const.text = num(float(pred.value)) if pred.operator in _ORDERING else _value(pred.value)
        return E("Apply", {"function": pred.operator}, field, const)
    if isinstance(pred, InSet):
        return E(
            "Apply", {"function": "isNotIn" if pred.negate else "isIn"}, E("FieldRef", {"field": pred.field}), _array(pred.values)
        )
    raise UnsupportedModelError(
        f"a {getattr(pred, 'operator', '')} CompoundPredicate as a derived column (PredicateColumn): PMML's Apply and / or "
        "propagate a missing value where PMML predicates are three-valued",
        estimator="PredicateColumn",
        format="pmml",
    )
