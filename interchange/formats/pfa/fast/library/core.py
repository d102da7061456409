"""PFA library functions on whole batches, with titus2's semantics (its ``titus/lib`` sources).

Core arithmetic and comparison (PFA §core: NaN sorts above every double; int/long overflow and
integer division by zero are errors), ``m.*``, ``m.link.*``, ``m.kernel.*``, ``a.*``, ``la.*``,
``cast.*``, ``impute.*``, ``map.containsKey`` and ``metric.*``. Where Python's ``math`` raises
(``math.exp`` overflow) titus2 fails the record, so these rows fail here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope, convert
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    DOUBLE,
    INT,
    LONG,
    STRING,
    Arr,
    EnumT,
    NotCovered,
    Opaque,
    Opt,
    Prim,
    is_int,
    is_num,
    lane_axis,
    length,
    promote,
)
from interchange.ir import links

__all__ = ["LIBRARY", "seqsum", "loop_fcn", "map_fcn"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
EXP_MAX = 709.782712893384  # math.exp raises OverflowError above this
LIBRARY: dict[str, Callable[[Compiler, list[Any], Scope], Compiled]] = {}
F64 = np.float64


def fn(*names: str) -> Callable[[Callable[..., Compiled]], Callable[..., Compiled]]:
    def deco(f: Callable[..., Compiled]) -> Callable[..., Compiled]:
        for n in names:
            LIBRARY[n] = f
        return f

    return deco


def args_of(c: Compiler, args: list[Any], scope: Scope, count: int | None = None) -> list[Compiled]:
    if count is not None and len(args) != count:
        raise NotCovered(f"{len(args)} arguments where {count} are expected")
    return [c.expr(a, scope) for a in args]


def as_float(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=F64)


def check_range(rt: Run, out: np.ndarray, t: Prim, depth: int) -> np.ndarray:
    if t.name == "int":
        rt.fail((out < INT_MIN) | (out > INT_MAX), depth, "int overflow")
    return out


def seqsum(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Left-to-right sum along ``axis`` (Python's ``sum``), the order titus2 adds in."""
    x = np.asarray(x)
    k = x.shape[axis]
    if k == 0:
        return np.zeros(x.shape[:axis] + x.shape[axis + 1 :] if axis != -1 else x.shape[:-1])
    moved = np.moveaxis(x, axis, -1)
    total = moved[..., 0] + 0.0 if moved.dtype.kind == "f" else moved[..., 0]
    for j in range(1, k):
        total = total + moved[..., j]
    return total


# --- core arithmetic ------------------------------------------------------------------------


