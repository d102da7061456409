"""PMML 4.4 §Built-in functions and §DefineFunction: ``Apply`` compiled to batch functions.

Missing values follow pypmml 1.5.8, the reference the tests hold us to. Where it departs from
the specification (which says a missing argument makes the result missing, except for
isMissing / isNotMissing / if), the rule is written next to the function as "pypmml:"; the text
functions follow the specification and JPMML-Evaluator instead (:func:`_string_fn`).
Booleans are float columns (1.0 / 0.0, NaN missing).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import NotCovered, children, local
from interchange.formats.pmml.read.compile import Ctx, cast, elements, expression, kind_of, regex
from interchange.formats.pmml.read.ir.dates import DATE_APPLY
from interchange.formats.pmml.read.ir.text import TEXT_APPLY
from interchange.formats.pmml.read.scope import Fn, Scope, missing, num, text
from interchange.formats.pmml.read.text import number_text_arguments
from interchange.ir.derive.expressions import FUNCTIONS
from interchange.ir.derive.text import TEXT_FUNCTIONS

__all__ = ["apply", "define_function"]

# PMML 4.4 trigonometric built-ins (radians)
TRIGONOMETRIC = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh")
ORDER = ("lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual")
# PMML built-ins evaluated by the IR's function table (ir.expressions.FUNCTIONS), whose missing-value
# rules are pypmml's: arithmetic and math functions give missing for a missing argument; round
# gives 0 (Java Math.round); threshold, and / or / not read missing as false; equal finds two
# missing values equal; min max sum avg product median leave missing arguments out (all missing:
# missing). Their argument counts: exactly (int) or at least (a tuple holding the minimum).
_SHARED: dict[str, int | tuple[int]] = {
    **dict.fromkeys(("+", "-", "*", "/", "pow", "hypot", "threshold", "equal", "notEqual"), 2),
    **dict.fromkeys(("log10", "ln", "sqrt", "abs", "exp", "floor", "ceil", "round", "isMissing", "isNotMissing", "not"), 1),
    **dict.fromkeys((*TRIGONOMETRIC, "expm1", "ln1p", "rint"), 1),
    **dict.fromkeys(("min", "max", "sum", "avg", "product", "median"), (1,)),
    **dict.fromkeys(("and", "or"), (2,)),
}


def _shared(name: str, argc: int) -> bool:
    want = _SHARED.get(name)
    return want == argc or (isinstance(want, tuple) and argc >= want[0])


def _truth(col: np.ndarray) -> np.ndarray:
    """pypmml: a missing boolean counts as false in if (measured)."""
    x = num(col)
    return ~np.isnan(x) & (x != 0)


def _b(mask: np.ndarray) -> np.ndarray:
    return mask.astype(np.float64)


def _string_fn(name: str, argc: int, el: etree._Element, args: list[Fn], ctx: Ctx) -> Fn:
    """PMML 4.4 and JPMML-Evaluator: a missing text argument gives a missing result (JPMML-Evaluator fails
    the record, MissingArgumentException), but concat leaves missing arguments out (JPMML-Evaluator reads
    it as an aggregate; all missing: ""). pypmml reads a missing text as "" (formats/pmml/departures.py)."""

    def each(op: Callable[[str], object], result: str) -> Fn:
        def run(s: Scope) -> np.ndarray:
            values = text(args[0](s)).tolist()
            if result == "text":
                return np.array([None if v is None else op(v) for v in values], dtype=object)
            if result == "number":
                return np.array([np.nan if v is None else float(op(v)) for v in values], dtype=np.float64)  # type: ignore[arg-type]
            return np.array([np.nan if v is None else float(bool(op(v))) for v in values], dtype=np.float64)

        return run

    if name in ("uppercase", "lowercase", "trimBlanks") and argc == 1:
        ops: dict[str, Callable[[str], str]] = {"uppercase": str.upper, "lowercase": str.lower}
        return each(ops.get(name, lambda v: v.strip(" ")), "text")  # trimBlanks: blanks only
    if name == "stringLength" and argc == 1:  # UTF-16 code units (Java String.length: ir.kernels.text)
        return each(TEXT_FUNCTIONS["pmml:stringLength"][0], "number")
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
            return each(lambda v: pattern.search(v) is not None, "truth")
        replacement = consts[1].text or ""
        if "$" in replacement or "\\" in replacement:
            raise NotCovered("replace with group references")
        return each(lambda v: pattern.sub(replacement.replace("\\", "\\\\"), v), "text")
    if name in ("substring", "formatNumber"):
        kinds = number_text_arguments(name, elements(el))
        fn = TEXT_FUNCTIONS[f"pmml:{name}"][0]
        given = zip(elements(el)[1:], kinds[1:], strict=True)
        consts = [int(float(k.text or "")) if c == "i" else k.text or "" for k, c in given]

        def number_text(s: Scope) -> np.ndarray:  # a missing input gives a missing result (ir.derive.text)
            col = args[0](s)
            gone = missing(col)
            values = num(col).tolist() if kinds[0] == "f" else text(col).tolist()
            return np.array([None if g else fn(v, *consts) for v, g in zip(values, gone.tolist(), strict=True)], dtype=object)

        return number_text
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
    if _shared(name, argc):
        fn = FUNCTIONS[name]
        return (lambda s: fn(*[a(s) for a in args])), args
    if name in ("isValid", "isNotValid") and argc == 1 and local(kids[0]) == "FieldRef":
        # after MiningSchema treatment an invalid value never reaches an expression
        want = name == "isValid"
        return (lambda s: _b(missing(args[0](s)) != want)), args
    if name in ORDER and argc == 2:
        compare_fn = FUNCTIONS[name]

        def compare(s: Scope) -> np.ndarray:
            a, b = args[0](s), args[1](s)
            if a.dtype.kind != "f" or b.dtype.kind != "f":
                raise _TextOrder(name)
            return compare_fn(a, b)  # pypmml: a comparison with a missing value is false

        return compare, args
    if name in ("isIn", "isNotIn") and argc >= 2:
        if any(local(c) != "Constant" for c in kids[1:]) or kind_of(kids[0], ctx) != "text":
            # pypmml 1.5.8 compares a double field with integer-looking constants as unequal
            raise NotCovered(f"{name} over a numeric field or non-constant values")
        member_fn = FUNCTIONS[name]  # a missing value is in no set
        return (lambda s: member_fn(*[a(s) for a in args])), args
    if name == "if" and argc in (2, 3):

        def branch(s: Scope) -> np.ndarray:
            cond = _truth(args[0](s))  # pypmml: a missing condition takes the else branch
            yes = args[1](s)
            no = args[2](s) if argc == 3 else np.full(s.n, np.nan if yes.dtype.kind == "f" else None, dtype=yes.dtype)
            if yes.dtype.kind == "f" and no.dtype.kind == "f":
                return np.where(cond, yes, no)
            return np.where(cond, text(yes), text(no))

        return branch, args
    if name in TEXT_APPLY:
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
    if name in DATE_APPLY:
        from interchange.formats.pmml.read.dates import date_apply

        return date_apply(el, ctx)
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
    from interchange.formats.pmml.read.compile import constant_value

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
