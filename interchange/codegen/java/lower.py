"""IR expressions lowered to Java statements: Derive, and the expressions Output fields compute.

Every node becomes one local (``double``, NaN for missing, or ``String``, null for missing), so
a node read twice (a missing-value test and the value) is computed once and a deep tree stays
straight-line code. The nodes follow interchange.ir.derive.expressions.evaluate_expr: calls through
the function table (java/functions.py) with mapMissingTo (``fill``) and defaultValue
(``default``), piecewise-linear Interpolate, category Indicator, Lookup (a static map from the
arguments' category keys to a position) and Bins (static interval arrays). Where the IR makes a
column of numbers and texts (an 'if' of a number or a text), the value is a Java Object until
the derived field's type resolves it; such a field with no type is refused by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import category_key
from interchange.codegen.java.dates import DATE_HELPER
from interchange.codegen.java.functions import JAVA_FUNCTIONS, Value, key, missing, num, refuse
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import GATHER, INLINE, SEPARATOR, JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.kernels.dates import DATE_FUNCTIONS, DATE_TYPES

__all__ = ["Lowering", "lower_into"]

_OUTLIERS = {"asIs": 0, "asMissingValues": 1, "asExtremeValues": 2}

HELPERS["tables"] = """
    /** Piecewise-linear through (orig[i], norm[i]) (ir.expressions._interpolate); outliers 0 asIs, 1 missing, 2 clamp. */
    private static double interpolate(double x, double[] orig, double[] norm, int outliers, double fill) {
        int n = orig.length;
        if (Double.isNaN(x)) {
            return fill;
        }
        int count = 0;
        for (double o : orig) {
            count += o <= x ? 1 : 0;
        }
        int k = Math.min(Math.max(count - 1, 0), n - 2);
        double y = norm[k] + (x - orig[k]) * (norm[k + 1] - norm[k]) / (orig[k + 1] - orig[k]);
        boolean low = x < orig[0];
        boolean high = x > orig[n - 1];
        if (outliers == 1 && (low || high)) {
            return Double.NaN;
        }
        if (outliers == 2) {
            return low ? norm[0] : high ? norm[n - 1] : y;
        }
        return y;
    }

    /** The first bin holding x (NaN margins unbounded): its index, -1 for none, -2 for a missing x (ir.expressions._bins). */
    private static int bin(double x, double[] low, double[] high, boolean[] lowClosed, boolean[] highClosed) {
        if (Double.isNaN(x)) {
            return -2;
        }
        for (int i = 0; i < low.length; i++) {
            boolean above = Double.isNaN(low[i]) || (lowClosed[i] ? x >= low[i] : x > low[i]);
            boolean below = Double.isNaN(high[i]) || (highClosed[i] ? x <= high[i] : x < high[i]);
            if (above && below) {
                return i;
            }
        }
        return -1;
    }
