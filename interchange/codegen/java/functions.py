"""The Java form of every IR function (interchange.ir.derive.expressions.FUNCTIONS), one row at a time.

Each form takes its arguments already lowered (a local, a slot or a literal: cheap to repeat)
and returns the Java expression of the result with its kind: a ``double`` (NaN for missing) or
a ``String`` (null for missing). The forms follow the IR operation by operation: arithmetic
turns a non-finite result into missing, categories compare as their text keys
(interchange.batch.category_key), a missing condition takes the else branch. A unit test holds
this table to exactly the IR's FUNCTIONS, so a new IR function without a Java form fails it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from interchange.codegen.java.runtime import HELPERS
from interchange.errors import UnsupportedModelError

__all__ = ["Value", "JAVA_FUNCTIONS", "num", "missing", "key", "refuse"]


@dataclass(frozen=True)
class Value:
    """A lowered expression: Java source of a ``double`` (NaN: missing), a ``String`` (``text``; null) or, where
    the IR would hold numbers and texts in one column, an ``Object`` (``mixed``: a Double or a String; null or NaN)."""

    code: str
    text: bool = False
    none: bool = False  # the missing constant, which takes the kind of whatever it meets
    mixed: bool = False

    @property
    def java_type(self) -> str:
        return "Object" if self.mixed else "String" if self.text else "double"

    def boxed(self) -> str:
        """The value as a Java Object (a double boxed as a Double)."""
        return self.code if self.mixed else f"(Object) {self.code}"


def refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", format="java")


def num(a: Value) -> str:
    """``a`` as a double: a text parsed as a number (NaN when it is none), as the IR's _num."""
    return f"numberOf({a.code})" if a.mixed else f"number({a.code})" if a.text else a.code


def missing(a: Value) -> str:
    if a.mixed:
        return f"absent({a.code})"
    return f"({a.code} == null)" if a.text else f"Double.isNaN({a.code})"


def key(a: Value) -> str:
    """``a``'s category key (null when missing)."""
    return f"keyOf({a.code})" if a.mixed else a.code if a.text else f"key({a.code})"


def _flag(condition: str) -> Value:
    return Value(f"({condition} ? 1.0 : 0.0)")


def _binary(template: str) -> Callable[[list[Value]], Value]:
    return lambda a: Value(f"clean({template.format(a=num(a[0]), b=num(a[1]))})")


def _unary(template: str) -> Callable[[list[Value]], Value]:
    return lambda a: Value(f"clean({template.format(a=num(a[0]))})")


def _aggregate(name: str) -> Callable[[list[Value]], Value]:
    return lambda a: Value(f'aggregate("{name}", {", ".join(num(x) for x in a)})')


def _equal(a: list[Value], negate: bool) -> Value:
    if not (a[0].text or a[0].mixed or a[1].text or a[1].mixed):
        x, y = a[0].code, a[1].code
        same = f"{x} == {y} || (Double.isNaN({x}) && Double.isNaN({y}))"
    else:  # text on either side: the category keys (interchange.ir.derive.expressions._equal)
        same = f"java.util.Objects.equals({key(a[0])}, {key(a[1])})"
    return _flag(f"!({same})" if negate else f"({same})")


def _truthy(a: Value) -> str:
    return f"truthy({num(a)})"


def _if(a: list[Value]) -> Value:
    """A missing or zero condition takes the else branch (pypmml); no else branch: missing."""
    yes = a[1]
    no = a[2] if len(a) > 2 else Value("(String) null" if yes.text else "Double.NaN", yes.text, none=True)
    if (yes.text, yes.mixed) != (no.text, no.mixed):
        if yes.none and no.text:
            yes = Value("(String) null", True, True)
        elif no.none and yes.text:
            no = Value("(String) null", True, True)
        else:  # numbers and texts in one column (the IR's object column): a Double or a String
            return Value(f"({_truthy(a[0])} ? {yes.boxed()} : {no.boxed()})", mixed=True)
    return Value(f"({_truthy(a[0])} ? {yes.code} : {no.code})", yes.text, yes.none and no.none, yes.mixed)


def _member(a: list[Value], want: bool) -> Value:
    """isIn / isNotIn: a missing value is in no set (pypmml: isIn 0, isNotIn 1)."""
    k = key(a[0])
    hits = " || ".join(f"{k}.equals({key(v)})" for v in a[1:]) or "false"
    hit = f"({k} != null && ({hits}))"
    return _flag(hit if want else f"!{hit}")


