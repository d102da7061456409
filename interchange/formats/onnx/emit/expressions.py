"""ONNX for the IR's expression steps: Derive (PMML derived fields, PFA let-bindings) and Validate.

Each expression node becomes a few double ``ai.onnx`` operators computing what
``ir.expressions.evaluate_expr`` computes, missing values included: a missing number is NaN,
a missing text "" (what the runtime feeds for it). Arithmetic turns non-finite results into
NaN as the IR does; comparisons with NaN are false; ``if`` takes the else branch on a missing
condition; min / max / sum / avg / product leave missing arguments out. Table look-ups
(MapValues) and bins (Discretize) are chains of ``Where`` in which the winning entry is applied
last, so each row gets exactly the value the IR's dict / first-bin rule gives it.

Validate (PMML returnInvalid) fails the batch through an ``ai.onnx.ml`` OneHotEncoder with
``zeros=0`` over a flag that is "" for a valid row: the runtime reports it as an unknown
category and narrows it to the record, as it does for an encoder fitted with
``handle_unknown="error"``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from interchange.batch import category_key, is_missing
from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import emitter
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.transforms import Validate
from interchange.ir.kernels.dates import DATE_TYPES

__all__ = ["emit_expr"]

NAN = math.nan
Tensor = tuple[str, int]  # (tensor name, element type); a constant is [1, 1] and broadcasts

_ARITH = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "pow": "Pow"}
_UNARY = {"neg": "Neg", "exp": "Exp", "ln": "Log", "sqrt": "Sqrt", "abs": "Abs", "floor": "Floor", "ceil": "Ceil", "tanh": "Tanh"}
_UNARY.update(sin="Sin", cos="Cos")
# ai.onnx has these, but onnxruntime's CPU provider computes them in float only (no double kernel)
_NO_DOUBLE_KERNEL = {"tan": "Tan", "asin": "Asin", "acos": "Acos", "atan": "Atan", "sinh": "Sinh", "cosh": "Cosh"}
# PMML 4.4 functions ai.onnx has no operator for, and composing them would lose digits
_NO_OPERATOR = {
    "expm1": "Exp(x) - 1 loses the digits of a small x",
    "ln1p": "Log(1 + x) loses the digits of a small x",
    "hypot": "Sqrt(x*x + y*y) overflows where hypot does not",
    "rint": "ai.onnx Round (half to even) is not written yet",
}
_COMPARE = {"lessThan": "Less", "lessOrEqual": "LessOrEqual", "greaterThan": "Greater", "greaterOrEqual": "GreaterOrEqual"}


def _text(b: Builder, value: str) -> str:
    return b.const(np.array([[value]], dtype=object), object, "text")


def _num(b: Builder, value: float) -> str:
    return b.const(np.array([[value]], dtype=np.float64))


def _const(b: Builder, value: Any) -> Tensor:
    if is_missing(value) or isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _num(b, NAN if is_missing(value) else float(value)), DOUBLE
    if isinstance(value, bool):
        return _num(b, float(value)), DOUBLE
    return _text(b, str(value)), STRING


def _missing(b: Builder, t: Tensor) -> str:
    x, elem = t
    return b.op("IsNaN", [x]) if elem == DOUBLE else b.op("Equal", [x, _text(b, "")])


def _double(t: Tensor, what: str) -> str:
    if t[1] != DOUBLE:
        raise refuse(f"{what} over a text column")
    return t[0]


def _clean(b: Builder, y: str) -> str:
    """Non-finite results (x/0, log 0, overflow) are missing, as in the IR."""
    return b.op("Where", [b.op("IsInf", [y]), _num(b, NAN), y])


def _bool(b: Builder, mask: str) -> Tensor:
    return b.op("Cast", [mask], to=DOUBLE), DOUBLE


def _truth(b: Builder, t: Tensor) -> str:
    x = _double(t, "a condition")
    return b.op("And", [b.op("Not", [b.op("IsNaN", [x])]), b.op("Not", [b.op("Equal", [x, _num(b, 0.0)])])])


def _replace(b: Builder, t: Tensor, where: str, value: Any) -> Tensor:
    v = _const(b, value)
    if v[1] != t[1]:
        raise refuse(f"replacing a {'text' if t[1] == STRING else 'numeric'} result with {value!r}")
    return b.op("Where", [where, v[0], t[0]]), t[1]


def _any_missing(b: Builder, args: list[Tensor]) -> str:
    gone = _missing(b, args[0])
    for a in args[1:]:
        gone = b.op("Or", [gone, _missing(b, a)])
    return gone


def _aggregate(b: Builder, name: str, args: list[Tensor]) -> Tensor:
    """min max sum avg product with missing arguments left out; all missing gives missing."""
    cols = [b.op("Expand", [_double(a, name), _rows(b)]) for a in args]
    x = cols[0] if len(cols) == 1 else b.op("Concat", cols, axis=1)
    gone = b.op("IsNaN", [x])
    axes = b.const([1], np.int64, "axes")
    count = b.op("ReduceSum", [b.op("Cast", [b.op("Not", [gone])], to=DOUBLE), axes], keepdims=1)
    if name in ("min", "max"):
        fill = math.inf if name == "min" else -math.inf
        out = b.op("ReduceMin" if name == "min" else "ReduceMax", [b.op("Where", [gone, _num(b, fill), x]), axes], keepdims=1)
    elif name == "product":
        out = b.op("ReduceProd", [b.op("Where", [gone, _num(b, 1.0), x]), axes], keepdims=1)
    else:
        out = b.op("ReduceSum", [b.op("Where", [gone, _num(b, 0.0), x]), axes], keepdims=1)
        if name == "avg":
            out = b.op("Div", [out, b.op("Max", [count, _num(b, 1.0)])])
    none = b.op("Equal", [count, _num(b, 0.0)])
    return b.op("Where", [none, _num(b, NAN), _clean(b, out)]), DOUBLE


def _median(b: Builder, args: list[Tensor]) -> Tensor:
    """The median of the present arguments (the IR's _median): missing ones sorted last (as +inf),
    the mean of the elements at (count - 1) // 2 and count // 2; all missing gives missing."""
    cols = [b.op("Expand", [_double(a, "median"), _rows(b)]) for a in args]
    x = cols[0] if len(cols) == 1 else b.op("Concat", cols, axis=1)
    gone = b.op("IsNaN", [x])
    ordered = b.ops("TopK", [b.op("Where", [gone, _num(b, math.inf), x]), b.const([len(cols)], np.int64, "k")], 2, largest=0)[0]
    count = b.op("ReduceSum", [b.op("Cast", [b.op("Not", [gone])], to=7), b.const([1], np.int64, "axes")], keepdims=1)  # INT64
    one, two = b.const([[1]], np.int64, "i"), b.const([[2]], np.int64, "i")
    low = b.op("Div", [b.op("Max", [b.op("Sub", [count, one]), b.const([[0]], np.int64, "i")]), two])
    high = b.op("Div", [b.op("Max", [count, one]), two])
    pick = [b.op("GatherElements", [ordered, i], axis=1) for i in (low, high)]
    mid = _clean(b, b.op("Div", [b.op("Add", pick), _num(b, 2.0)]))
    none = b.op("Equal", [count, b.const([[0]], np.int64, "i")])
    return b.op("Where", [none, _num(b, NAN), mid]), DOUBLE


def _member(b: Builder, subject: Tensor, pool: tuple[Expr, ...], want: bool) -> Tensor:
    """isIn / isNotIn: the subject's category among the constants (a missing one is in none)."""
    if not all(isinstance(p, Const) for p in pool):
        raise refuse("isIn / isNotIn over other than constants")
    tests = [_category(b, subject, p.value) for p in pool if isinstance(p, Const) and category_key(p.value) is not None]
    if not tests:
        return b.op("Expand", [_num(b, 0.0 if want else 1.0), _rows(b)]), DOUBLE
    hit = tests[0]
    for t in tests[1:]:
        hit = b.op("Or", [hit, t])
    hit = b.op("And", [b.op("Not", [_missing(b, subject)]), hit])
    return _bool(b, hit if want else b.op("Not", [hit]))


def _rows(b: Builder) -> str:
    """The shape ``[N, 1]`` of the graph's rows (from its first input), to broadcast constants."""
    if b.rows is None:
        tensor = next(iter(b.columns.values()))[0]
        n = b.op("Slice", [b.op("Shape", [tensor]), *(b.const([v], np.int64, "i") for v in (0, 1, 0))])
        b.rows = b.op("Concat", [n, b.const([1], np.int64, "i")], "rows", axis=0)
    return b.rows


def _equal(b: Builder, x: Tensor, y: Tensor) -> str:
    """Two missing values are equal, one missing value equals nothing (the IR's rule)."""
    if x[1] != y[1]:
        raise refuse("comparing a text column with a number")
    if x[1] == STRING:
        return b.op("Equal", [x[0], y[0]])
    both = b.op("And", [b.op("IsNaN", [x[0]]), b.op("IsNaN", [y[0]])])
    return b.op("Or", [b.op("Equal", [x[0], y[0]]), both])


def _call(b: Builder, e: Call) -> Tensor:
    args = [emit_expr(b, a) for a in e.args]
    f = e.function
    out: Tensor
    if f in _ARITH:
        out = _clean(b, b.op(_ARITH[f], [_double(args[0], f), _double(args[1], f)])), DOUBLE
    elif f in _UNARY:
        out = _clean(b, b.op(_UNARY[f], [_double(args[0], f)])), DOUBLE
    elif f == "log10":
        out = _clean(b, b.op("Div", [b.op("Log", [_double(args[0], f)]), _num(b, math.log(10.0))])), DOUBLE
    elif f == "logistic":  # 1 / (1 + exp(-x)), in the IR's order
        x = _double(args[0], f)
        out = b.op("Div", [_num(b, 1.0), b.op("Add", [_num(b, 1.0), b.op("Exp", [b.op("Neg", [x])])])]), DOUBLE
    elif f == "round":  # Java Math.round, half up; missing gives 0
        x = _double(args[0], f)
        rounded = b.op("Floor", [b.op("Add", [x, _num(b, 0.5)])])
        out = b.op("Where", [b.op("IsNaN", [x]), _num(b, 0.0), rounded]), DOUBLE
    elif f in ("min", "max", "sum", "avg", "product"):
        out = _aggregate(b, f, args)
    elif f == "median":
        out = _median(b, args)
    elif f in ("isIn", "isNotIn"):
        out = _member(b, args[0], e.args[1:], f == "isIn")
    elif f == "threshold":
        out = _bool(b, b.op("Greater", [_double(args[0], f), _double(args[1], f)]))
    elif f in _COMPARE:
        out = _bool(b, b.op(_COMPARE[f], [_double(args[0], f), _double(args[1], f)]))
    elif f in ("isMissing", "isNotMissing"):
        gone = _missing(b, args[0])
        out = _bool(b, gone if f == "isMissing" else b.op("Not", [gone]))
    elif f in ("equal", "notEqual"):
        same = _equal(b, args[0], args[1])
        out = _bool(b, same if f == "equal" else b.op("Not", [same]))
    elif f in ("and", "or"):
        mask = _truth(b, args[0])
        for a in args[1:]:
            mask = b.op("And" if f == "and" else "Or", [mask, _truth(b, a)])
        out = _bool(b, mask)
    elif f == "not":
        out = _bool(b, b.op("Not", [_truth(b, args[0])]))
    elif f == "if":
        yes = args[1]
        no = args[2] if len(args) > 2 else _const(b, "" if yes[1] == STRING else None)
        if yes[1] != no[1]:
            raise refuse("an if whose branches are text and number")
        out = b.op("Where", [_truth(b, args[0]), yes[0], no[0]]), yes[1]
    elif f in _NO_OPERATOR:
        raise refuse(f"the IR function {f!r}: {_NO_OPERATOR[f]}")
    elif f in _NO_DOUBLE_KERNEL:
        raise refuse(f"the IR function {f!r}: onnxruntime has no double kernel for ai.onnx {_NO_DOUBLE_KERNEL[f]}")
    else:
        raise refuse(f"the IR function {f!r}")
    if e.default is not None:
        out = _replace(b, out, _missing(b, out), e.default)
    if e.fill is not None and args:
        out = _replace(b, out, _any_missing(b, args), e.fill)
    return out


def _interpolate(b: Builder, e: Interpolate) -> Tensor:
    """Piece k = how many interior points are <= x (the IR's clipped searchsorted), then its line."""
    x = _double(emit_expr(b, e.arg), "NormContinuous")
    orig, norm = np.asarray(e.orig, dtype=np.float64), np.asarray(e.norm, dtype=np.float64)
    if len(orig) > 2:
        ge = b.op("Cast", [b.op("GreaterOrEqual", [x, b.const(orig[1:-1].reshape(1, -1))])], to=DOUBLE)
        k = b.op("Cast", [b.op("ReduceSum", [ge, b.const([1], np.int64, "axes")], keepdims=1)], to=7)  # INT64
    else:
        k = b.op("Cast", [b.op("Mul", [b.op("Cast", [b.op("IsNaN", [x])], to=DOUBLE), _num(b, 0.0)])], to=7)

    def at(values: np.ndarray) -> str:
        return b.op("Gather", [b.const(values), k], axis=0)

    y = b.op("Sub", [x, at(orig[:-1])])
    y = b.op("Mul", [y, at(norm[1:] - norm[:-1])])
    y = b.op("Div", [y, at(orig[1:] - orig[:-1])])
    y = b.op("Add", [at(norm[:-1]), y])
    if e.outliers != "asIs":
        low, high = b.op("Less", [x, _num(b, orig[0])]), b.op("Greater", [x, _num(b, orig[-1])])
        if e.outliers == "asMissingValues":
            y = b.op("Where", [b.op("Or", [low, high]), _num(b, NAN), y])
        else:
            y = b.op("Where", [low, _num(b, norm[0]), b.op("Where", [high, _num(b, norm[-1]), y])])
    if e.fill is not None:
        y = b.op("Where", [b.op("IsNaN", [x]), _num(b, float(e.fill)), y])
    return y, DOUBLE


def _category(b: Builder, t: Tensor, value: Any) -> str:
    """The column equals the category ``value`` (compared as the IR's category keys)."""
    key = category_key(value)
    if t[1] == STRING:
        return b.op("Equal", [t[0], _text(b, "" if key is None else str(key))])
    try:
        number = float(value)
    except (TypeError, ValueError):
        return b.op("Equal", [t[0], _num(b, NAN)])  # never: a text category of a numeric column
    return b.op("IsNaN", [t[0]]) if math.isnan(number) else b.op("Equal", [t[0], _num(b, number)])


def _typed(b: Builder, value: Any, numeric: bool) -> str:
    if numeric:
        return _num(b, NAN if is_missing(value) else float(value))
    return _text(b, "" if is_missing(value) else str(value))


def _lookup(b: Builder, e: Lookup) -> Tensor:
    cols = [emit_expr(b, a) for a in e.args]
    table = dict(e.table)  # one value per key, as the IR's dict keeps it
    out = b.op("Expand", [_typed(b, e.default, e.numeric), _rows(b)])
    for key, value in table.items():
        hit = _category(b, cols[0], key[0])
        for c, k in zip(cols[1:], key[1:], strict=True):
            hit = b.op("And", [hit, _category(b, c, k)])
        out = b.op("Where", [hit, _typed(b, value, e.numeric), out], "lookup")
    out = b.op("Where", [_any_missing(b, cols), _typed(b, e.fill, e.numeric), out], "lookup")
    return out, DOUBLE if e.numeric else STRING


def _bins(b: Builder, e: Bins) -> Tensor:
    x = _double(emit_expr(b, e.arg), "Discretize")
    out = b.op("Expand", [_typed(b, e.default, e.numeric), _rows(b)])
    for low, high, closure, value in reversed(e.bins):  # the first bin holding x is applied last
        ok: str | None = None
        if low is not None:
            ok = b.op("GreaterOrEqual" if closure.startswith("closed") else "Greater", [x, _num(b, float(low))])
        if high is not None:
            up = b.op("LessOrEqual" if closure.endswith("Closed") else "Less", [x, _num(b, float(high))])
            ok = up if ok is None else b.op("And", [ok, up])
        if ok is None:
            ok = b.op("Not", [b.op("IsNaN", [x])])
        out = b.op("Where", [ok, _typed(b, value, e.numeric), out], "bins")
    out = b.op("Where", [b.op("IsNaN", [x]), _typed(b, e.fill, e.numeric), out], "bins")
    return out, DOUBLE if e.numeric else STRING


def emit_expr(b: Builder, e: Expr) -> Tensor:
    """The tensor (``[N, 1]``, or a ``[1, 1]`` constant) computing ``e``, and its element type."""
    if isinstance(e, Const):
        return _const(b, e.value)
    if isinstance(e, Ref):
        return b.column(e.name), b.elem(e.name)
    if isinstance(e, Call):
        return _call(b, e)
    if isinstance(e, Interpolate):
        return _interpolate(b, e)
    if isinstance(e, Indicator):
        t = emit_expr(b, e.arg)
        gone = _missing(b, t)
        fill = NAN if e.fill is None else float(e.fill)
        return b.op("Where", [gone, _num(b, fill), b.op("Cast", [_category(b, t, e.value)], to=DOUBLE)], "indicator"), DOUBLE
    if isinstance(e, Lookup):
        return _lookup(b, e)
    if isinstance(e, Bins):
        return _bins(b, e)
    raise refuse(f"the IR expression {type(e).__name__}")


@emitter(Derive)
def derive(step: Derive, b: Builder) -> None:
    if step.type in DATE_TYPES:  # (ai.onnx has no date parsing: StringToDate does not exist, casts read numbers only)
        raise refuse(f"a {step.type} input read from its ISO 8601 text (PMML 4.4 dates: ir.kernels.dates)")
    x, elem = emit_expr(b, step.expression)
    if step.type == "float":  # a float32 value, held as double
        x = b.op("Cast", [b.op("Cast", [_double((x, elem), "a float cast")], to=1)], to=DOUBLE)  # FLOAT
    elif step.type == "integer":  # towards zero
        x = _double((x, elem), "an integer cast")
        x = b.op("Where", [b.op("Less", [x, _num(b, 0.0)]), b.op("Ceil", [x]), b.op("Floor", [x])])
    elif step.type in ("double", "boolean"):
        x = _double((x, elem), f"a {step.type} cast")
    elif step.type == "string" and elem != STRING:
        raise refuse("a number written as text (Derive to string)")
    out = b.op("Expand", [x, _rows(b)], "derived")  # a constant too becomes one value per row
    b.define(step.outputs, out, elem)


@emitter(Validate)
def validate(step: Validate, b: Builder) -> None:
    """A present value outside the valid list fails the batch as an unknown category (see the module doc)."""
    for name, allowed in zip(step.inputs, step.values, strict=True):
        t = b.column(name), b.elem(name)
        ok = _missing(b, t)
        for v in allowed:
            ok = b.op("Or", [ok, _category(b, t, v)])
        flag = b.op("Where", [ok, _text(b, ""), _text(b, f"invalid value of {name}")])
        hot = b.op("OneHotEncoder", [flag], "valid", domain="ai.onnx.ml", cats_strings=[""], zeros=0)
        b.guards.append(hot)
