"""IR transform steps to PMML 4.4 DerivedFields (PMML 4.4 §Transformations).

One DerivedField per IR output column, written with the operations the IR performs, in its
order, so that a document evaluates to the same bits wherever the arithmetic allows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import E, apply, constant, field_ref, num, text
from interchange.ir.derive.transforms import Bin, Impute, Normalize, OneHot, Ordinal, Polynomial, Project, Scale, Threshold
from interchange.ir.graph import Step

__all__ = ["derived_fields"]

CONTINUOUS = {"optype": "continuous", "dataType": "double"}


def fold(function: str, args: list[etree._Element]) -> etree._Element:
    """``((a f b) f c) ...``: the left-to-right order numpy and the IR use."""
    expr = args[0]
    for a in args[1:]:
        expr = apply(function, expr, a)
    return expr


def field(name: str, body: etree._Element, kind: dict[str, str] = CONTINUOUS) -> etree._Element:
    return E("DerivedField", {"name": name, **kind}, body)


def _scale(step: Scale) -> list[etree._Element]:
    out = []
    for i, (src, dst) in enumerate(zip(step.inputs, step.outputs, strict=True)):
        expr = field_ref(src)
        for op, value in step.operations(i):
            expr = apply(op, expr, constant(value))
        out.append(field(dst, expr))
    return out


def _impute(step: Impute) -> list[etree._Element]:
    out = []
    for src, dst, v in zip(step.inputs, step.outputs, step.values, strict=True):
        is_text = isinstance(v, str)
        body = E("FieldRef", {"field": src, "mapMissingTo": v if is_text else num(v)})
        out.append(field(dst, body, {"optype": "categorical", "dataType": "string"} if is_text else CONTINUOUS))
    return out


def _one_hot(step: OneHot) -> list[etree._Element]:
    """NormDiscrete: 1 where the field equals the value, else 0; missing -> 0 like scikit-learn's
    handle_unknown="ignore" (a None category is a missing-value indicator). Rejecting unknown
    categories is declared in the DataDictionary (see emit/document.py), so they never get here."""
    out = []
    for dst, category in zip(step.outputs, step.categories, strict=True):
        if category is None:
            body = apply("if", apply("isMissing", field_ref(step.inputs[0])), constant(1.0), constant(0.0))
        else:
            body = E("NormDiscrete", {"field": step.inputs[0], "value": text(category), "mapMissingTo": "0"})
        out.append(field(dst, body))
    return out


def _ordinal(step: Ordinal) -> list[etree._Element]:
    """MapValues over an InlineTable; unseen categories take the encoder's unknown_value (with
    handle_unknown="error" the DataDictionary declares them invalid, see emit/document.py)."""
    out = []
    for src, dst, categories in zip(step.inputs, step.outputs, step.categories, strict=True):
        attrs = {"outputColumn": "out", "dataType": "double"}
        if step.unknown is not None:
            attrs["defaultValue"] = num(step.unknown)
        if None in categories:
            attrs["mapMissingTo"] = num(categories.index(None))
        table = E("InlineTable")
        for i, c in enumerate(categories):
            if c is not None:
                cell_in, cell_out = E("in"), E("out")
                cell_in.text, cell_out.text = text(c), num(i)
                table.append(E("row", None, cell_in, cell_out))
        body = E("MapValues", attrs, E("FieldColumnPair", {"field": src, "column": "in"}), table)
        out.append(field(dst, body))
    return out


def _threshold(step: Threshold) -> list[etree._Element]:
    return [
        field(dst, apply("if", apply("greaterThan", field_ref(src), constant(step.threshold)), constant(1.0), constant(0.0)))
        for src, dst in zip(step.inputs, step.outputs, strict=True)
    ]


def _bin(step: Bin) -> list[etree._Element]:
    """Ordinal: Discretize into [e(i-1), e(i)) intervals; one-hot: one interval test per bin."""
    out = []
    names = iter(step.outputs)
    for src, edges in zip(step.inputs, step.edges, strict=True):
        bounds = [(edges[b - 1] if b > 0 else None, edges[b] if b < len(edges) else None) for b in range(len(edges) + 1)]
        if not step.one_hot:
            body = E("Discretize", {"field": src, "dataType": "double"})
            for b, (lo, hi) in enumerate(bounds):
                margins = {k: num(v) for k, v in (("leftMargin", lo), ("rightMargin", hi)) if v is not None}
                interval = E("Interval", {"closure": "closedOpen" if lo is not None else "openOpen", **margins})
                body.append(E("DiscretizeBin", {"binValue": b}, interval))
            out.append(field(next(names), body))
            continue
        for lo, hi in bounds:
            tests = ([apply("greaterOrEqual", field_ref(src), constant(lo))] if lo is not None else []) + (
                [apply("lessThan", field_ref(src), constant(hi))] if hi is not None else []
            )
            if not tests:
                body = apply("if", apply("isNotMissing", field_ref(src)), constant(1.0))
            else:
                body = apply("if", tests[0] if len(tests) == 1 else apply("and", *tests), constant(1.0), constant(0.0))
            out.append(field(next(names), body))
    return out


def _normalize(step: Normalize) -> list[etree._Element]:
    """Row norm as one DerivedField (a zero norm becomes 1), then each column divided by it."""
    if step.norm == "l2":
        norm = apply("sqrt", fold("+", [apply("*", field_ref(x), field_ref(x)) for x in step.inputs]))
    elif step.norm == "l1":
        norm = fold("+", [apply("abs", field_ref(x)) for x in step.inputs])
    else:
        norm = apply("max", *[apply("abs", field_ref(x)) for x in step.inputs])
    name = f"{step.outputs[0]}_norm"
    safe = apply("if", apply("equal", field_ref(name + "0"), constant(0.0)), constant(1.0), field_ref(name + "0"))
    out = [field(name + "0", norm), field(name, safe)]
    out += [field(dst, apply("/", field_ref(src), field_ref(name))) for src, dst in zip(step.inputs, step.outputs, strict=True)]
    return out


def _polynomial(step: Polynomial) -> list[etree._Element]:
    out = []
    for dst, row in zip(step.outputs, step.powers, strict=True):
        factors = [field_ref(x) for x, p in zip(step.inputs, row, strict=True) for _ in range(int(p))]
        out.append(field(dst, fold("*", factors) if factors else constant(1.0)))
    return out


def _project(step: Project) -> list[etree._Element]:
    out = []
    for j, dst in enumerate(step.outputs):
        terms = [apply("*", field_ref(x), constant(w)) for x, w in zip(step.inputs, step.matrix[j], strict=True)]
        out.append(field(dst, apply("+", fold("+", terms), constant(step.bias[j]))))
    return out


_WRITERS: dict[type, Callable[[Any], list[etree._Element]]] = {
    Scale: _scale,
    Impute: _impute,
    OneHot: _one_hot,
    Ordinal: _ordinal,
    Threshold: _threshold,
    Bin: _bin,
    Normalize: _normalize,
    Polynomial: _polynomial,
    Project: _project,
}


def derived_fields(step: Step) -> list[etree._Element]:
    """The DerivedFields computing ``step``'s output columns (Validate: none, see emit._valid_values)."""
    from interchange.formats.pmml.emit.expressions import derive
    from interchange.formats.pmml.emit.predicates import predicate_column
    from interchange.ir.derive.expressions import Derive
    from interchange.ir.derive.predicates import PredicateColumn
    from interchange.ir.derive.transforms import Validate

    if isinstance(step, Derive):
        return derive(step)
    if isinstance(step, PredicateColumn):
        return predicate_column(step)
    if isinstance(step, Validate):
        return []
    from interchange.ir.validity import Treat

    if isinstance(step, Treat):  # the DataField's validity and the MiningFields' treatment (emit/validity.py)
        return []
    from interchange.formats.pmml.emit.text import WRITERS as TEXT_WRITERS

    writer = _WRITERS.get(type(step)) or TEXT_WRITERS.get(type(step))
    if writer is None:
        raise UnsupportedModelError(f"PMML writer has no mapping for IR step {type(step).__name__}", format="pmml")
    return writer(step)