"""


def _number(value: Any, what: str) -> str:
    if value is None:
        return "Double.NaN"
    if isinstance(value, str):
        raise refuse(f"the text {value!r} where {what} is a number (mixing number and text values)")
    return jdouble(float(value))


def _text(value: Any, what: str) -> str:
    if value is None:
        return "(String) null"
    if not isinstance(value, str):
        raise refuse(f"the number {value!r} where {what} is a text (mixing number and text values)")
    return jstring(value)


def _constant(value: Any, text: bool, what: str) -> str:
    return _text(value, what) if text else _number(value, what)


def _boxed(value: Any) -> str:
    """A Java Object constant: a String, a Double or null."""
    if value is None:
        return "(Object) null"
    return f"(Object) {_text(value, 'a value') if isinstance(value, str) else _number(value, 'a value')}"


class Lowering:
    """Statements computing expressions into locals, for one step's block."""

    def __init__(self, out: JavaWriter) -> None:
        self.out = out
        self.lines: list[str] = []

    def let(self, code: str, text: bool = False, mixed: bool = False) -> Value:
        value = Value(self.out.local(), text, mixed=mixed)
        self.lines.append(f"{value.java_type} {value.code} = {code};")
        return value

    def lower(self, e: Expr) -> Value:
        """A Value computing ``e``."""
        self.out.need("values")
        if isinstance(e, Const):
            v = e.value.item() if isinstance(e.value, np.generic) else e.value
            if v is None:
                return Value("Double.NaN", none=True)
            if isinstance(v, bool):
                raise refuse(f"the boolean constant {v!r} (the IR keys it 'True', Java would read 1.0)")
            if isinstance(v, str):
                return Value(jstring(v), text=True)
            return Value(jdouble(float(v)))
        if isinstance(e, Ref):
            return Value(self.out.text(e.name), True) if self.out.is_text(e.name) else Value(self.out.num(e.name))
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, Interpolate):
            return self._interpolate(e)
        if isinstance(e, Indicator):
            a = self.lower(e.arg)
            fill = "Double.NaN" if e.fill is None else jdouble(float(e.fill))
            hit = f"java.util.Objects.equals({key(a)}, {_text(category_key(e.value), 'a category')})"
            return self.let(f"{missing(a)} ? {fill} : ({hit} ? 1.0 : 0.0)")
        if isinstance(e, Lookup):
            return self._lookup(e)
        if isinstance(e, Bins):
            return self._bins(e)
        raise refuse(f"the IR expression {type(e).__name__}")

    def _call(self, e: Call) -> Value:
        form = JAVA_FUNCTIONS.get(e.function)
        if form is None:
            raise refuse(f"the IR function {e.function!r}")
        if e.function == "erf":
            self.out.need("erfc")
        if e.function in DATE_FUNCTIONS:
            self.out.need(DATE_HELPER)
        args = [self.lower(a) for a in e.args]
        result = form(args) if not _many_constants(e) else self._member(e, args[0])
        value = self.let(result.code, result.text, result.mixed)
        if e.default is not None:  # defaultValue: where the function gives a missing value
            value = self._replace(value, missing(value), e.default)
        if e.fill is not None and args:  # mapMissingTo: where any argument is missing
            value = self._replace(value, " || ".join(missing(a) for a in args), e.fill)
        return value

    def _replace(self, value: Value, where: str, constant: Any) -> Value:
        """``constant`` where ``where`` holds, else ``value``; a text into numbers (or the reverse) mixes them."""
        text = value.text if constant is None else isinstance(constant, str)
        if value.mixed or text != value.text:
            return self.let(f"{where} ? {_boxed(constant)} : {value.boxed()}", mixed=True)
        return self.let(f"{where} ? {_constant(constant, value.text, 'the result')} : {value.code}", value.text)

    def _member(self, e: Call, x: Value) -> Value:
        """isIn / isNotIn over many constants: a static set of their keys (a chain that long would not fit a method)."""
        at = self.out.positions("members", [category_key(a.value) for a in e.args[1:] if isinstance(a, Const)])
        hit = f"{at}.containsKey({key(x)})"
        return Value(f"({hit if e.function == 'isIn' else '!' + hit} ? 1.0 : 0.0)")

    def _interpolate(self, e: Interpolate) -> Value:
        self.out.need("tables")
        x = self.lower(e.arg)
        orig = self.out.array("orig", np.asarray(e.orig, dtype=np.float64))
        norm = self.out.array("norm", np.asarray(e.norm, dtype=np.float64))
        fill = "Double.NaN" if e.fill is None else jdouble(float(e.fill))
        return self.let(f"interpolate({num(x)}, {orig}, {norm}, {_OUTLIERS[e.outliers]}, {fill})")

    def _results(self, hint: str, values: list[Any], others: tuple[Any, Any], numeric: bool) -> tuple[str, Value]:
        """A static array of a table's results, and the kind of what the table gives (with its fill and default):
        numbers, texts, or both (the IR's object column: an Object[] of Doubles and Strings)."""
        if numeric:
            array = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
            return self.out.array(hint, array), Value("")
        if all(v is None or isinstance(v, str) for v in (*values, *others)):
            return self.out.strings(hint, values), Value("", text=True)
        if len(values) > INLINE:
            raise refuse(f"a table of more than {INLINE} results mixing number and text values")
        items = ", ".join(_boxed(v) for v in values)
        name = self.out.name(hint)
        self.out.fields.append(f"private static final Object[] {name} = {{{items}}};")
        return name, Value("", mixed=True)

    def _lookup(self, e: Lookup) -> Value:
        args = [self.lower(a) for a in e.args]
        table = {tuple(k): v for k, v in e.table}  # (a repeated key keeps its last value, as dict(table))
        rows = [(k, v) for k, v in table.items() if None not in k and not any(SEPARATOR in str(x) for x in k)]
        if len(rows) != len(table):
            raise refuse("a Lookup key that is missing or holds the control character U+001F")
        at = self.out.positions("lookup", [SEPARATOR.join(str(x) for x in k) for k, _ in rows])
        values, kind = self._results("lookup_values", [v for _, v in rows], (e.fill, e.default), e.numeric)
        joined = ' + "\\u001f" + '.join(key(a) for a in args) or '""'
        gone = " || ".join(missing(a) for a in args) or "false"
        index = self.let(f"{gone} ? -2 : {at}.getOrDefault({joined}, -1)")
        return self._pick(index, values, e.fill, e.default, kind)

    def _bins(self, e: Bins) -> Value:
        self.out.need("tables")
        x = self.lower(e.arg)
        low = self.out.array("bin_low", np.array([np.nan if b[0] is None else float(b[0]) for b in e.bins], dtype=np.float64))
        high = self.out.array("bin_high", np.array([np.nan if b[1] is None else float(b[1]) for b in e.bins], dtype=np.float64))
        low_closed = self.out.array("bin_low_closed", np.array([b[2].startswith("closed") for b in e.bins]), "boolean")
        high_closed = self.out.array("bin_high_closed", np.array([b[2].endswith("Closed") for b in e.bins]), "boolean")
        values, kind = self._results("bin_values", [b[3] for b in e.bins], (e.fill, e.default), e.numeric)
        index = self.let(f"bin({num(x)}, {low}, {high}, {low_closed}, {high_closed})")
        return self._pick(index, values, e.fill, e.default, kind)

    def _pick(self, index: Value, values: str, fill: Any, default: Any, kind: Value) -> Value:
        """``values[index]``; index -2 (a missing argument) gives ``fill``, -1 (no entry) ``default``."""
        if kind.mixed:
            f, d = _boxed(fill), _boxed(default)
        else:
            f, d = (_constant(v, kind.text, "a table's result") for v in (fill, default))
        i = index.code
        return self.let(f"{i} == -2 ? {f} : {i} == -1 ? {d} : {values}[(int) {i}]", kind.text, kind.mixed)

    def cast(self, value: Value, type_: str | None) -> Value:
        """``value`` converted to a derived field's type (interchange.ir.derive.expressions._CASTS; None: as computed)."""
        if type_ is None:
            if value.mixed:
                raise refuse("a derived field of no type mixing number and text values (give it a type)")
            return value
        if type_ in ("double", "boolean"):
            return Value(num(value)) if value.text or value.mixed else value
        if type_ == "float":
            return self.let(f"(double) (float) {num(value)}")
        if type_ in DATE_TYPES:  # ISO 8601 text read into the IR's unit (codegen/java/dates.py); a number as it is
            self.out.need(DATE_HELPER)
            return self.let(f"dateOf({value.code}, {jstring(type_)})") if value.text else self.let(num(value))
        if type_ == "integer":
            x = self.let(num(value))
            return self.let(f"{x.code} >= 0 ? Math.floor({x.code}) : Math.ceil({x.code})")
        if type_ == "string":
            if value.text:
                return value
            if value.mixed:
                return self.let(f"textOf({value.code})", True)
            return self.let(f"Double.isNaN({value.code}) ? null : repr({value.code})", True)
        raise refuse(f"a derived field of type {type_}")


def _many_constants(e: Call) -> bool:
    values = e.args[1:]
    return (
        e.function in ("isIn", "isNotIn")
        and len(values) > GATHER
        and all(isinstance(a, Const) and a.value is not None and not isinstance(a.value, bool) for a in values)
    )


def lower_into(out: JavaWriter, name: str, expression: Expr, type_: str | None) -> tuple[list[str], str, bool]:
    """Statements computing ``expression`` as ``type_`` into a new slot for ``name``: (lines, slot, is text)."""
    lowering = Lowering(out)
    value = lowering.cast(lowering.lower(expression), type_)
    slot = out.new_text(name) if value.text else out.new_num(name)
    (out.slots if value.text else out.texts).pop(name, None)  # (a text input read in place as a number: a date)
    return [*lowering.lines, f"{slot} = {value.code};"], slot, value.text


@emitter("java", Derive)
def _derive(step: Derive, out: JavaWriter) -> list[str]:
    lines, _, _ = lower_into(out, step.outputs[0], step.expression, step.type)
    return lines
