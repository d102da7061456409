"""PMML 4.4 expressions (§Transformations, §Built-in functions) compiled to batch functions.

Each expression becomes ``fn(scope) -> column``. Missing values follow the reference runtime,
which the tests hold us to; where pypmml 1.5.8 departs from the specification the comment
says so ("pypmml:"). Anything not implemented exactly raises NotCovered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import NotCovered, child, children, column_key, local, row_cells
from interchange.formats.pmml.read.scope import Fn, Scope, keys, missing, num, text
from interchange.ir.kernels.calls import constant, interpolate

__all__ = ["Ctx", "single", "expression", "derived_fields", "cast", "checked_cast", "kind_of", "elements", "constant_value"]

_NUMERIC = ("double", "float", "integer", "boolean")


@dataclass
class Ctx:
    """Compile-time facts: data types of known fields, user functions (DefineFunction)."""

    types: dict[str, str] = field(default_factory=dict)
    functions: dict[str, tuple[list[str], Fn]] = field(default_factory=dict)

    def numeric(self, name: str | None) -> bool:
        return self.types.get(name or "", "double") in _NUMERIC

    def constant(self, name: str | None, raw: str) -> float:
        """A number compared with field ``name``, parsed in that field's data type: a float
        field's split value is a float32 (JPMML-Evaluator; what XGBoost compares); a boolean
        field's "true" / "false" is 1.0 / 0.0 (PMML 4.4 §DataDictionary: a value is converted to
        the field's dataType before it is compared; JPMML-Evaluator does so, pypmml 1.5.8 does not:
        formats/pmml/departures.py)."""
        if self.types.get(name or "") == "boolean" and raw.strip().lower() in ("true", "false"):
            return 1.0 if raw.strip().lower() == "true" else 0.0
        try:
            value = float(raw)
        except ValueError:  # text compared with a number: not what the kernels compare
            raise NotCovered(f"the value {raw!r} compared with {self.types.get(name or '', 'double')} field {name!r}") from None
        return float(np.float32(value)) if self.types.get(name or "") == "float" else value


def single(x: np.ndarray) -> np.ndarray:
    """Values rounded to float32, kept as float64 (NaN stays NaN)."""
    return x.astype(np.float32).astype(np.float64)


def elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]


def _clean(x: np.ndarray) -> np.ndarray:
    """pypmml: non-finite results (x/0, ln 0, overflow) are missing values."""
    return np.where(np.isfinite(x), x, np.nan)


def cast(fn: Fn, data_type: str | None) -> Fn:
    """PMML 4.4 §DerivedField: the expression's value converted to ``dataType``."""
    if data_type == "float":  # PMML 4.4 §DataType: a float holds a float32 (JPMML-Evaluator keeps it so)
        return lambda s: single(num(fn(s)))
    if data_type == "double":
        return lambda s: num(fn(s))
    if data_type == "integer":  # pypmml truncates towards zero (measured: -1.7 -> -1)
        return lambda s: np.trunc(num(fn(s)))
    if data_type == "boolean":
        return lambda s: num(fn(s))
    if data_type == "string":
        return lambda s: text(fn(s))
    raise NotCovered(f"dataType={data_type}")


def constant_value(el: etree._Element) -> Any:
    """A Constant's value: float for numeric dataTypes (or inferred numbers), else text."""
    if el.get("missing") == "true":
        return None
    raw = (el.text or "").strip() if el.get("dataType") != "string" else (el.text or "")
    dt = el.get("dataType")
    if dt in ("double", "float", "integer"):
        return float(raw)
    if dt == "boolean":
        return 1.0 if raw.lower() == "true" else 0.0
    if dt not in (None, "string"):
        raise NotCovered(f"Constant dataType={dt}")
    if dt is None:
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def expression(el: etree._Element, ctx: Ctx) -> Fn:
    """PMML 4.4 §Expressions: FieldRef, Constant, NormContinuous, NormDiscrete, Discretize,
    MapValues and Apply."""
    tag = local(el)
    if tag == "FieldRef":
        return _field_ref(el)
    if tag == "Constant":
        value = constant_value(el)
        if value is None and el.get("dataType") not in _NUMERIC:
            return lambda s: constant(s.n, None).astype(object)
        return lambda s: constant(s.n, value)
    if tag == "NormContinuous":
        return _norm_continuous(el)
    if tag == "NormDiscrete":
        return _norm_discrete(el)
    if tag == "Discretize":
        return _discretize(el, ctx)
    if tag == "MapValues":
        return _map_values(el, ctx)
    if tag == "TextIndex":
        from interchange.formats.pmml.read.text import text_index

        return text_index(el)
    if tag == "Apply":
        from interchange.formats.pmml.read.functions import apply

        return apply(el, ctx)
    raise NotCovered(f"expression <{tag}>")