# PMML 4.4 date built-ins (their Java helpers: codegen/java/dates.py, which lower.py asks for)
_DATES: dict[str, Callable[[list[Value]], Value]] = {
    "dateDaysSinceYear": lambda a: Value(f"daysSinceYear({num(a[0])}, {num(a[1])})"),
    "dateSecondsSinceYear": lambda a: Value(f"secondsSinceYear({num(a[0])}, {num(a[1])})"),
    "dateSecondsSinceMidnight": lambda a: Value(f"secondsSinceMidnight({num(a[0])})"),
    "formatDatetime": lambda a: Value(f"formatDatetime({num(a[0])}, {a[1].code if a[1].text else '(String) null'})", text=True),
}

JAVA_FUNCTIONS: dict[str, Callable[[list[Value]], Value]] = {
    "+": _binary("{a} + {b}"),
    "-": _binary("{a} - {b}"),
    "*": _binary("{a} * {b}"),
    "/": _binary("{a} / {b}"),
    "pow": _binary("power({a}, {b})"),
    "mod": _binary("mod({a}, {b})"),
    "rem": _binary("{a} % {b}"),
    "neg": _unary("-{a}"),
    "exp": _unary("Math.exp({a})"),
    "ln": _unary("Math.log({a})"),
    "log10": _unary("Math.log10({a})"),
    "sqrt": _unary("Math.sqrt({a})"),
    "abs": _unary("Math.abs({a})"),
    "floor": _unary("Math.floor({a})"),
    "ceil": _unary("Math.ceil({a})"),
    "sin": _unary("Math.sin({a})"),
    "cos": _unary("Math.cos({a})"),
    "tan": _unary("Math.tan({a})"),
    "asin": _unary("Math.asin({a})"),
    "acos": _unary("Math.acos({a})"),
    "atan": _unary("Math.atan({a})"),
    "sinh": _unary("Math.sinh({a})"),
    "cosh": _unary("Math.cosh({a})"),
    "tanh": _unary("Math.tanh({a})"),
    "expm1": _unary("Math.expm1({a})"),
    "ln1p": _unary("Math.log1p({a})"),
    "rint": _unary("Math.rint({a})"),
    "hypot": _binary("Math.hypot({a}, {b})"),
    "erf": _unary("(1.0 - erfc({a}))"),
    "logistic": lambda a: Value(f"(1.0 / (1.0 + Math.exp(-{num(a[0])})))"),
    "round": lambda a: Value(f"(Double.isNaN({num(a[0])}) ? 0.0 : Math.floor({num(a[0])} + 0.5))"),
    "min": _aggregate("min"),
    "max": _aggregate("max"),
    "sum": _aggregate("sum"),
    "avg": _aggregate("avg"),
    "product": _aggregate("product"),
    "median": lambda a: Value(f"median({', '.join(num(x) for x in a)})"),
    "threshold": lambda a: _flag(f"{num(a[0])} > {num(a[1])}"),
    "isMissing": lambda a: _flag(missing(a[0])),
    "isNotMissing": lambda a: _flag(f"!{missing(a[0])}"),
    "equal": lambda a: _equal(a, False),
    "notEqual": lambda a: _equal(a, True),
    "lessThan": lambda a: _flag(f"{num(a[0])} < {num(a[1])}"),
    "lessOrEqual": lambda a: _flag(f"{num(a[0])} <= {num(a[1])}"),
    "greaterThan": lambda a: _flag(f"{num(a[0])} > {num(a[1])}"),
    "greaterOrEqual": lambda a: _flag(f"{num(a[0])} >= {num(a[1])}"),
    "and": lambda a: _flag(" && ".join(_truthy(x) for x in a)),
    "or": lambda a: _flag(" || ".join(_truthy(x) for x in a)),
    "not": lambda a: _flag(f"!{_truthy(a[0])}"),
    "if": _if,
    "isIn": lambda a: _member(a, True),
    "isNotIn": lambda a: _member(a, False),
    **_DATES,
}

