"""IR expressions (Derive steps) and input validation (Validate) as PFA let-bindings.

Numeric expressions compute what the IR computes, a missing number being NaN (a nullable
double column is read as NaN where it is null; functions.py); text ones are built from text
constants, text columns, ``if``, Bins and Lookup, null where the IR's text is missing; a text
column that may be null is read through ``impute.errorOnNull`` where a text value is needed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from interchange.batch import category_key
from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit import functions as fn
from interchange.formats.pfa.emit.float32 import rounded
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.transforms import Validate
from interchange.ir.kernels.dates import DATE_TYPES

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["write_derive", "write_validate"]

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/", "pow": "**"}
_UNARY = {
    "exp": "m.exp",
    "ln": "m.ln",
    "log10": "m.log10",
    "sqrt": "m.sqrt",
    "abs": "m.abs",
    "floor": "m.floor",
    "ceil": "m.ceil",
}
_UNARY.update({f: f"m.{f}" for f in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "rint")})
# IR functions whose titus2 namesake computes another formula, inexact where the IR's is not
_INEXACT = {
    "expm1": "titus2's m.expm1 computes exp(x) - 1, which loses the digits of a small x",
    "ln1p": "titus2's m.ln1p computes log(1 + x), which loses the digits of a small x",
    "hypot": "titus2's m.hypot computes sqrt(x**2 + y**2), which overflows where hypot does not",
}
_COMPARE = {"lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">", "greaterOrEqual": ">=", "equal": "==", "notEqual": "!="}


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why} yet", format="pfa", supported_formats=["pmml"])


def _flag(test: Any) -> Any:
    return {"if": test, "then": 1.0, "else": 0.0}


def _truth(w: _Writer, e: Expr) -> Any:
    return fn.truth(w, _expr(w, e))


def _expr(w: _Writer, e: Expr) -> Any:
    """A numeric IR expression; a missing number is NaN, as in the IR (formats/pfa/emit/functions.py)."""
    if isinstance(e, Const):
        if e.value is None:
            return fn.NAN
        if not isinstance(e.value, (int, float)) or isinstance(e.value, bool):
            raise _refuse(f"the constant {e.value!r}")
        return float(e.value)
    if isinstance(e, Ref):
        if w.cols[e.name][1] == "string":
            raise _refuse(f"the text column {e.name!r} as a number")
        return fn.number_ref(w, e.name)
    if isinstance(e, Call):
        return _call(w, e)
    if isinstance(e, Indicator) and isinstance(e.arg, Ref):
        expr, kind, nullable = w.cols[e.arg.name]
        gone = fn.NAN if e.fill is None else float(e.fill)
        if kind == "string":
            test = _flag({"==": ["v" if nullable else expr, {"string": str(e.value)}]})
            return {"ifnotnull": {"v": expr}, "then": test, "else": gone} if nullable else test
        x = fn.tmp(w, fn.number_ref(w, e.arg.name))
        return {"if": fn.isnan(x), "then": gone, "else": _flag({"==": [x, float(e.value)]})}
    if isinstance(e, Interpolate):
        return fn.interpolate(w, _expr(w, e.arg), e.orig, e.norm, e.outliers, e.fill)
    if isinstance(e, Bins) and e.numeric:
        return fn.bins(w, _expr(w, e.arg), e.bins, e.default, e.fill, numeric=True)
    if isinstance(e, Lookup) and e.numeric and all(isinstance(a, Ref) for a in e.args):
        return fn.lookup(w, _lookup_columns(w, e), e.table, e.default, e.fill, numeric=True)
    raise _refuse(f"the IR expression {type(e).__name__}")


def _lookup_columns(w: _Writer, e: Lookup) -> list[tuple[Any, str, bool]]:
    """Each argument column as (expression, kind, nullable): text as it is, numbers with NaN for missing."""
    out = []
    for a in e.args:
        assert isinstance(a, Ref)
        expr, kind, nullable = w.cols[a.name]
        out.append((expr, kind, nullable) if kind == "string" else (fn.number_ref(w, a.name), kind, False))
    return out


def _call(w: _Writer, e: Call) -> Any:
    """An IR function call, with ``default`` for a missing result and ``fill`` for a missing argument."""
    f, args = e.function, e.args
    text = f in ("equal", "notEqual") and any(_is_text(w, a) for a in args)
    if f in ("isMissing", "isNotMissing", "isIn", "isNotIn") or text:
        if e.fill is not None or e.default is not None:
            raise _refuse(f"{f} with a value for missing arguments or results")
        return _text_aware(w, f, args)
    values = [fn.tmp(w, _expr(w, a)) for a in args] if e.fill is not None else [_expr(w, a) for a in args]
    out = _numeric(w, f, values)
    if e.default is not None:
        r = fn.tmp(w, out)
        out = {"if": fn.isnan(r), "then": float(e.default), "else": r}
    if e.fill is not None:
        gone: Any = fn.isnan(values[0])
        for v in values[1:]:
            gone = {"||": [gone, fn.isnan(v)]}
        out = {"if": gone, "then": float(e.fill), "else": out}
    return out


def _numeric(w: _Writer, f: str, args: list[Any]) -> Any:
    """IR function ``f`` over numeric argument expressions (interchange.ir.derive.expressions.FUNCTIONS)."""
    if f in _INEXACT:
        raise _refuse(f"the IR function {f!r}: {_INEXACT[f]}")
    if f in _BINARY and len(args) == 2:
        return fn.clean(w, {_BINARY[f]: args})
    if f in _UNARY and len(args) == 1:
        return fn.clean(w, {_UNARY[f]: args[0]})
    if f == "neg" and len(args) == 1:
        return {"u-": args[0]}
    if f == "logistic" and len(args) == 1:
        return {"m.link.logit": args[0]}
    if f == "round" and len(args) == 1:  # Java Math.round (half up); a missing argument gives 0 (pypmml)
        x = fn.tmp(w, args[0])
        return {"if": fn.isnan(x), "then": 0.0, "else": {"m.floor": {"+": [x, 0.5]}}}
    if f in ("min", "max", "sum", "avg", "product") and args:
        return fn.aggregate(w, f, args)
    if f == "median" and args:
        return fn.median(w, args)
    if f in ("equal", "notEqual") and len(args) == 2:  # two missing values are equal (the IR's _equal)
        a, b = fn.tmp(w, args[0]), fn.tmp(w, args[1])
        same: Any = {"||": [{"==": [a, b]}, {"&&": [fn.isnan(a), fn.isnan(b)]}]}
        return _flag(same if f == "equal" else {"!": same})
    if (f in _COMPARE or f == "threshold") and len(args) == 2:
        # a comparison with a missing value is false (PFA orders NaN above every number: tested first)
        a, b = fn.tmp(w, args[0]), fn.tmp(w, args[1])
        compared = {_COMPARE.get(f, ">"): [a, b]}
        return _flag({"&&": [{"!": {"||": [fn.isnan(a), fn.isnan(b)]}}, compared]})
    if f in ("and", "or") and args:
        op = "&&" if f == "and" else "||"
        test = fn.truth(w, args[0])
        for a in args[1:]:
            test = {op: [test, fn.truth(w, a)]}
        return _flag(test)
    if f == "not" and len(args) == 1:
        return _flag({"!": fn.truth(w, args[0])})
    if f == "if" and len(args) in (2, 3):  # a missing condition takes the else branch; no else: missing
        return {"if": fn.truth(w, args[0]), "then": args[1], "else": args[2] if len(args) == 3 else fn.NAN}
    raise _refuse(f"the IR function {f!r} with {len(args)} arguments")


def _text_aware(w: _Writer, f: str, args: tuple[Expr, ...]) -> Any:
    """isMissing / isNotMissing, isIn / isNotIn and equality over a text or a numeric column."""
    if f in ("isMissing", "isNotMissing"):
        a = args[0]
        if isinstance(a, Ref) and w.cols[a.name][1] == "string":
            expr, _, nullable = w.cols[a.name]
            gone: Any = {"ifnotnull": {"v": expr}, "then": False, "else": True} if nullable else False
        elif isinstance(a, Ref) or not _is_text(w, a):
            gone = fn.isnan(_expr(w, a))
        else:
            raise _refuse(f"{f} of a text expression")
        return _flag(gone if f == "isMissing" else {"!": gone})
    if f in ("equal", "notEqual"):  # two missing values are equal, one equals nothing (the IR's _equal)
        same = _text_equal(w, args[0], args[1])
        return _flag(same if f == "equal" else {"!": same})
    subject, pool = args[0], args[1:]
    if not isinstance(subject, Ref) or not all(isinstance(p, Const) for p in pool):
        raise _refuse(f"{f} over other than a column and constants")
    expr, kind, nullable = w.cols[subject.name]
    value = expr if kind == "string" else fn.number_ref(w, subject.name)
    hit = fn.member(w, value, kind, nullable and kind == "string", [p.value for p in pool if isinstance(p, Const)])
    return _flag(hit if f == "isIn" else {"!": hit})


def _text_equal(w: _Writer, a: Expr, b: Expr) -> Any:
    """Text equality where a nullable column's missing value equals only another missing value."""
    sides: list[tuple[str | None, Any]] = []
    for k, e in enumerate((a, b)):
        if isinstance(e, Ref) and w.cols[e.name][2]:
            sides.append((f"eq{k}", w.cols[e.name][0]))
        else:
            sides.append((None, _text(w, e)))
    (na, ea), (nb, eb) = sides
    test: Any = {"==": [na or ea, nb or eb]}
    if nb is not None:  # b missing: equal only when a is missing too
        test = {"ifnotnull": {nb: eb}, "then": test, "else": False}
    if na is None:
        return test
    a_missing = {"ifnotnull": {nb: eb}, "then": False, "else": True} if nb is not None else False
    return {"ifnotnull": {na: ea}, "then": test, "else": a_missing}