def _field_ref(el: etree._Element) -> Fn:
    name, fill = el.get("field"), el.get("mapMissingTo")
    if fill is None:
        return lambda s: s[name]

    def mapped(s: Scope) -> np.ndarray:
        col = s[name]
        if col.dtype.kind == "f":
            return np.where(np.isnan(col), float(fill), col)
        return np.array([fill if v is None else v for v in col], dtype=object)

    return mapped


def _fill(col: np.ndarray, where: np.ndarray, value: str | None) -> np.ndarray:
    if value is None:
        return col
    return np.where(where, float(value), col)


def _norm_continuous(el: etree._Element) -> Fn:
    """PMML 4.4 §NormContinuous: piecewise linear; outliers asIs extrapolate the end pieces."""
    name, outliers = el.get("field"), el.get("outliers", "asIs")
    pieces = [(float(p.get("orig")), float(p.get("norm"))) for p in children(el, "LinearNorm")]
    if len(pieces) < 2 or outliers not in ("asIs", "asMissingValues", "asExtremeValues"):
        raise NotCovered(f"NormContinuous with {len(pieces)} LinearNorm, outliers={outliers}")
    orig, norm = np.array([p[0] for p in pieces]), np.array([p[1] for p in pieces])
    if np.any(np.diff(orig) <= 0):
        raise NotCovered("NormContinuous with LinearNorm orig values not strictly increasing")
    fill = el.get("mapMissingTo")

    def normalize(s: Scope) -> np.ndarray:
        x = num(s[name])
        return _fill(interpolate(x, orig, norm, outliers, None), np.isnan(x), fill)

    return normalize


def _norm_discrete(el: etree._Element) -> Fn:
    """PMML 4.4 §NormDiscrete: 1 where field == value, else 0; missing -> mapMissingTo."""
    name, value, fill = el.get("field"), el.get("value"), el.get("mapMissingTo")
    if el.get("method", "indicator") != "indicator":
        raise NotCovered(f"NormDiscrete method={el.get('method')}")
    key = keys(np.array([value], dtype=object))[0]

    def indicator(s: Scope) -> np.ndarray:
        col = s[name]
        gone = missing(col)
        return _fill(np.where(gone, np.nan, (keys(col) == key).astype(np.float64)), gone, fill)

    return indicator


def _typed(value: str | None, data_type: str | None) -> Any:
    if value is None:
        return None
    if data_type in ("double", "float", "integer"):
        return float(value)
    return value


def _result(values: list[Any], numeric: bool, n: int) -> np.ndarray:
    if numeric:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def interval_mask(iv: etree._Element, x: np.ndarray) -> np.ndarray:
    """PMML 4.4 §Interval: closure openClosed | openOpen | closedOpen | closedClosed; an
    absent margin is unbounded."""
    closure = iv.get("closure")
    if closure not in ("openClosed", "openOpen", "closedOpen", "closedClosed"):
        raise NotCovered(f"Interval closure={closure}")
    ok = ~np.isnan(x)
    if iv.get("leftMargin") is not None:
        lo = float(iv.get("leftMargin"))
        ok &= (x >= lo) if closure.startswith("closed") else (x > lo)
    if iv.get("rightMargin") is not None:
        hi = float(iv.get("rightMargin"))
        ok &= (x <= hi) if closure.endswith("Closed") else (x < hi)
    return ok


def _discretize(el: etree._Element, ctx: Ctx) -> Fn:
    """PMML 4.4 §Discretize: the first DiscretizeBin whose Interval holds the value."""
    name, dt = el.get("field"), el.get("dataType")
    bins = []
    for b in children(el, "DiscretizeBin"):
        iv = child(b, "Interval")
        if iv is None:
            raise NotCovered("DiscretizeBin without Interval")
        bins.append((iv, _typed(b.get("binValue"), dt)))
    # PMML 4.4: a missing value gives mapMissingTo, a value in no bin defaultValue (as JPMML-Evaluator
    # does; pypmml 1.5.8 returns mapMissingTo for unmatched values too and ignores both attributes
    # when Discretize has no dataType: the specification is followed, test_pmml_spec.py checks it)
    fill, default = _typed(el.get("mapMissingTo"), dt), _typed(el.get("defaultValue"), dt)
    numeric = dt in ("double", "float", "integer")

    def discretize(s: Scope) -> np.ndarray:
        x = num(s[name])
        out: list[Any] = [default] * s.n
        gone = np.isnan(x)
        todo = ~gone
        for iv, value in bins:
            hit = todo & interval_mask(iv, x)
            for i in np.flatnonzero(hit):
                out[i] = value
            todo &= ~hit
        for i in np.flatnonzero(gone):
            out[i] = fill
        return _result(out, numeric, s.n)

    return discretize


