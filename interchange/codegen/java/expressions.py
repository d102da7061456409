"""Java emitters for the IR's predicates: Validate and PredicateColumn (Derive is in java/lower.py).

Predicates are three-valued (interchange.ir.derive.predicates): a Java ``int`` 1 TRUE, 0 FALSE, -1
UNKNOWN, combined by the ``truth`` helper as ``combine_truths`` does. Categories compare as
text keys (interchange.batch.category_key): a numeric column holds a category when it equals
the key's number.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import category_key
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import GATHER, JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn
from interchange.ir.derive.transforms import Validate

__all__ = ["truth", "holds", "column_key", "is_category"]

HELPERS["truth"] = """
    /** PMML 4.4's three-valued and / or / xor / surrogate over 1 TRUE, 0 FALSE, -1 UNKNOWN (ir.predicates). */
    private static int truth(String op, int... parts) {
        switch (op) {
            case "surrogate":
                for (int p : parts) {
                    if (p != -1) {
                        return p;
                    }
                }
                return -1;
            case "and": {
                boolean unknown = false;
                for (int p : parts) {
                    if (p == 0) {
                        return 0;
                    }
                    unknown |= p == -1;
                }
                return unknown ? -1 : 1;
            }
            case "or": {
                boolean unknown = false;
                for (int p : parts) {
                    if (p == 1) {
                        return 1;
                    }
                    unknown |= p == -1;
                }
                return unknown ? -1 : 0;
            }
            default: {
                int count = 0;
                for (int p : parts) {
                    if (p == -1) {
                        return -1;
                    }
                    count += p;
                }
                return count % 2;
            }
        }
    }
"""

_ORDER = {"lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">", "greaterOrEqual": ">="}


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", format="java")


def _missing(out: JavaWriter, column: str) -> str:
    return f"{out.text(column)} == null" if out.is_text(column) else f"Double.isNaN({out.num(column)})"


def is_category(out: JavaWriter, column: str, key: Any) -> str:
    """Java condition: present column ``column`` holds the category whose key is ``key``."""
    if out.is_text(column):
        return f"{jstring(key)}.equals({out.text(column)})"
    number = _key_number(key)
    return "false" if number is None else f"{out.num(column)} == {jdouble(number)}"


def _key_number(key: Any) -> float | None:
    """The number whose category key is ``key``; None where none has it ("01", "1e3", "abc": the IR compares keys)."""
    try:
        x = float(key)
    except (TypeError, ValueError):
        return None
    return x if category_key(x) == key else None


def column_key(out: JavaWriter, column: str) -> str:
    """Java expression: the category key of ``column``'s value (null when missing)."""
    if out.is_text(column):
        return out.text(column)
    out.need("values")
    return f"key({out.num(column)})"


def holds(out: JavaWriter, column: str, keys: list[Any]) -> str:
    """Java condition: present column ``column`` holds one of the categories keyed ``keys`` (a static set of
    keys when there are many: a chain of comparisons that long would not fit a method)."""
    if len(keys) > GATHER and None not in keys:
        return f"{out.positions('categories', keys)}.containsKey({column_key(out, column)})"
    return " || ".join(f"({is_category(out, column, k)})" for k in keys) or "false"


def truth(out: JavaWriter, p: Predicate) -> str:
    """A Java int expression: 1 TRUE, 0 FALSE, -1 UNKNOWN."""
    if isinstance(p, Always):
        return "1" if p.value else "0"
    if isinstance(p, Compare):
        gone = _missing(out, p.field)
        if p.operator in ("isMissing", "isNotMissing"):
            return f"(({gone}) == {'true' if p.operator == 'isMissing' else 'false'} ? 1 : 0)"
        if p.operator in _ORDER:
            x = f"number({out.text(p.field)})" if out.is_text(p.field) else out.num(p.field)
            out.need("values")
            return f"(Double.isNaN({x}) ? -1 : ({x} {_ORDER[p.operator]} {jdouble(float(p.value))} ? 1 : 0))"
        hit = is_category(out, p.field, category_key(p.value))
        yes, no = ("1", "0") if p.operator == "equal" else ("0", "1")
        return f"(({gone}) ? -1 : ({hit}) ? {yes} : {no})"
    if isinstance(p, InSet):
        hits = holds(out, p.field, [category_key(v) for v in p.values])
        yes, no = ("0", "1") if p.negate else ("1", "0")
        return f"(({_missing(out, p.field)}) ? -1 : ({hits}) ? {yes} : {no})"
    if isinstance(p, Compound):
        out.need("truth")
        return f"truth({jstring(p.operator)}, {', '.join(truth(out, q) for q in p.parts)})"
    raise _refuse(f"the IR predicate {type(p).__name__}")


@emitter("java", Validate)
def _validate(step: Validate, out: JavaWriter) -> list[str]:
    lines = []
    for name, values in zip(step.inputs, step.values, strict=True):
        hits = holds(out, name, [category_key(v) for v in values])
        shown = out.text(name) if out.is_text(name) else out.num(name)
        lines += [
            f"if (!({_missing(out, name)}) && !({hits})) {{",
            f'    throw new IllegalArgumentException("value " + {shown} + " of field " + {jstring(name)}'
            ' + " is not among its valid values");',
            "}",
        ]
    return lines


@emitter("java", PredicateColumn)
def _predicate_column(step: PredicateColumn, out: JavaWriter) -> list[str]:
    t = truth(out, step.predicate)
    return [f"int t = {t};", f"{out.new_num(step.name)} = t == -1 ? Double.NaN : (double) t;"]