def _is_text(w: _Writer, e: Expr) -> bool:
    if isinstance(e, Const):
        return isinstance(e.value, str)
    if isinstance(e, Ref):
        return w.cols[e.name][1] == "string"
    if isinstance(e, (Bins, Lookup)):
        return not e.numeric
    return isinstance(e, Call) and e.function == "if" and any(_is_text(w, a) for a in e.args[1:])


def _text(w: _Writer, e: Expr) -> Any:
    """A string-valued expression: a text constant, a text column, ``if`` choosing between them (the ONNX
    lifter's ``if(isMissing(x), "", x)``: ONNX holds a missing text as ""), text Bins and Lookup; null
    where the IR's text is missing (``_text_nullable``)."""
    if isinstance(e, Const) and isinstance(e.value, str):
        return {"string": e.value}
    if isinstance(e, Const) and e.value is None:
        return None
    if isinstance(e, Ref) and w.cols[e.name][1] == "string":
        return w.value(e.name)  # (errorOnNull when it may be missing: evaluated only on the branch that reads it)
    if isinstance(e, Call) and e.function == "if" and len(e.args) in (2, 3) and e.fill is None and e.default is None:
        otherwise = _text(w, e.args[2]) if len(e.args) == 3 else None
        return {"if": _truth(w, e.args[0]), "then": _text(w, e.args[1]), "else": otherwise}
    if isinstance(e, Bins) and not e.numeric:
        return fn.bins(w, _expr(w, e.arg), e.bins, e.default, e.fill, numeric=False)
    if isinstance(e, Lookup) and not e.numeric and all(isinstance(a, Ref) for a in e.args):
        return fn.lookup(w, _lookup_columns(w, e), e.table, e.default, e.fill, numeric=False)
    raise _refuse(f"the text expression {e!r}")


