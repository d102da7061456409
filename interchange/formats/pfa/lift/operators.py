"""PFA's operators on per-row values as IR expressions: arithmetic, comparisons, logic, the
elementary functions of ``m.*``, and literals. Integer arithmetic stays integer-typed (PFA's
int / long), ``/`` and ``**`` give doubles; text compares for equality only (an Indicator)."""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.lift.values import Constant, Fcn, Items, Record, Scalar, Vector
from interchange.ir.derive.expressions import Call, Const, Indicator
from interchange.ir.lifted import Unliftable

__all__ = ["operator"]

_ARITH = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "pow", "%": "mod", "%%": "rem"}
_COMPARE = {"==": "equal", "!=": "notEqual", "<": "lessThan", "<=": "lessOrEqual", ">": "greaterThan", ">=": "greaterOrEqual"}
_UNARY = {
    "m.abs": "abs",
    "m.sqrt": "sqrt",
    "m.exp": "exp",
    "m.ln": "ln",
    "m.log10": "log10",
    "m.floor": "floor",
    "m.ceil": "ceil",
    "m.tanh": "tanh",
    "m.link.logit": "logistic",
    "u-": "neg",
}
_LITERALS = {"int": "int", "long": "int", "double": "double", "float": "double", "string": "string", "boolean": "boolean"}
_NUMERIC = ("double", "int", "boolean")


def _num_type(a: Scalar, b: Scalar) -> str:
    return "int" if a.type == b.type == "int" else "double"


def operator(op: str, args: list[Scalar], path: str) -> Scalar:
    """Arithmetic, comparison, logic and elementary functions on per-row values."""
    if op in _UNARY:
        (a,) = args
        return Scalar(Call(_UNARY[op], (a.expr,)), "int" if op in ("m.abs", "u-") and a.type == "int" else "double")
    if op == "!":
        return Scalar(Call("not", (args[0].expr,)), "boolean")
    a, b = args
    if op in ("&&", "||"):
        return Scalar(Call("and" if op == "&&" else "or", (a.expr, b.expr)), "boolean")
    if op == "^^":  # exclusive or
        one, other = Call("and", (a.expr, Call("not", (b.expr,)))), Call("and", (Call("not", (a.expr,)), b.expr))
        return Scalar(Call("or", (one, other)), "boolean")
    if op in _ARITH:
        for v in (a, b):
            if v.type not in _NUMERIC:
                raise Unliftable(path, f"{op} of a {v.type}")
        kind = "double" if op in ("/", "**") else _num_type(a, b)
        return Scalar(Call(_ARITH[op], (a.expr, b.expr)), kind)
    if "string" in (a.type, b.type):
        if op not in ("==", "!="):
            raise Unliftable(path, f"text compared with {op} has no IR form yet")
        column, literal = (a, b) if b.constant is not None else (b, a)
        if literal.constant is None:
            return Scalar(Call(_COMPARE[op], (a.expr, b.expr)), "boolean")
        hit = Indicator(column.expr, literal.constant)
        return Scalar(hit if op == "==" else Call("-", (Const(1.0), hit)), "boolean")
    return Scalar(Call(_COMPARE[op], (a.expr, b.expr)), "boolean")


def _constant(value: Any, kind: str | None = None) -> Scalar:
    if isinstance(value, bool):
        return Scalar(Const(1.0 if value else 0.0), "boolean")
    if isinstance(value, int):
        return Scalar(Const(float(value)), kind or "int")
    if isinstance(value, float):
        return Scalar(Const(value), "double")
    if isinstance(value, str):
        return Scalar(Const(value), "string")
    return Scalar(Const(None), "double", True)


def _kind(v: Any) -> str:
    kinds = {Scalar: "a value", Vector: "an array", Items: "an array input", Record: "a record", Constant: "a constant"}
    return {**kinds, Fcn: "a function"}.get(type(v), type(v).__name__)
