"""IR expressions (Derive steps) and input validation (Validate) as PFA let-bindings.

Numeric expressions, and text ones built from text constants, text columns and ``if``; a column
that may be null is read through ``impute.errorOnNull``
(the record fails instead of computing from a missing value), except where the IR itself
says what a missing value gives (isMissing, Indicator / Interpolate ``fill``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from interchange.batch import category_key
from interchange.errors import UnsupportedModelError
from interchange.ir.expressions import Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.transforms import Validate

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
_UNARY.update(tanh="m.tanh")
_COMPARE = {"lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">", "greaterOrEqual": ">=", "equal": "==", "notEqual": "!="}


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why} yet", format="pfa", supported_formats=["pmml"])


def _flag(test: Any) -> Any:
    return {"if": test, "then": 1.0, "else": 0.0}


def _truth(w: _Writer, e: Expr) -> Any:
    return {"!=": [_expr(w, e), 0.0]}


def _expr(w: _Writer, e: Expr) -> Any:
    if isinstance(e, Const):
        if not isinstance(e.value, (int, float)) or isinstance(e.value, bool):
            raise _refuse(f"the constant {e.value!r}")
        return float(e.value)
    if isinstance(e, Ref):
        return w.value(e.name)
    if isinstance(e, Call):
        if e.fill is not None or e.default is not None:
            raise _refuse(f"{e.function} with a value for missing arguments or results")
        f, args = e.function, e.args
        if f in _BINARY and len(args) == 2:
            return {_BINARY[f]: [_expr(w, args[0]), _expr(w, args[1])]}
        if f in _UNARY and len(args) == 1:
            return {_UNARY[f]: _expr(w, args[0])}
        if f == "neg":
            return {"u-": _expr(w, args[0])}
        if f == "logistic":
            return {"m.link.logit": _expr(w, args[0])}
        if f in ("min", "max") and len(args) >= 2:  # (pairwise, left to right: the same extreme)
            extreme: Any = {f: [_expr(w, args[0]), _expr(w, args[1])]}
            for a in args[2:]:
                extreme = {f: [extreme, _expr(w, a)]}
            return extreme
        if f in ("equal", "notEqual") and any(_is_text(w, a) for a in args):
            return _flag({_COMPARE[f]: [_text(w, args[0]), _text(w, args[1])]})
        if f in _COMPARE:
            return _flag({_COMPARE[f]: [_expr(w, args[0]), _expr(w, args[1])]})
        if f == "threshold":
            return _flag({">": [_expr(w, args[0]), _expr(w, args[1])]})
        if f in ("and", "or"):
            op = "&&" if f == "and" else "||"
            test = _truth(w, args[0])
            for a in args[1:]:
                test = {op: [test, _truth(w, a)]}
            return _flag(test)
        if f == "not":
            return _flag({"!": _truth(w, args[0])})
        if f == "if" and len(args) == 3:
            return {"if": _truth(w, args[0]), "then": _expr(w, args[1]), "else": _expr(w, args[2])}
        if f in ("isMissing", "isNotMissing") and isinstance(args[0], Ref):
            expr, _, nullable = w.cols[args[0].name]
            present, absent = (0.0, 1.0) if f == "isMissing" else (1.0, 0.0)
            return {"ifnotnull": {"v": expr}, "then": present, "else": absent} if nullable else present
        raise _refuse(f"the IR function {f!r} with {len(args)} arguments")
    if isinstance(e, Indicator) and isinstance(e.arg, Ref):
        expr, kind, nullable = w.cols[e.arg.name]
        literal = {"string": str(e.value)} if kind == "string" else float(e.value)
        test = _flag({"==": ["v" if nullable else expr, literal]})
        if not nullable:
            return test
        if e.fill is None:
            raise _refuse("an indicator of a nullable field with no value for missing")
        return {"ifnotnull": {"v": expr}, "then": test, "else": float(e.fill)}
    if isinstance(e, Interpolate) and e.fill is None and e.outliers == "asIs":
        x = _expr(w, e.arg)
        pieces = list(zip(e.orig, e.norm, strict=True))
        out: Any = None
        for k in range(len(pieces) - 2, -1, -1):  # the piece whose left end is the last one <= x
            (o0, n0), (o1, n1) = pieces[k], pieces[k + 1]
            line: Any = {"+": [n0, {"/": [{"*": [{"-": [x, o0]}, n1 - n0]}, o1 - o0]}]}
            out = line if out is None else {"if": {"<": [x, o1]}, "then": line, "else": out}
        return out
    raise _refuse(f"the IR expression {type(e).__name__}")


def _is_text(w: _Writer, e: Expr) -> bool:
    return (isinstance(e, Const) and isinstance(e.value, str)) or (isinstance(e, Ref) and w.cols[e.name][1] == "string")


def _text(w: _Writer, e: Expr) -> Any:
    """A string-valued expression: a text constant, a text column, or ``if`` choosing between them
    (the ONNX lifter's ``if(isMissing(x), "", x)``: ONNX holds a missing text as "")."""
    if isinstance(e, Const) and isinstance(e.value, str):
        return {"string": e.value}
    if isinstance(e, Ref) and w.cols[e.name][1] == "string":
        return w.value(e.name)  # (errorOnNull when it may be missing: evaluated only on the branch that reads it)
    if isinstance(e, Call) and e.function == "if" and len(e.args) == 3 and e.fill is None and e.default is None:
        return {"if": _truth(w, e.args[0]), "then": _text(w, e.args[1]), "else": _text(w, e.args[2])}
    raise _refuse(f"the text expression {e!r}")


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


def write_derive(w: _Writer, step: Derive) -> None:
    nullable = _missing_as_null(w, step.expression) if step.type in (None, "double") else None
    if nullable is not None:
        symbol = _symbol(w, step.outputs[0])
        w.action.append({"let": {symbol: nullable}})
        w.cols[step.outputs[0]] = (symbol, "double", True)
        return
    if step.type == "string":
        symbol = _symbol(w, step.outputs[0])
        w.action.append({"let": {symbol: _text(w, step.expression)}})
        w.cols[step.outputs[0]] = (symbol, "string", False)
        return
    if step.type not in (None, "double", "boolean", "integer"):
        raise _refuse(f"a derived field of type {step.type}")
    symbol = _symbol(w, step.outputs[0])
    value = _expr(w, step.expression)
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
