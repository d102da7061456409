"""PMML 4.4 §Built-in functions and §DefineFunction: ``Apply`` compiled to batch functions.

Missing values follow pypmml 1.5.8, the reference the tests hold us to. Where it departs from
the specification (which says a missing argument makes the result missing, except for
isMissing / isNotMissing / if), the rule is written next to the function as "pypmml:".
Booleans are float columns (1.0 / 0.0, NaN missing).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.expressions.compile import Ctx, _clean, cast, elements, expression, kind_of, regex
from interchange.formats.pmml.fast.expressions.predicates import ORDER
from interchange.formats.pmml.fast.scope import Fn, Scope, keys, missing, num, text
from interchange.formats.pmml.parse import NotCovered, children, local

__all__ = ["apply", "define_function"]

_ARITH: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}
_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log10": np.log10,
    "ln": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "exp": np.exp,
    "floor": np.floor,
    "ceil": np.ceil,
}


def _truth(col: np.ndarray) -> np.ndarray:
    """pypmml: a missing boolean counts as false in and / or / not / if (measured)."""
    x = num(col)
    return ~np.isnan(x) & (x != 0)


def _b(mask: np.ndarray) -> np.ndarray:
    return mask.astype(np.float64)


def _aggregate(name: str, args: list[np.ndarray]) -> np.ndarray:
    """min max sum avg median product: pypmml ignores missing arguments (all missing -> missing)."""
    x = np.column_stack([num(a) for a in args])
    none = np.all(np.isnan(x), axis=1)
    with np.errstate(all="ignore"):
        safe = np.where(none[:, None], 0.0, x)
        if name == "min":
            out = np.nanmin(np.where(np.isnan(safe), np.inf, safe), axis=1)
        elif name == "max":
            out = np.nanmax(np.where(np.isnan(safe), -np.inf, safe), axis=1)
        elif name == "sum":
            out = np.nansum(safe, axis=1)
        elif name == "avg":
            out = np.nansum(safe, axis=1) / np.maximum((~np.isnan(safe)).sum(axis=1), 1)
        elif name == "product":
            out = np.nanprod(safe, axis=1)
        else:
            out = np.array([np.median(r[~np.isnan(r)]) if (~np.isnan(r)).any() else np.nan for r in safe])
    return np.where(none, np.nan, _clean(out))


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pypmml: two missing values are equal, one missing value equals nothing (measured)."""
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return keys(a) == keys(b)


def _java_round(x: np.ndarray) -> np.ndarray:
    """pypmml: Java Math.round, half up; a missing argument gives 0 (the spec says missing)."""
    return np.where(np.isnan(x), 0.0, np.floor(x + 0.5))


def _string_fn(name: str, argc: int, el: etree._Element, args: list[Fn], ctx: Ctx) -> Fn:
    """pypmml: a missing text argument is the empty string."""

    def s0(s: Scope) -> list[str]:
        return ["" if v is None else v for v in text(args[0](s))]

    if name in ("uppercase", "lowercase", "trimBlanks") and argc == 1:
        ops: dict[str, Callable[[str], str]] = {"uppercase": str.upper, "lowercase": str.lower, "trimBlanks": str.strip}
        op = ops[name]
        if name == "trimBlanks":
            return lambda s: np.array([v.strip(" ") for v in s0(s)], dtype=object)
        return lambda s: np.array([op(v) for v in s0(s)], dtype=object)
    if name == "concat" and argc >= 1:
        if any(kind_of(a, ctx) != "text" for a in elements(el)):
            raise NotCovered("concat of numbers (pypmml prints them rounded)")

        def concat(s: Scope) -> np.ndarray:
            parts = [["" if v is None else v for v in text(a(s))] for a in args]
            return np.array(["".join(p) for p in zip(*parts, strict=True)], dtype=object)

        return concat
    if name in ("replace", "matches"):
        consts = [c for c in elements(el)[1:] if local(c) == "Constant"]
        if len(consts) != argc - 1 or argc != (3 if name == "replace" else 2):
            raise NotCovered(f"{name} with a pattern that is not a Constant")
        pattern = regex(consts[0].text or "")
        if name == "matches":  # Java Matcher.find: the pattern occurs somewhere
            return lambda s: _b(np.array([pattern.search(v) is not None for v in s0(s)], dtype=bool))
        replacement = consts[1].text or ""
        if "$" in replacement or "\\" in replacement:
            raise NotCovered("replace with group references")
        return lambda s: np.array([pattern.sub(replacement.replace("\\", "\\\\"), v) for v in s0(s)], dtype=object)
    raise NotCovered(f"Apply {name} with {argc} arguments")


