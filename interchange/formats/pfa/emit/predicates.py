"""IR predicates as PFA boolean expressions, and PredicateColumn as a let-binding.

PMML's three-valued logic is kept as two PFA booleans per predicate, TRUE and UNKNOWN: a
comparison reading a null (missing) input is UNKNOWN, isMissing / isNotMissing never are.
and / or / surrogate combine them as interchange.ir.derive.predicates.combine_truths does; segments,
rules and scorecard bins then use the TRUE one. Categories compare as text (1, 1.0 and "1"
are one category), as the IR's do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.batch import category_key
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["truth", "write_predicate_column"]

_ORDER = {"lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">", "greaterOrEqual": ">="}


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why}", estimator="PredicateColumn", format="pfa")


def _equals(kind: str, v: Any, value: Any) -> Any:
    """``v`` (a present value of a ``kind`` column) equals the category ``value``."""
    key = category_key(value)
    if kind == "string":
        return {"==": [v, {"string": key}]}
    try:
        number = float(key)
    except (TypeError, ValueError):
        return False  # a text category never equals a number
    return {"==": [v, number]}


def _present(w: _Writer, field: str, test: Any) -> tuple[Any, Any]:
    """(TRUE, UNKNOWN) of ``test`` over the field's value ``v``: UNKNOWN where the field is null."""
    expr, _, nullable = w.cols[field]
    if not nullable:
        return _bind(test, expr), False
    return {"ifnotnull": {"v": expr}, "then": test, "else": False}, {"ifnotnull": {"v": expr}, "then": False, "else": True}


def _bind(test: Any, expr: Any) -> Any:
    return {"do": [{"let": {"v": expr}}, test]}


def truth(w: _Writer, pred: Predicate) -> tuple[Any, Any]:
    """PFA expressions (TRUE, UNKNOWN) of ``pred``; False / True constants where they are known."""
    if isinstance(pred, Always):
        return bool(pred.value), False
    if isinstance(pred, Compare):
        expr, kind, nullable = w.cols[pred.field]
        if pred.operator in ("isMissing", "isNotMissing"):
            missing: Any = {"ifnotnull": {"v": expr}, "then": False, "else": True} if nullable else False
            return (missing if pred.operator == "isMissing" else {"!": missing} if nullable else True), False
        if pred.operator in _ORDER:
            if kind == "string":
                raise _refuse(f"an ordering comparison ({pred.operator}) of the text field {pred.field!r}")
            return _present(w, pred.field, {_ORDER[pred.operator]: ["v", float(pred.value)]})
        same = _equals(kind, "v", pred.value)
        return _present(w, pred.field, same if pred.operator == "equal" else {"!": same})
    if isinstance(pred, InSet):
        _, kind, _ = w.cols[pred.field]
        member: Any = False
        for value in pred.values:
            eq = _equals(kind, "v", value)
            member = eq if member is False else {"||": [member, eq]}
        return _present(w, pred.field, {"!": member} if pred.negate else member)
    if isinstance(pred, Compound):
        parts = [truth(w, p) for p in pred.parts]
        if pred.operator == "surrogate":  # the first part that is not UNKNOWN decides
            t, u = parts[0]
            for t2, u2 in parts[1:]:
                t, u = {"if": u, "then": t2, "else": t}, {"&&": [u, u2]}
            return t, u
        if pred.operator == "and":  # FALSE if any is FALSE, else UNKNOWN if any is UNKNOWN
            t = _fold("&&", [p[0] for p in parts])
            false = _fold("||", [{"&&": [{"!": p[0]}, {"!": p[1]}]} for p in parts])
            return t, {"&&": [{"!": t}, {"!": false}]}
        if pred.operator == "or":  # TRUE if any is TRUE, else UNKNOWN if any is UNKNOWN
            t = _fold("||", [p[0] for p in parts])
            return t, {"&&": [{"!": t}, _fold("||", [p[1] for p in parts])]}
        raise _refuse(f"a {pred.operator} CompoundPredicate")
    raise _refuse(f"the predicate {type(pred).__name__}")


def _fold(op: str, terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = {op: [out, t]}
    return out


def write_predicate_column(w: _Writer, step: PredicateColumn) -> None:
    """1.0 TRUE, 0.0 FALSE, null UNKNOWN (a nullable column: a tree routes it as a missing value)."""
    t, u = truth(w, step.predicate)
    value: Any = {"if": t, "then": 1.0, "else": 0.0}
    if u is False:
        w.bind(step.name, value)
        return
    w.bind(step.name, {"if": u, "then": None, "else": value}, "double", nullable=True)
