"""PFA's core operators on whole batches, with titus2's semantics (its ``titus/lib/core.py``).

Arithmetic and comparison (PFA §core: NaN sorts above every double; int/long overflow and
integer division by zero are errors), ``max`` / ``min`` and the logical operators. The
``m.*`` functions are in ``fast.library.maths``, ``impute.*`` / ``cast.*`` in
``fast.library.imputes``, functions of functions in ``fast.library.lanes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope, convert
from interchange.formats.pfa.fast.library.registry import (
    F64,
    INT_MAX,
    INT_MIN,
    LIBRARY,
    LONG_MAX,
    LONG_MIN,
    args_of,
    as_float,
    fn,
)
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    DOUBLE,
    STRING,
    EnumT,
    NotCovered,
    Prim,
    is_int,
    is_num,
    promote,
)

__all__ = ["compare", "pow_like_java"]


# --- core arithmetic ------------------------------------------------------------------------


def _arith(op: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        t = promote(at, bt)
        depth = scope.depth
        if t.name in ("float", "double"):
            ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
            return (lambda rt: ufunc(as_float(af(rt)), as_float(bf(rt)))), t

        ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
        limit = (INT_MIN, INT_MAX) if t.name == "int" else (LONG_MIN, LONG_MAX)

        def ints(rt: Run) -> Any:
            a, b = np.asarray(af(rt), dtype=np.int64), np.asarray(bf(rt), dtype=np.int64)
            if np.abs(ufunc(a.astype(np.float64), b.astype(np.float64))).max(initial=0.0) < 2.0**62 and (
                op != "*" or (np.abs(a).max(initial=0) < 2**62 and np.abs(b).max(initial=0) < 2**62)
            ):  # no int64 overflow on the way: int64 is exact (the float estimate is within 2**11 of the result)
                exact = ufunc(a, b)
                bad = (exact < limit[0]) | (exact > limit[1])
            else:  # near the long range: Python's whole numbers, as titus2 computes
                exact = ufunc(a.astype(object), b.astype(object))
                bad = np.asarray(np.frompyfunc(lambda v: v < limit[0] or v > limit[1], 1, 1)(exact), dtype=bool)  # 0-d too
            rt.fail(bad, depth, f"{t.name} overflow")
            return np.where(bad, 0, exact).astype(np.int64)

        return ints, t

    return compile_


for _op in ("+", "-", "*"):
    LIBRARY[_op] = _arith(_op)


@fn("/")
def _divide(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    promote(at, bt)

    def run(rt: Run) -> Any:
        a, b = as_float(af(rt)), as_float(bf(rt))
        zero = np.where(a > 0, np.inf, np.where(a < 0, -np.inf, np.nan))  # titus util.div: sign of the numerator only
        return np.where(b == 0, zero, a / np.where(b == 0, 1.0, b))

    return run, DOUBLE


@fn("//")
def _floordiv(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    t = promote(at, bt)
    if not is_int(t):
        raise NotCovered("// on non-integers")
    depth = scope.depth

    def run(rt: Run) -> Any:
        a, b = np.asarray(af(rt), dtype=np.int64), np.asarray(bf(rt), dtype=np.int64)
        rt.fail(b == 0, depth, "integer division by zero")
        return np.trunc(a / np.where(b == 0, 1, b).astype(F64)).astype(np.int64)

    return run, t


def _remainder(c: Compiler, args: list[Any], scope: Scope, op: Callable[[Any, Any], Any]) -> Compiled:
    """``%`` (``np.mod``: the sign of the divisor) and ``%%`` (``np.fmod``: the sign of the dividend,
    as titus2 computes it); an integer division by zero fails the record, a float one is NaN."""
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    t = promote(at, bt)
    depth = scope.depth

    def run(rt: Run) -> Any:
        a, b = af(rt), bf(rt)
        if is_int(t):
            a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
            rt.fail(b == 0, depth, "integer division by zero")
            return op(a, np.where(b == 0, 1, b))
        a, b = as_float(a), as_float(b)
        return np.where(b == 0, np.nan, op(a, np.where(b == 0, 1.0, b)))

    return run, t


@fn("%")
def _mod(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    return _remainder(c, args, scope, np.mod)


@fn("%%")
def _rem(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    """PFA §%%: the remainder with the sign of the dividend."""
    return _remainder(c, args, scope, np.fmod)


def pow_like_java(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """titus ``powLikeJava`` (PFA §**: Java's Math.pow)."""
    x, y = np.broadcast_arrays(as_float(x), as_float(y))
    out = np.power(x, y)
    out = np.where(np.isnan(x) | np.isnan(y), np.nan, out)
    out = np.where(np.isnan(x) & (y == 0), 1.0, out)
    out = np.where(np.isinf(y) & (np.abs(x) == 1), np.nan, out)
    out = np.where((x == 0) & (y < 0), np.inf, out)
    return out


@fn("**")
def _pow(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    t = promote(at, bt)
    depth = scope.depth

    def run(rt: Run) -> Any:
        out = pow_like_java(af(rt), bf(rt))
        if is_int(t):
            lo, hi = (INT_MIN, INT_MAX) if t.name == "int" else (LONG_MIN, LONG_MAX)
            bad = np.isnan(out) | (out < lo) | (out > hi)
            rt.fail(bad, depth, f"{t.name} overflow")
            return np.where(bad, 0, out).astype(np.int64)
        return out

    return run, t


def _min_overflows(name: str, f: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Compiled]:
    """``u-`` and ``m.abs``: the most negative int / long has no positive: a record error there."""

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if not is_num(at):
            raise NotCovered(f"{name} on a non-number")
        depth = scope.depth
        if is_int(at):

            def run(rt: Run) -> Any:
                a = np.asarray(af(rt), dtype=np.int64)
                rt.fail(a == (INT_MIN if at.name == "int" else LONG_MIN), depth, f"{at.name} overflow")
                return f(a)

            return run, at
        return (lambda rt: f(as_float(af(rt)))), at

    return compile_


LIBRARY["u-"], LIBRARY["m.abs"] = _min_overflows("u-", np.negative), _min_overflows("m.abs", np.abs)


# --- comparisons ----------------------------------------------------------------------------


def compare(op: str, a: Any, b: Any, t: Any) -> np.ndarray:
    """titus ``compare``: for doubles NaN is above every number and equal to itself."""
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}
    if t == DOUBLE:
        a, b = as_float(a), as_float(b)
        na, nb = np.isnan(a), np.isnan(b)
        cmp = np.where(na, np.where(nb, 0, 1), np.where(nb, -1, np.sign(a - np.where(nb, 0, b)).astype(np.int64)))
        cmp = np.where(na | nb, cmp, (a > b).astype(np.int64) - (a < b))
        return ops[op](cmp, 0)
    if t.name == "float" if isinstance(t, Prim) else False:
        a, b = as_float(a), as_float(b)
        return ops[op]((a > b).astype(np.int64) - (a < b), 0)
    return np.asarray(ops[op](a, b), dtype=bool)


def _comparison(op: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        if is_num(at) and is_num(bt):
            t: Any = promote(at, bt)
        elif at == bt and (at in (STRING, BOOLEAN) or (isinstance(at, EnumT) and op in ("==", "!="))):
            t = at
        else:
            raise NotCovered(f"{op} on {at} and {bt}")
        if is_int(t):
            return (lambda rt: compare(op, np.asarray(af(rt), dtype=np.int64), np.asarray(bf(rt), dtype=np.int64), t)), BOOLEAN
        return (lambda rt: compare(op, af(rt), bf(rt), t)), BOOLEAN

    return compile_


for _op in ("<", "<=", ">", ">=", "==", "!="):
    LIBRARY[_op] = _comparison(_op)


def _extreme(which: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        if not (is_num(at) and is_num(bt)):
            raise NotCovered(f"{which} on non-numbers")
        t = promote(at, bt)

        def run(rt: Run) -> Any:
            a, b = convert(af(rt), at, t), convert(bf(rt), bt, t)
            pick_a = compare(">=", a, b, t) if which == "max" else compare("<", a, b, t)
            return np.where(pick_a, a, b)

        return run, t

    return compile_


LIBRARY["max"], LIBRARY["min"] = _extreme("max"), _extreme("min")


def _short(op: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        if at != BOOLEAN or bt != BOOLEAN:
            raise NotCovered(f"{op} on non-booleans")

        def run(rt: Run) -> Any:
            a = np.asarray(af(rt), dtype=bool)
            before = rt.masked(a if op == "&&" else ~a)  # the right side runs only where it decides
            try:
                b = np.asarray(bf(rt), dtype=bool)
            finally:
                rt.active = before
            return (a & b) if op == "&&" else (a | b)

        return run, BOOLEAN

    return compile_


LIBRARY["&&"], LIBRARY["||"] = _short("&&"), _short("||")


@fn("!")
def _not(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at != BOOLEAN:
        raise NotCovered("! on a non-boolean")
    return (lambda rt: ~np.asarray(af(rt), dtype=bool)), BOOLEAN


@fn("^^")
def _xor(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    if at != BOOLEAN or bt != BOOLEAN:
        raise NotCovered("^^ on non-booleans")
    return (lambda rt: np.asarray(af(rt), dtype=bool) ^ np.asarray(bf(rt), dtype=bool)), BOOLEAN
