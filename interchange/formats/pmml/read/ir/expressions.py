"""PMML 4.4 expressions (§Transformations, §Built-in functions) lifted into IR expressions.

The same subset the fast path evaluates exactly (fast_expressions / fast_functions), as data
instead of closures; the rest raises Unliftable naming the element and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import NotCovered, child, children, column_key, local, row_cells
from interchange.formats.pmml.read.compile import Ctx, constant_value, elements, kind_of
from interchange.formats.pmml.read.ir.dates import DATE_APPLY, DateCtx, gives_text, lift_date_apply, value_kind
from interchange.formats.pmml.read.ir.text import TEXT_APPLY, lift_text, lift_text_index, text_steps
from interchange.ir.derive.expressions import FUNCTIONS, Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.text import TextDerive
from interchange.ir.derive.transforms import Impute
from interchange.ir.kernels.dates import DATE_TYPES
from interchange.ir.lifted import Unliftable

__all__ = ["lift_expression", "lift_derived_fields", "path_of", "user_functions"]

_NUMERIC = ("double", "float", "integer", "boolean")
_PMML_ONLY = {"neg", "logistic"}  # IR functions that are not PMML built-ins
_ORDER = ("lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual")
# the document's DefineFunctions lifted so far: name -> (parameters, body over Ref(parameter), dataType)
_USER: ContextVar[dict[str, tuple[tuple[str, ...], Expr, str | None]] | None] = ContextVar("pmml_user_functions", default=None)


@contextmanager
def user_functions() -> Iterator[None]:
    """A scope (one document's lift) in which its DefineFunctions, once lifted, are known."""
    token = _USER.set({})
    try:
        yield
    finally:
        _USER.reset(token)


def path_of(el: etree._Element) -> str:
    """An XPath-like path naming ``el`` (named elements show their name)."""
    parts = []
    node: etree._Element | None = el
    while node is not None and isinstance(node.tag, str):
        name = local(node)
        parent = node.getparent()
        label = name
        if node.get("name") is not None:
            label += f"[@name={node.get('name')!r}]"
        elif parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and local(c) == name]
            if len(same) > 1:
                label += f"[{same.index(node) + 1}]"
        parts.append(label)
        node = parent
    return "/" + "/".join(reversed(parts))


def _typed(value: str | None, data_type: str | None) -> Any:
    if value is None:
        return None
    return float(value) if data_type in ("double", "float", "integer") else value


def _float(el: etree._Element, attr: str) -> float | None:
    v = el.get(attr)
    return None if v is None else float(v)


def lift_expression(el: etree._Element, ctx: Ctx) -> Expr:
    """The IR expression for a PMML expression element, or Unliftable."""
    tag = local(el)
    if tag == "FieldRef":
        fill = el.get("mapMissingTo")
        ref = Ref(el.get("field"))
        if fill is None:
            return ref
        value = float(fill) if ctx.numeric(el.get("field")) else fill
        return Call("if", (Call("isMissing", (ref,)), Const(value), ref))
    if tag == "Constant" and el.get("dataType") in DATE_TYPES:  # a date in the IR's unit for its type
        return Const(DateCtx({"": el.get("dataType")}).constant("", (el.text or "").strip()))
    if tag == "Constant":
        try:
            return Const(constant_value(el))
        except (NotCovered, ValueError) as exc:
            raise Unliftable(path_of(el), f"Constant: {exc}") from None
    if tag == "NormContinuous":
        return _norm_continuous(el)
    if tag == "NormDiscrete":
        if el.get("method", "indicator") != "indicator":
            raise Unliftable(path_of(el), f"NormDiscrete method={el.get('method')}")
        return Indicator(Ref(el.get("field")), el.get("value"), _float(el, "mapMissingTo"))
    if tag == "Discretize":
        return _discretize(el)
    if tag == "MapValues":
        return _map_values(el)
    if tag == "Apply":
        return _apply(el, ctx)
    if tag == "TextIndex":
        return lift_text_index(el, ctx, lift_expression)
    raise Unliftable(path_of(el), f"expression <{tag}> has no IR form")


def _norm_continuous(el: etree._Element) -> Expr:
    outliers = el.get("outliers", "asIs")
    pieces = [(float(p.get("orig")), float(p.get("norm"))) for p in children(el, "LinearNorm")]
    if len(pieces) < 2 or outliers not in ("asIs", "asMissingValues", "asExtremeValues"):
        raise Unliftable(path_of(el), f"NormContinuous with {len(pieces)} LinearNorm, outliers={outliers}")
    orig = tuple(p[0] for p in pieces)
    if np.any(np.diff(orig) <= 0):
        raise Unliftable(path_of(el), "LinearNorm orig values not strictly increasing")
    return Interpolate(Ref(el.get("field")), orig, tuple(p[1] for p in pieces), outliers, _float(el, "mapMissingTo"))