def _map_values(el: etree._Element, ctx: Ctx) -> Fn:
    """PMML 4.4 §MapValues: look up the input columns' values in an InlineTable."""
    pairs = [(p.get("field"), column_key(p, p.get("column") or "")) for p in children(el, "FieldColumnPair")]
    out_col, dt = column_key(el, el.get("outputColumn") or ""), el.get("dataType")
    table = child(el, "InlineTable")
    if table is None or not pairs or child(el, "TableLocator") is not None:
        raise NotCovered("MapValues without an InlineTable")
    lookup: dict[tuple[Any, ...], Any] = {}
    for row in children(table, "row"):
        cells = row_cells(row)
        if out_col not in cells or any(col not in cells for _, col in pairs):
            continue
        key = tuple(keys(np.array([cells[col]], dtype=object))[0] for _, col in pairs)
        lookup.setdefault(key, _typed(cells[out_col], dt))
    fill, default = _typed(el.get("mapMissingTo"), dt), _typed(el.get("defaultValue"), dt)
    numeric = dt in ("double", "float", "integer")

    def mapvalues(s: Scope) -> np.ndarray:
        cols = [s[f] for f, _ in pairs]
        gone = np.zeros(s.n, dtype=bool)
        for c in cols:
            gone |= missing(c)
        ks = list(zip(*(keys(c) for c in cols), strict=True))
        out = [fill if gone[i] else lookup.get(k, default) for i, k in enumerate(ks)]
        return _result(out, numeric, s.n)

    return mapvalues


_TEXT_FUNCTIONS = ("uppercase", "lowercase", "trimBlanks", "concat", "replace", "substring", "formatNumber")


def kind_of(el: etree._Element, ctx: Ctx) -> str:
    """ "number", "text" or "unknown": what an expression yields, known before evaluating it."""
    tag = local(el)
    if tag == "FieldRef":
        return "number" if ctx.numeric(el.get("field")) else "text"
    if tag == "Constant":
        return "number" if isinstance(constant_value(el), float) else "text"
    if tag in ("NormContinuous", "NormDiscrete", "TextIndex"):
        return "number"
    if tag in ("Discretize", "MapValues"):
        return "number" if el.get("dataType") in _NUMERIC else "text"
    if tag == "Apply":
        name = el.get("function")
        if name in ctx.functions:
            return "unknown"
        if name in _TEXT_FUNCTIONS:
            return "text"
        if name == "if":
            kinds = {kind_of(a, ctx) for a in elements(el)[1:]}
            return kinds.pop() if len(kinds) == 1 else "unknown"
        return "number"
    return "unknown"


def checked_cast(el: etree._Element, fn: Fn, data_type: str | None, ctx: Ctx) -> Fn:
    """cast(), declining a number printed as text: pypmml 1.5.8 prints 2.6075 as "2.607"."""
    if data_type == "string" and kind_of(el, ctx) != "text":
        raise NotCovered("a number converted to text (pypmml rounds it to 4 significant digits)")
    return cast(fn, data_type)


def derived_fields(container: etree._Element | None, ctx: Ctx) -> dict[str, Fn]:
    """The DerivedFields of a TransformationDictionary or LocalTransformations (and, in the
    dictionary, DefineFunctions) as lazily computed definitions."""
    defs: dict[str, Fn] = {}
    if container is None:
        return defs
    for el in elements(container):
        if local(el) == "DefineFunction" and local(container) == "TransformationDictionary":
            from interchange.formats.pmml.read.functions import define_function

            define_function(el, ctx)
            continue
        if local(el) != "DerivedField":
            raise NotCovered(f"<{local(el)}> in <{local(container)}>")
        body = elements(el)
        if len(body) != 1 or children(el, "Value"):
            raise NotCovered(f"DerivedField {el.get('name')}")
        ctx.types[el.get("name")] = el.get("dataType", "double")
    for el in elements(container):
        if local(el) == "DerivedField":
            body = elements(el)[0]
            defs[el.get("name")] = checked_cast(body, expression(body, ctx), el.get("dataType"), ctx)
    return defs


def regex(pattern: str) -> re.Pattern[str]:
    """A Java regular expression that means the same in Python, or NotCovered."""
    if re.search(r"\\[pPQEGZz]|\(\?<[a-zA-Z]|\$\{|[*+?}]\+", pattern):
        raise NotCovered(f"regular expression {pattern!r} uses Java-only syntax")
    return re.compile(pattern)