ERFC = """
    /**
     * erfc in double (java.lang.Math has none): for |x| < 1.5 one minus erf's series of positive terms,
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum (2x^2)^n x / (2n+1)!!, else the continued fraction
     * exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))); erfc(-x) = 2 - erfc(x). Within 6e-14
     * (relative) of math.erfc on [-8, 30], the same arithmetic as the ONNX writer's (formats/onnx/emit/models/special.py).
     */
    private static double erfc(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 1.5) {
            double z = 2.0 * (a * a);
            double s = 1.0;
            for (int n = 60; n >= 1; n--) {
                s = 1.0 + z * (1.0 / (2 * n + 1)) * s;
            }
            r = 1.0 - 2.0 / Math.sqrt(Math.PI) * Math.exp(-(a * a)) * (a * s);
        } else {
            double t = a;
            for (int n = 100; n >= 1; n--) {
                t = a + (n / 2.0) / t;
            }
            r = Math.exp(-(a * a)) / (Math.sqrt(Math.PI) * t);
        }
        return x < 0 ? 2.0 - r : r;
    }
"""
HELPERS["erfc"] = ERFC

HELPERS["values"] = """
    /** A text read as a number (NaN when it is none), as the IR's _num does. */
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

    /** A value of a column holding numbers and texts (a Double or a String) read as a number (the IR's _num). */
    private static double numberOf(Object x) {
        return x instanceof String ? number((String) x) : x == null ? Double.NaN : ((Double) x).doubleValue();
    }

    private static boolean absent(Object x) {
        return x == null || (x instanceof Double && ((Double) x).isNaN());
    }

    private static String keyOf(Object x) {
        return absent(x) ? null : x instanceof String ? (String) x : key(((Double) x).doubleValue());
    }

    /** str() of a Double or a String (a derived field of type string), null when missing. */
    private static String textOf(Object x) {
        return absent(x) ? null : x instanceof String ? (String) x : repr(((Double) x).doubleValue());
    }

    /** A non-finite result is missing (ir.expressions._clean). */
    private static double clean(double x) {
        return Double.isInfinite(x) ? Double.NaN : x;
    }

    private static boolean truthy(double x) {
        return !Double.isNaN(x) && x != 0;
    }

    /** interchange.batch.category_key of a number: an integral value as an integer, any other as Python's repr. */
    private static String key(double x) {
        if (Double.isNaN(x)) {
            return null;
        }
        if (x == Math.rint(x) && !Double.isInfinite(x)) {
            return new java.math.BigDecimal(x).toBigInteger().toString();
        }
        return repr(x);
    }

    /** Python's repr of a float (what str() makes of a number cast to text): shortest digits, 1e+16 style. */
    private static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return 1.0 / x < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int exponent = digits.length() - 1 - b.scale();
        String sign = x < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = b.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        int e = Math.abs(exponent);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
    }

    /** numpy's power: 1 to any power, and -1 to an infinite one, is 1 (C99 pow). */
    private static double power(double a, double b) {
        return a == 1.0 || (a == -1.0 && Double.isInfinite(b)) ? 1.0 : Math.pow(a, b);
    }

    /** numpy's mod: the sign of the divisor. */
    private static double mod(double a, double b) {
        double r = a % b;
        if (r != 0 && ((b < 0) != (r < 0))) {
            r += b;
        }
        return r;
    }

    /** min max sum avg product of the present values; all missing: missing (ir.expressions._aggregate). */
    private static double aggregate(String name, double... xs) {
        double out = name.equals("min") ? Double.POSITIVE_INFINITY : name.equals("max") ? Double.NEGATIVE_INFINITY
            : name.equals("product") ? 1.0 : 0.0;
        int count = 0;
        for (double x : xs) {
            if (Double.isNaN(x)) {
                continue;
            }
            count++;
            switch (name) {
                case "min": out = Math.min(out, x); break;
                case "max": out = Math.max(out, x); break;
                case "product": out = out * x; break;
                default: out = out + x;
            }
        }
        if (name.equals("avg")) {
            out = out / Math.max(count, 1);
        }
        return count == 0 ? Double.NaN : clean(out);
    }

    /** The median of the present values (pypmml leaves missing ones out; all missing: missing). */
    private static double median(double... xs) {
        double[] present = java.util.Arrays.stream(xs).filter(x -> !Double.isNaN(x)).sorted().toArray();
        int count = present.length;
        if (count == 0) {
            return Double.NaN;
        }
        return clean((present[(count - 1) / 2] + present[count / 2]) / 2.0);
    }
"""