def _discretize(el: etree._Element) -> Expr:
    dt = el.get("dataType")
    bins = []  # mapMissingTo / defaultValue as PMML 4.4, JPMML-Evaluator and the fast path read them (pypmml departs)
    for b in children(el, "DiscretizeBin"):
        iv = child(b, "Interval")
        closure = iv.get("closure") if iv is not None else None
        if closure not in ("openClosed", "openOpen", "closedOpen", "closedClosed"):
            raise Unliftable(path_of(b), f"DiscretizeBin Interval closure={closure}")
        bins.append((_float(iv, "leftMargin"), _float(iv, "rightMargin"), closure, _typed(b.get("binValue"), dt)))
    default, fill = _typed(el.get("defaultValue"), dt), _typed(el.get("mapMissingTo"), dt)
    return Bins(Ref(el.get("field")), tuple(bins), default, fill, numeric=dt in ("double", "float", "integer"))


def _map_values(el: etree._Element) -> Expr:
    from interchange.batch import category_key

    pairs = [(p.get("field"), column_key(p, p.get("column") or "")) for p in children(el, "FieldColumnPair")]
    out_col, dt = column_key(el, el.get("outputColumn") or ""), el.get("dataType")
    table = child(el, "InlineTable")
    if table is None or not pairs:
        raise Unliftable(path_of(el), "MapValues without an InlineTable")
    lookup: dict[tuple[Any, ...], Any] = {}
    for row in children(table, "row"):
        cells = row_cells(row)
        if out_col not in cells or any(col not in cells for _, col in pairs):
            continue
        key = tuple(category_key(cells[col]) for _, col in pairs)
        lookup.setdefault(key, _typed(cells[out_col], dt))
    return Lookup(
        tuple(Ref(f) for f, _ in pairs),
        tuple(lookup.items()),
        _typed(el.get("defaultValue"), dt),
        _typed(el.get("mapMissingTo"), dt),
        numeric=dt in ("double", "float", "integer"),
    )


def _apply(el: etree._Element, ctx: Ctx) -> Expr:
    name = el.get("function")
    kids = elements(el)
    if el.get("invalidValueTreatment", "returnInvalid") not in ("returnInvalid", "asMissing"):
        raise Unliftable(path_of(el), f"Apply invalidValueTreatment={el.get('invalidValueTreatment')}")
    known = _USER.get()
    if known is not None and name in known:
        return _inline(el, known[name], ctx)
    if name in ctx.functions:
        raise Unliftable(path_of(el), f"Apply of the user function {name!r} (DefineFunction is not inlined yet)")
    if name in TEXT_APPLY:
        return lift_text(el, ctx, lift_expression)
    if name in DATE_APPLY:
        return lift_date_apply(el, ctx, lift_expression, path_of(el))
    if name not in FUNCTIONS or name in _PMML_ONLY:
        raise Unliftable(path_of(el), f"Apply function={name} has no IR form")
    if name in _ORDER and any(value_kind(k, ctx) == "text" for k in kids):
        raise Unliftable(path_of(el), f"{name} over text (pypmml compares text as never ordered)")
    if name in ("+", "-", "*", "/", "pow", "hypot", "threshold", "equal", "notEqual", *_ORDER) and len(kids) != 2:
        raise Unliftable(path_of(el), f"Apply {name} with {len(kids)} arguments")
    if name == "if" and len(kids) not in (2, 3):
        raise Unliftable(path_of(el), f"Apply if with {len(kids)} arguments")
    if name == "median" and not kids:
        raise Unliftable(path_of(el), "Apply median without arguments")
    if name in ("isIn", "isNotIn") and not _constants_of_one_kind(kids, ctx):
        raise Unliftable(path_of(el), f"Apply {name} over values that are not Constants of the field's kind")
    # (over a number: as PMML 4.4 and JPMML-Evaluator, 1.0 is in {1, 3}; pypmml 1.5.8 finds it in no set,
    # formats/pmml/departures.py, and the fast path declines it)
    args = tuple(lift_expression(k, ctx) for k in kids)
    numeric = name not in ("if",)
    fill, default = el.get("mapMissingTo"), el.get("defaultValue")
    return Call(name, args, _value(fill, numeric), _value(default, numeric))


def _constants_of_one_kind(kids: list[etree._Element], ctx: Ctx) -> bool:
    """isIn / isNotIn over a field and Constants of its kind (number or text)."""
    if len(kids) < 2 or any(local(k) != "Constant" for k in kids[1:]):
        return False
    return len({value_kind(k, ctx) for k in kids} - {"unknown"}) == 1


def _inline(el: etree._Element, function: tuple[tuple[str, ...], Expr, str | None], ctx: Ctx) -> Expr:
    """PMML 4.4 §DefineFunction: the body with each parameter replaced by its argument's expression."""
    params, body, dtype = function
    kids = elements(el)
    if len(kids) != len(params):
        raise Unliftable(
            path_of(el), f"Apply {el.get('function')!r} with {len(kids)} arguments; its DefineFunction has {len(params)}"
        )
    if el.get("mapMissingTo") is not None or el.get("defaultValue") is not None:
        raise Unliftable(path_of(el), "Apply of a user function with mapMissingTo / defaultValue")
    args = {p: lift_expression(k, ctx) for p, k in zip(params, kids, strict=True)}
    return _substitute(body, args)