def _text_nullable(e: Expr) -> bool:
    """Whether a text expression may be missing (then written as a ["null", "string"] value)."""
    if isinstance(e, Const):
        return e.value is None
    if isinstance(e, (Bins, Lookup)):
        return e.default is None or e.fill is None
    if isinstance(e, Call) and e.function == "if":
        return len(e.args) == 2 or any(_text_nullable(a) for a in e.args[1:])
    return False


def _symbol(w: _Writer, name: str) -> str:
    base = "d_" + re.sub(r"\W", "_", name)
    symbol, k = base, 1
    taken = {c[0] for c in w.cols.values() if isinstance(c[0], str)}
    while symbol in taken:
        k += 1
        symbol = f"{base}_{k}"
    return symbol


def _category(kind: str, key: Any) -> Any:
    """A category key as a literal of a ``kind`` column (None: no value of the column equals it)."""
    if kind == "string":
        return {"string": str(key)}
    try:
        return float(key)
    except (TypeError, ValueError):
        return None


def _missing_as_null(w: _Writer, e: Expr) -> Any:
    """Indicator / Lookup over nullable fields whose missing result is missing (no ``fill``): the
    expression with null where an argument is null, or None when ``e`` is not such a form.

    A numeric Lookup (MapValues, a one-hot table) is an if-chain over its keys, in table order.
    The column is then nullable, so a tree reading it routes a missing value as the IR does.
    """
    if isinstance(e, Indicator) and e.fill is None and isinstance(e.arg, Ref) and w.cols[e.arg.name][2]:
        args: tuple[Expr, ...] = (e.arg,)
        table: tuple[tuple[tuple[Any, ...], Any], ...] = (((category_key(e.value),), 1.0),)
        default: Any = 0.0
    elif isinstance(e, Lookup) and e.numeric and e.fill is None and all(isinstance(a, Ref) for a in e.args):
        args, table, default = e.args, e.table, e.default
    else:
        return None
    refs = [a.name for a in args if isinstance(a, Ref)]
    if not any(w.cols[n][2] for n in refs):
        return None
    names = [f"k{i}" for i in range(len(refs))]
    out: Any = float(default) if default is not None else {"/": [0.0, 0.0]}
    for keys, value in reversed(table):
        tests = [_category(w.cols[n][1], k) for n, k in zip(refs, keys, strict=True)]
        if any(t is None for t in tests):
            continue
        test: Any = {"==": [names[0], tests[0]]}
        for name, lit in zip(names[1:], tests[1:], strict=True):
            test = {"&&": [test, {"==": [name, lit]}]}
        out = {"if": test, "then": float(value) if value is not None else {"/": [0.0, 0.0]}, "else": out}
    for name, ref in zip(reversed(names), reversed(refs), strict=True):
        expr, _, nullable = w.cols[ref]
        out = {"ifnotnull": {name: expr}, "then": out, "else": None} if nullable else {"do": [{"let": {name: expr}}, out]}
    return out