def _arith(op: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        t = promote(at, bt)
        depth = scope.depth
        if t.name in ("float", "double"):
            ufunc = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
            return (lambda rt: ufunc(as_float(af(rt)), as_float(bf(rt)))), t

        def ints(rt: Run) -> Any:
            a, b = np.asarray(af(rt), dtype=np.int64), np.asarray(bf(rt), dtype=np.int64)
            exact = {"+": np.add, "-": np.subtract, "*": np.multiply}[op](a.astype(object), b.astype(object))
            limit = (INT_MIN, INT_MAX) if t.name == "int" else (LONG_MIN, LONG_MAX)
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


# --- m.* --------------------------------------------------------------------------------------


def _unary(fn_: Callable[[Run, np.ndarray, int], np.ndarray], ret: Any = DOUBLE) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if not is_num(at):
            raise NotCovered("math on a non-number")
        depth = scope.depth
        return (lambda rt: fn_(rt, as_float(af(rt)), depth)), ret

    return compile_


def exp_checked(rt: Run, x: np.ndarray, depth: int) -> np.ndarray:
    rt.fail(x > EXP_MAX, depth, "math range error (exp overflow)")
    return np.exp(np.minimum(x, EXP_MAX))


def _keep_special(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[Run, np.ndarray, int], np.ndarray]:
    return lambda rt, x, d: np.where(np.isfinite(x), f(np.where(np.isfinite(x), x, 0.0)), x)


LIBRARY["m.exp"] = _unary(exp_checked)
LIBRARY["m.expm1"] = _unary(lambda rt, x, d: exp_checked(rt, x, d) - 1.0)
LIBRARY["m.ln"] = _unary(lambda rt, x, d: np.where(x < 0, np.nan, np.where(x == 0, -np.inf, np.log(np.where(x > 0, x, 1.0)))))
LIBRARY["m.log10"] = _unary(
    lambda rt, x, d: np.where(x < 0, np.nan, np.where(x == 0, -np.inf, np.log10(np.where(x > 0, x, 1.0))))
)
LIBRARY["m.ln1p"] = _unary(
    lambda rt, x, d: np.where(x < -1, np.nan, np.where(x == -1, -np.inf, np.log(1 + np.where(x > -1, x, 0.0))))
)
LIBRARY["m.sqrt"] = _unary(lambda rt, x, d: np.where(x < 0, np.nan, np.sqrt(np.abs(x))))
LIBRARY["m.floor"] = _unary(_keep_special(np.floor))
LIBRARY["m.ceil"] = _unary(_keep_special(np.ceil))
LIBRARY["m.sin"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.sin(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.cos"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.cos(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.tan"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.tan(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.atan"] = _unary(lambda rt, x, d: np.arctan(x))
LIBRARY["m.tanh"] = _unary(lambda rt, x, d: np.tanh(x))
LIBRARY["m.signum"] = _unary(lambda rt, x, d: np.where(np.isnan(x), 0, np.sign(np.nan_to_num(x))).astype(np.int64), INT)


@fn("m.round")
def _round(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at != DOUBLE:
        raise NotCovered("m.round on a non-double")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x = as_float(af(rt))
        out = np.floor(x + 0.5)
        bad = ~np.isfinite(out) | (out < LONG_MIN) | (out >= 2.0**63)
        rt.fail(bad, depth, "long overflow")
        return np.where(bad, 0, out).astype(np.int64)

    return run, LONG


LIBRARY["m.pi"] = lambda c, a, s: ((lambda rt: np.array(math.pi)), DOUBLE)
LIBRARY["m.e"] = lambda c, a, s: ((lambda rt: np.array(math.e)), DOUBLE)


# --- m.link.* ---------------------------------------------------------------------------------


def _link(f: Callable[[Run, np.ndarray, int], np.ndarray]) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if at not in (DOUBLE, Arr(DOUBLE)):
            raise NotCovered(f"link on {at}")
        depth = scope.depth
        if at == DOUBLE:
            return (lambda rt: f(rt, as_float(af(rt)), depth)), DOUBLE
        return (lambda rt: f(rt, as_float(af(rt)), depth + 1)), at

    return compile_


def checked_exp(rt: Run, depth: int) -> Callable[[np.ndarray], np.ndarray]:
    """``exp`` that fails the records where titus2's ``math.exp`` overflows."""
    return lambda x: exp_checked(rt, x, depth)


# the shared kernels (interchange.ir.links) with titus2's choices: checked exp, erf probit,
# loglog = exp(-exp(y)) as PFA 0.8.1 defines it
LIBRARY["m.link.logit"] = _link(lambda rt, y, d: links.logistic(y, checked_exp(rt, d)))
LIBRARY["m.link.probit"] = _link(lambda rt, y, d: links.probit(y, tails=False))
LIBRARY["m.link.cloglog"] = _link(lambda rt, y, d: links.cloglog(y, checked_exp(rt, d)))
LIBRARY["m.link.loglog"] = _link(lambda rt, y, d: links.loglog(y, checked_exp(rt, d), negate=False))
LIBRARY["m.link.cauchit"] = _link(lambda rt, y, d: links.cauchit(y))
LIBRARY["m.link.softplus"] = _link(lambda rt, y, d: links.softplus(y, checked_exp(rt, d)))
LIBRARY["m.link.relu"] = _link(lambda rt, y, d: links.relu(y))
LIBRARY["m.link.tanh"] = _link(lambda rt, y, d: np.tanh(y))


@fn("m.link.softmax")
def _softmax(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at != Arr(DOUBLE):
        raise NotCovered(f"m.link.softmax on {at}")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x = as_float(af(rt))
        if x.shape[-1] == 0:
            rt.fail(np.array(True), depth, "empty input")
            return x
        if np.isnan(x).any():
            from interchange.formats.pfa.fast.types import Defer

            raise Defer("m.link.softmax of NaN")
        # an overflow in any element fails the record: the mask has the array's axis (depth + 1)
        return links.softmax(x, checked_exp(rt, depth + 1), shift="largest", total=seqsum)

    return run, at


# --- impute.* / cast.* ------------------------------------------------------------------------


def _field_name(arg: Any) -> str | None:
    if isinstance(arg, str) and arg.startswith("input."):
        return arg[len("input.") :]
    return None


@fn("impute.errorOnNull")
def _error_on_null(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if not isinstance(at, Opt):
        raise NotCovered(f"impute.errorOnNull on {at}")
    depth, field = scope.depth, _field_name(args[0])
    message = "encountered null" + (f" in field {field!r}" if field else "")

    def run(rt: Run) -> Any:
        v = af(rt)
        rt.fail(np.asarray(v.missing), depth, message, field)
        return v.value

    return run, at.inner


@fn("impute.defaultOnNull")
def _default_on_null(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (df, dt) = args_of(c, args, scope, 2)
    if not isinstance(at, Opt) or at.inner != dt or isinstance(dt, (Arr, Opaque)):
        raise NotCovered(f"impute.defaultOnNull on {at}")

    def run(rt: Run) -> Any:
        v = af(rt)
        return np.where(v.missing, df(rt), v.value)

    return run, dt


LIBRARY["impute.isnan"] = lambda c, a, s: _num_test(c, a, s, np.isnan)
LIBRARY["impute.isinf"] = lambda c, a, s: _num_test(c, a, s, np.isinf)
LIBRARY["impute.isnum"] = lambda c, a, s: _num_test(c, a, s, np.isfinite)


def _num_test(c: Compiler, args: list[Any], scope: Scope, f: Callable[[np.ndarray], np.ndarray]) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at not in (DOUBLE, Prim("float")):
        raise NotCovered("impute test on a non-float")
    return (lambda rt: f(as_float(af(rt)))), BOOLEAN


def _cast(target: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if not is_num(at):
            raise NotCovered(f"cast.{target} on {at}")
        depth = scope.depth
        if target in ("double", "float"):
            return (lambda rt: as_float(af(rt))), Prim(target)

        def run(rt: Run) -> Any:
            x = af(rt)
            lo, hi = (INT_MIN, INT_MAX) if target == "int" else (LONG_MIN, LONG_MAX)
            if is_int(at):
                out = np.asarray(x, dtype=np.int64)
                bad = (out < lo) | (out > hi)
            else:
                xf = np.floor(as_float(x) + 0.5)
                bad = ~np.isfinite(xf) | (xf < lo) | (xf > hi) | (xf >= 2.0**63)
                out = np.where(bad, 0, xf).astype(np.int64)
            rt.fail(bad, depth, f"{target} overflow")
            return np.where(bad, 0, out)

        return run, Prim(target)

    return compile_


for _t in ("double", "float", "int", "long"):
    LIBRARY[f"cast.{_t}"] = _cast(_t)


@fn("map.containsKey")
def _contains_key(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (mf, mt), (kf, kt) = args_of(c, args, scope, 2)
    if not (isinstance(mt, Opaque) and mt.kind == "map") or kt != STRING:
        raise NotCovered("map.containsKey on a non-map or with a non-string key")

    def run(rt: Run) -> Any:
        m = np.asarray(mf(rt), dtype=object)
        if m.ndim != 0:
            raise NotCovered("maps that vary per row")
        table = m[()]
        return np.frompyfunc(lambda k: k in table, 1, 1)(np.asarray(kf(rt), dtype=object)).astype(bool)

    return run, BOOLEAN


# --- functions of functions: lanes ------------------------------------------------------------


def map_fcn(c: Compiler, fcn_raw: Any, scope: Scope, elem_types: list[Any]) -> tuple[list[Any], Callable[[Run], Any], Any]:
    """Compile ``fcn_raw`` one lane deeper (an element of each array per lane)."""
    fcn = c.fcn(fcn_raw, scope)
    slots, body, ret = fcn.bind(elem_types, scope.depth + 1)
    return slots, body, ret


def run_lanes(
    rt: Run, slots: list[Any], values: list[Any], types: list[Any], body: Callable[[Run], Any], ret: Any, k: int
) -> Any:
    """Evaluate a lane-compiled body with each slot bound to an array (as elements), one lane of length k."""
    for s, v, t in zip(slots, values, types, strict=True):
        rt.env[s.id] = convert(v, t, s.type) if t != s.type else v
    before = rt.active
    if before is not None:
        rt.active = np.asarray(before)[..., None]
    try:
        out = body(rt)
    finally:
        rt.active = before
    from interchange.formats.pfa.fast.types import lmap

    return lmap(lambda x, r: lane_axis(x, r, k), out, ret)


def loop_fcn(c: Compiler, fcn_raw: Any, scope: Scope, types: list[Any]) -> tuple[list[Any], Callable[[Run], Any], Any]:
    fcn = c.fcn(fcn_raw, scope)
    return fcn.bind(types, scope.depth)


def elements(a: Any, t: Arr) -> list[Any]:
    """The elements of an array value, in order; one contiguous copy with the array axis first."""
    from interchange.formats.pfa.fast.types import lmap

    k = length(a, t)
    moved = lmap(lambda x, r: np.ascontiguousarray(np.moveaxis(np.asarray(x), np.ndim(x) - r - 1, 0)), a, t.items)
    return [lmap(_element(i), moved, t.items) for i in range(k)]


def _element(i: int) -> Callable[[np.ndarray, int], Any]:
    return lambda x, r: x[i]