def _substitute(expr: Expr, args: dict[str, Expr]) -> Expr:
    if isinstance(expr, Ref):
        return args.get(expr.name, expr)
    if isinstance(expr, Const):
        return expr
    if isinstance(expr, (Call, Lookup)):
        return replace(expr, args=tuple(_substitute(a, args) for a in expr.args))
    return replace(expr, arg=_substitute(expr.arg, args))


def _define_function(el: etree._Element, ctx: Ctx) -> None:
    """Lift a DefineFunction's body once, over references to its parameters (inlined at each Apply)."""
    known = _USER.get()
    name = el.get("name")
    params = tuple(p.get("name") for p in children(el, "ParameterField"))
    body = [c for c in elements(el) if local(c) != "ParameterField"]
    dtype = el.get("dataType")
    if known is None:
        raise Unliftable(path_of(el), "DefineFunction outside a document's TransformationDictionary")
    if len(body) != 1:
        raise Unliftable(path_of(el), f"DefineFunction with {len(body)} expressions")
    if name in known or name in FUNCTIONS:
        raise Unliftable(path_of(el), f"DefineFunction {name!r} defined twice or over a built-in function")
    if dtype not in (None, "double", "boolean"):
        raise Unliftable(path_of(el), f"DefineFunction dataType={dtype} (a conversion inside an expression has no IR form)")
    saved = dict(ctx.types)
    for p in children(el, "ParameterField"):
        ctx.types[p.get("name")] = p.get("dataType", "double")
    try:
        if dtype is not None and kind_of(body[0], ctx) == "text":
            raise Unliftable(path_of(el), f"DefineFunction of dataType={dtype} whose body gives text")
        known[name] = (params, lift_expression(body[0], ctx), dtype)
    finally:
        ctx.types = saved


def _value(raw: str | None, numeric: bool) -> Any:
    if raw is None:
        return None
    if numeric:
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def lift_derived_fields(container: etree._Element | None, ctx: Ctx, reasons: list[Any]) -> list[Derive | Impute | TextDerive]:
    """Derive steps for a TransformationDictionary / LocalTransformations, in dependency order;
    each field that cannot lift adds its reason and is left out."""
    if container is None:
        return []
    found: dict[str, Derive | Impute | TextDerive] = {}
    for el in elements(container):
        if local(el) == "DefineFunction":
            continue
        if local(el) != "DerivedField":
            reasons.append(Unliftable(path_of(el), f"<{local(el)}> in <{local(container)}>").reason)
            continue
        ctx.types[el.get("name")] = el.get("dataType", "double")
    _define_functions([el for el in elements(container) if local(el) == "DefineFunction"], container, ctx, reasons)
    for el in children(container, "DerivedField"):
        body = elements(el)
        try:
            if len(body) != 1 or children(el, "Value"):
                raise Unliftable(path_of(el), "DerivedField without exactly one expression, or with <Value>s")
            dt = el.get("dataType")
            if dt == "string" and not gives_text(body[0], ctx):
                raise Unliftable(path_of(el), "a number converted to text (pypmml prints it rounded)")
            if dt not in (None, *_NUMERIC, "string"):
                raise Unliftable(path_of(el), f"DerivedField dataType={dt}")
            if local(body[0]) == "FieldRef" and body[0].get("mapMissingTo") is not None and dt in ("double", "string"):
                # a replaced missing value: the IR's Impute (which every writer takes)
                src, fill = body[0].get("field"), body[0].get("mapMissingTo")
                value = float(fill) if ctx.numeric(src) and dt == "double" else fill
                found[el.get("name")] = Impute((src,), (el.get("name"),), (value,))
                continue
            with text_steps() as texts:
                found[el.get("name")] = Derive((el.get("name"),), lift_expression(body[0], ctx), dt)
            found.update((t.outputs[0], t) for t in texts)
        except Unliftable as exc:
            reasons.append(exc.reason)
    return _ordered(found)


def _define_functions(defines: list[etree._Element], container: etree._Element, ctx: Ctx, reasons: list[Any]) -> None:
    """Each DefineFunction lifted after the user functions its body calls (a document may define them in any order)."""
    if defines and local(container) != "TransformationDictionary":
        for el in defines:
            reasons.append(Unliftable(path_of(el), f"DefineFunction in <{local(container)}>").reason)
        return
    todo, failed = list(defines), {}
    while todo:
        progress = False
        for el in list(todo):
            try:
                _define_function(el, ctx)
            except Unliftable as exc:
                failed[el] = exc.reason
                continue
            todo.remove(el)
            failed.pop(el, None)
            progress = True
        if not progress:
            break
    reasons.extend(failed[el] for el in todo)


def _ordered(found: dict[str, Derive | Impute | TextDerive]) -> list[Derive | Impute | TextDerive]:
    """Steps so each comes after the fields it reads (PMML defines fields in any order)."""
    out: list[Derive | Impute | TextDerive] = []
    done: set[str] = set()

    def visit(name: str, busy: tuple[str, ...]) -> None:
        if name in done or name not in found or name in busy:
            return
        for dep in found[name].inputs:
            visit(dep, (*busy, name))
        done.add(name)
        out.append(found[name])

    for name in found:
        visit(name, ())
    return out
