"""Java emitters for the IR's expression layer and predicates: Derive, Validate, PredicateColumn.

Predicates are three-valued (interchange.ir.predicates): a Java ``int`` 1 TRUE, 0 FALSE, -1
UNKNOWN, combined by the ``truth`` helper as ``combine_truths`` does. Expressions are written as
one Java ``double`` expression: constants, numeric columns, the arithmetic functions (+, -, *,
/, pow, with mapMissingTo / defaultValue) and indicators; other expressions and functions are
refused by name. Categories compare as text keys (interchange.batch.category_key): a numeric
column holds a category when it equals the key's number.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import category_key
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.errors import UnsupportedModelError
from interchange.ir.expressions import Call, Const, Derive, Expr, Indicator, Ref
from interchange.ir.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn
from interchange.ir.transforms import Validate

__all__ = ["truth", "expression"]

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

    /** A text read as a number (NaN when it is none), as ir.predicates does for an ordering. */
    private static double number(String text) {
        if (text == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A non-finite result is missing (ir.expressions._clean). */
    private static double clean(double x) {
        return Double.isInfinite(x) ? Double.NaN : x;
    }
"""

_ORDER = {"lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">", "greaterOrEqual": ">="}
_ARITH = {"+": "({a} + {b})", "-": "({a} - {b})", "*": "({a} * {b})", "/": "({a} / {b})", "pow": "Math.pow({a}, {b})"}


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", format="java")


def _missing(out: JavaWriter, column: str) -> str:
    return f"{out.text(column)} == null" if out.is_text(column) else f"Double.isNaN({out.num(column)})"


def _is(out: JavaWriter, column: str, key: Any) -> str:
    """Java condition: present column ``column`` holds the category whose key is ``key``."""
    if out.is_text(column):
        return f"{jstring(key)}.equals({out.text(column)})"
    try:
        return f"{out.num(column)} == {jdouble(float(key))}"
    except (TypeError, ValueError):
        return "false"


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
            out.need("truth")
            return f"(Double.isNaN({x}) ? -1 : ({x} {_ORDER[p.operator]} {jdouble(float(p.value))} ? 1 : 0))"
        hit = _is(out, p.field, category_key(p.value))
        yes, no = ("1", "0") if p.operator == "equal" else ("0", "1")
        return f"(({gone}) ? -1 : ({hit}) ? {yes} : {no})"
    if isinstance(p, InSet):
        hits = " || ".join(f"({_is(out, p.field, category_key(v))})" for v in p.values) or "false"
        yes, no = ("0", "1") if p.negate else ("1", "0")
        return f"(({_missing(out, p.field)}) ? -1 : ({hits}) ? {yes} : {no})"
    if isinstance(p, Compound):
        out.need("truth")
        return f"truth({jstring(p.operator)}, {', '.join(truth(out, q) for q in p.parts)})"
    raise _refuse(f"the IR predicate {type(p).__name__}")


def _number(value: Any) -> str:
    if value is None:
        return "Double.NaN"
    try:
        return jdouble(float(value))
    except (TypeError, ValueError):
        raise _refuse(f"the text constant {value!r} in a numeric expression") from None


def expression(out: JavaWriter, e: Expr) -> str:
    """A Java double expression computing ``e`` (NaN for missing)."""
    if isinstance(e, Const):
        return _number(e.value)
    if isinstance(e, Ref):
        return out.num(e.name)
    if isinstance(e, Call) and e.function in ("min", "max") and e.args and e.fill is None and e.default is None:
        out.need("extreme")  # missing arguments left out, all missing: missing (ir.expressions._aggregate)
        return f"extreme({'true' if e.function == 'max' else 'false'}, {', '.join(expression(out, a) for a in e.args)})"
    if isinstance(e, Call):
        if e.function not in _ARITH or len(e.args) != 2:
            raise _refuse(f"the IR function {e.function!r}")
        out.need("truth")
        a, b = (expression(out, x) for x in e.args)
        value = f"clean({_ARITH[e.function].format(a=a, b=b)})"
        if e.default is not None:
            value = f"orElse({value}, {_number(e.default)})"
            out.need("orElse")
        if e.fill is not None:
            value = f"(Double.isNaN({a}) || Double.isNaN({b}) ? {_number(e.fill)} : {value})"
        return value
    if isinstance(e, Indicator):
        if not isinstance(e.arg, Ref):
            raise _refuse("an indicator of a computed expression")
        column = e.arg.name
        gone = _missing(out, column)
        fill = "Double.NaN" if e.fill is None else jdouble(float(e.fill))
        return f"(({gone}) ? {fill} : ({_is(out, column, category_key(e.value))}) ? 1.0 : 0.0)"
    raise _refuse(f"the IR expression {type(e).__name__}")


HELPERS["extreme"] = """
    /** The largest (or smallest) of the present values; NaN when every one is missing. */
    private static double extreme(boolean largest, double... xs) {
        double best = Double.NaN;
        for (double x : xs) {
            if (!Double.isNaN(x) && (Double.isNaN(best) || (largest ? x > best : x < best))) {
                best = x;
            }
        }
        return Double.isInfinite(best) ? Double.NaN : best;  // (non-finite results are missing, as in the IR)
    }
"""

HELPERS["orElse"] = """
    private static double orElse(double x, double otherwise) {
        return Double.isNaN(x) ? otherwise : x;
    }
"""


@emitter("java", Derive)
def _derive(step: Derive, out: JavaWriter) -> list[str]:
    value = expression(out, step.expression)
    if step.type == "integer":
        value = f"(({value}) >= 0 ? Math.floor({value}) : Math.ceil({value}))"
    elif step.type not in (None, "double", "boolean"):
        raise _refuse(f"a derived field of type {step.type}")
    return [f"{out.new_num(step.outputs[0])} = {value};"]


@emitter("java", Validate)
def _validate(step: Validate, out: JavaWriter) -> list[str]:
    lines = []
    for name, values in zip(step.inputs, step.values, strict=True):
        hits = " || ".join(f"({_is(out, name, category_key(v))})" for v in values) or "false"
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