def _core(el: etree._Element, ctx: Ctx) -> tuple[Fn, list[Fn]]:
    name = el.get("function")
    kids = elements(el)
    args = [expression(a, ctx) for a in kids]
    argc = len(args)
    if name in ctx.functions:
        params, body = ctx.functions[name]
        if argc != len(params):
            raise NotCovered(f"{name} called with {argc} arguments")

        def call(s: Scope) -> np.ndarray:
            return body(Scope({p: a(s) for p, a in zip(params, args, strict=True)}, s.n))

        return call, args
    if name in _ARITH and argc == 2:
        op = _ARITH[name]

        def arith(s: Scope) -> np.ndarray:
            with np.errstate(all="ignore"):
                return _clean(op(num(args[0](s)), num(args[1](s))))

        return arith, args
    if name in ("min", "max", "sum", "avg", "median", "product") and argc >= 1:
        return (lambda s: _aggregate(name, [a(s) for a in args])), args
    if name in _UNARY and argc == 1:
        op1 = _UNARY[name]

        def unary(s: Scope) -> np.ndarray:
            with np.errstate(all="ignore"):
                return _clean(op1(num(args[0](s))))

        return unary, args
    if name == "pow" and argc == 2:

        def power(s: Scope) -> np.ndarray:
            with np.errstate(all="ignore"):
                return _clean(np.power(num(args[0](s)), num(args[1](s))))

        return power, args
    if name == "round" and argc == 1:
        return (lambda s: _java_round(num(args[0](s)))), args
    if name == "threshold" and argc == 2:  # pypmml: missing -> 0 (NaN > y is false)
        return (lambda s: _b(num(args[0](s)) > num(args[1](s)))), args
    if name in ("isMissing", "isNotMissing") and argc == 1:
        want = name == "isMissing"
        return (lambda s: _b(missing(args[0](s)) == want)), args
    if name in ("isValid", "isNotValid") and argc == 1 and local(kids[0]) == "FieldRef":
        # after MiningSchema treatment an invalid value never reaches an expression
        want = name == "isValid"
        return (lambda s: _b(missing(args[0](s)) != want)), args
    if name in ("equal", "notEqual") and argc == 2:
        want = name == "equal"
        return (lambda s: _b(_equal(args[0](s), args[1](s)) == want)), args
    if name in ORDER and argc == 2:
        op2 = ORDER[name]

        def compare(s: Scope) -> np.ndarray:
            a, b = args[0](s), args[1](s)
            if a.dtype.kind != "f" or b.dtype.kind != "f":
                raise _TextOrder(name)
            return _b(op2(a, b))  # pypmml: a comparison with a missing value is false

        return compare, args
    if name in ("and", "or") and argc >= 2:
        reduce = np.logical_and.reduce if name == "and" else np.logical_or.reduce
        return (lambda s: _b(reduce([_truth(a(s)) for a in args]))), args
    if name == "not" and argc == 1:
        return (lambda s: _b(~_truth(args[0](s)))), args
    if name in ("isIn", "isNotIn") and argc >= 2:
        if any(local(c) != "Constant" for c in kids[1:]) or (local(kids[0]) == "FieldRef" and ctx.numeric(kids[0].get("field"))):
            # pypmml 1.5.8 compares a double field with integer-looking constants as unequal
            raise NotCovered(f"{name} over a numeric field or non-constant values")
        want = name == "isIn"

        def member(s: Scope) -> np.ndarray:
            k = keys(args[0](s))
            hit = np.isin(k, np.concatenate([keys(a(s)) for a in args[1:]]).astype(object))
            return _b((hit & (k != None)) == want)  # noqa: E711 - elementwise

        return member, args
    if name == "if" and argc in (2, 3):

        def branch(s: Scope) -> np.ndarray:
            cond = _truth(args[0](s))  # pypmml: a missing condition takes the else branch
            yes = args[1](s)
            no = args[2](s) if argc == 3 else np.full(s.n, np.nan if yes.dtype.kind == "f" else None, dtype=yes.dtype)
            if yes.dtype.kind == "f" and no.dtype.kind == "f":
                return np.where(cond, yes, no)
            return np.where(cond, text(yes), text(no))

        return branch, args
    if name in ("uppercase", "lowercase", "trimBlanks", "concat", "replace", "matches"):
        return _string_fn(name, argc, el, args, ctx), args
    raise NotCovered(f"Apply function={name} with {argc} arguments")