def _as_number(value: Any) -> float | None:
    """A text table value as the number a cast to double gives, None where it is no number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _numeric_lookup(e: Expr) -> Expr:
    """A text Lookup whose values are all numbers (sklearn2pmml's OrdinalEncoder: MapValues to "0.0", "1.0")
    read as a number: the numeric Lookup of those numbers, which a cast to double of the text gives."""
    if not isinstance(e, Lookup) or e.numeric:
        return e
    values = [v for _, v in e.table] + [v for v in (e.default, e.fill) if v is not None]
    if any(_as_number(v) is None for v in values):
        return e
    table = tuple((keys, _as_number(v)) for keys, v in e.table)
    default = None if e.default is None else _as_number(e.default)
    return Lookup(e.args, table, default, None if e.fill is None else _as_number(e.fill), numeric=True)


def write_derive(w: _Writer, step: Derive) -> None:
    if step.type in ("double", "float"):
        step = Derive(step.outputs, _numeric_lookup(step.expression), step.type)
    nullable = _missing_as_null(w, step.expression) if step.type in (None, "double") else None
    if nullable is not None:
        symbol = _symbol(w, step.outputs[0])
        w.action.append({"let": {symbol: nullable}})
        w.cols[step.outputs[0]] = (symbol, "double", True)
        return
    if step.type == "string" and isinstance(step.expression, Ref) and w.cols[step.expression.name][1] == "string":
        w.cols[step.outputs[0]] = w.cols[step.expression.name]  # a copy: the same value, null where it is
        return
    if step.type == "string":
        symbol = _symbol(w, step.outputs[0])
        w.action.append({"let": {symbol: _text(w, step.expression)}})
        w.cols[step.outputs[0]] = (symbol, "string", _text_nullable(step.expression))
        return
    if step.type == "float" and isinstance(step.expression, Ref) and step.expression.name in w.float32:
        w.cols[step.outputs[0]] = w.cols[step.expression.name]  # already a float32 value: rounding it again changes nothing
        w.float32.add(step.outputs[0])
        return
    if step.type in DATE_TYPES:  # (titus2's time.* functions read epoch seconds; nothing in PFA reads ISO 8601 text)
        raise _refuse(f"a {step.type} input read from its ISO 8601 text (PFA has no date parsing)")
    if step.type not in (None, "double", "boolean", "integer", "float"):
        raise _refuse(f"a derived field of type {step.type}")
    symbol = _symbol(w, step.outputs[0])
    value = _expr(w, step.expression)
    if step.type == "float":  # rounded to float32 (a NaN, the missing number, stays NaN), held as a double
        value = rounded(w, value)
        w.float32.add(step.outputs[0])
    if step.type == "integer":  # towards zero, held as a double (as the IR holds it): -1.7 -> -1
        w.action.append({"let": {f"{symbol}_raw": value}})
        raw = f"{symbol}_raw"
        value = {"if": {"<": [raw, 0.0]}, "then": {"m.ceil": raw}, "else": {"m.floor": raw}}
    w.action.append({"let": {symbol: value}})
    w.cols[step.outputs[0]] = (symbol, "double", False)


def write_validate(w: _Writer, step: Validate) -> None:
    """A value outside the field's list fails the record (PFA ``error``), as the IR's RecordError."""
    for name, values in zip(step.inputs, step.values, strict=True):
        expr, kind, nullable = w.cols[name]
        literals = [{"string": str(v)} if kind == "string" else float(v) for v in values]
        value = "v" if nullable else expr
        unknown: Any = True
        for lit in literals:
            test = {"!=": [value, lit]}
            unknown = test if unknown is True else {"&&": [unknown, test]}
        check = {"if": unknown, "then": {"error": f"invalid value for field {name}"}}
        w.action.append({"ifnotnull": {"v": expr}, "then": check} if nullable else check)