class _TextOrder(Exception):
    pass


def apply(el: etree._Element, ctx: Ctx) -> Fn:
    """PMML 4.4 §Apply with mapMissingTo (any argument missing: the function is not applied),
    defaultValue (the result is missing) and invalidValueTreatment."""
    name = el.get("function")
    if el.get("invalidValueTreatment", "returnInvalid") not in ("returnInvalid", "asMissing"):
        raise NotCovered(f"Apply invalidValueTreatment={el.get('invalidValueTreatment')}")
    if name in ORDER:
        kids = elements(el)
        if any(
            (local(k) == "Constant" and not isinstance(_const(k), float))
            or (local(k) == "FieldRef" and not ctx.numeric(k.get("field")))
            for k in kids
        ):
            raise NotCovered(f"{name} over text (pypmml compares text as never ordered)")
    core, args = _core(el, ctx)
    fill, default = el.get("mapMissingTo"), el.get("defaultValue")
    if fill is None and default is None:
        return _guard(core, name)

    def wrapped(s: Scope) -> np.ndarray:
        out = _guard(core, name)(s)
        if default is not None:
            out = _replace(out, missing(out), default)
        if fill is not None:
            gone = np.zeros(s.n, dtype=bool)
            for a in args:
                gone |= missing(a(s))
            out = _replace(out, gone, fill)
        return out

    return wrapped


def _const(el: etree._Element) -> object:
    from interchange.formats.pmml.fast.expressions.compile import constant_value

    return constant_value(el)


def _guard(core: Fn, name: str | None) -> Fn:
    def run(s: Scope) -> np.ndarray:
        try:
            return core(s)
        except _TextOrder:
            from interchange.errors import ModelError

            raise ModelError(f"Apply {name} compares text; pypmml and the specification differ there") from None

    return run


def _replace(col: np.ndarray, where: np.ndarray, value: str) -> np.ndarray:
    if col.dtype.kind == "f":
        try:
            return np.where(where, float(value), col)
        except ValueError:
            col = text(col)
    out = col.copy()
    out[where] = value
    return out


def define_function(el: etree._Element, ctx: Ctx) -> None:
    """PMML 4.4 §DefineFunction: parameters bound to the arguments, body evaluated over them."""
    name = el.get("name")
    params = [p.get("name") for p in children(el, "ParameterField")]
    body = [c for c in elements(el) if local(c) != "ParameterField"]
    if len(body) != 1 or name in ctx.functions:
        raise NotCovered(f"DefineFunction {name}")
    saved = dict(ctx.types)
    for p in children(el, "ParameterField"):
        ctx.types[p.get("name")] = p.get("dataType", "double")
    fn = expression(body[0], ctx)
    ctx.types = saved
    ctx.functions[name] = (params, cast(fn, el.get("dataType")) if el.get("dataType") else fn)
