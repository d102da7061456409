"""IR transform steps to PFA let-bindings, with the IR's operations in its order.

A column that may be missing is read through ``impute.errorOnNull`` where the step cannot
take a missing value: the record fails instead of giving a number the source would not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.ir.derive.transforms import Bin, Impute, Normalize, OneHot, Ordinal, Polynomial, Project, Scale, Threshold

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["write_transform"]


def _fold(op: str, args: list[Any]) -> Any:
    expr = args[0]
    for a in args[1:]:
        expr = {op: [expr, a]}
    return expr


def _scale(w: _Writer, step: Scale) -> None:
    for i, (src, dst) in enumerate(zip(step.inputs, step.outputs, strict=True)):
        expr = w.value(src)
        for op, value in step.operations(i):
            expr = {op: [expr, float(value)]}
        w.bind(dst, expr)


def _impute(w: _Writer, step: Impute) -> None:
    for src, dst, v in zip(step.inputs, step.outputs, step.values, strict=True):
        expr, kind, nullable = w.cols[src]
        fill: Any = {"string": v} if isinstance(v, str) else float(v)
        value = {"impute.defaultOnNull": [expr, fill]} if nullable else expr
        if kind in ("double", "float") and not isinstance(v, str):
            # the IR's Impute also fills a NaN (a float cast of a null gives one): test after defaultOnNull
            value = {"if": {"impute.isnan": value}, "then": fill, "else": value}
        w.bind(dst, value, "string" if isinstance(v, str) else "double")


def _one_hot(w: _Writer, step: OneHot) -> None:
    """One 0/1 binding per category; rejecting unknown categories is a PFA ``error`` (record fails)."""
    expr, kind, nullable = w.cols[step.inputs[0]]
    if step.unknown != "ignore":
        known = [c for c in step.categories if c is not None]
        literals = [{"string": str(c)} if kind == "string" else float(c) for c in known]
        value = "v" if nullable else expr
        unknown = _fold("&&", [{"!=": [value, lit]} for lit in literals]) if literals else True
        check = {"if": unknown, "then": {"error": f"unknown category for field {step.inputs[0]}"}}
        w.action.append({"ifnotnull": {"v": expr}, "then": check} if nullable else check)
    for dst, category in zip(step.outputs, step.categories, strict=True):
        if category is None:
            hit: Any = {"ifnotnull": {"v": expr}, "then": 0.0, "else": 1.0} if nullable else 0.0
        else:
            literal = {"string": str(category)} if kind == "string" else float(category)
            test = {"if": {"==": ["v" if nullable else expr, literal]}, "then": 1.0, "else": 0.0}
            hit = {"ifnotnull": {"v": expr}, "then": test, "else": 0.0} if nullable else test
        w.bind(dst, hit)


def _ordinal(w: _Writer, step: Ordinal) -> None:
    """A map cell from category to index; a missing input is its own category or stays null.

    An unseen category is ``unknown`` or, when that is None, a PFA ``error`` (record fails)."""
    for src, dst, categories in zip(step.inputs, step.outputs, step.categories, strict=True):
        expr, kind, nullable = w.cols[src]
        if kind != "string":
            raise UnsupportedModelError("OrdinalEncoder on a non-text column is not written to PFA yet", format="pfa")
        cell = f"{dst}_index"
        w.cells[cell] = {
            "type": {"type": "map", "values": "double"},
            "init": {str(c): float(i) for i, c in enumerate(categories) if c is not None},
        }

        def lookup(x: Any, cell: str = cell, src: str = src) -> Any:
            found = {"map.containsKey": [{"cell": cell}, x]}
            otherwise = {"error": f"unknown category for field {src}"} if step.unknown is None else float(step.unknown)
            return {"if": found, "then": {"cell": cell, "path": [x]}, "else": otherwise}

        if not nullable:
            w.bind(dst, lookup(expr))
        elif None in categories:
            w.bind(dst, {"ifnotnull": {"v": expr}, "then": lookup("v"), "else": float(categories.index(None))})
        else:
            w.bind(dst, {"ifnotnull": {"v": expr}, "then": lookup("v"), "else": None}, nullable=True)


def _threshold(w: _Writer, step: Threshold) -> None:
    for src, dst in zip(step.inputs, step.outputs, strict=True):
        w.bind(dst, {"if": {">": [w.value(src), float(step.threshold)]}, "then": 1.0, "else": 0.0})


def _bin(w: _Writer, step: Bin) -> None:
    """Ordinal: the number of edges <= x; one-hot: one interval test per bin."""
    names = iter(step.outputs)
    for src, edges in zip(step.inputs, step.edges, strict=True):
        x = w.value(src)
        if not step.one_hot:
            counts = [{"if": {">=": [x, float(e)]}, "then": 1.0, "else": 0.0} for e in edges]
            w.bind(next(names), _fold("+", counts) if counts else 0.0)
            continue
        for b in range(len(edges) + 1):
            tests = ([{">=": [x, float(edges[b - 1])]}] if b > 0 else []) + (
                [{"<": [x, float(edges[b])]}] if b < len(edges) else []
            )
            w.bind(next(names), {"if": _fold("&&", tests), "then": 1.0, "else": 0.0} if tests else 1.0)


def _normalize(w: _Writer, step: Normalize) -> None:
    xs = [w.value(n) for n in step.inputs]
    if step.norm == "l2":
        norm: Any = {"m.sqrt": _fold("+", [{"*": [x, x]} for x in xs])}
    elif step.norm == "l1":
        norm = _fold("+", [{"m.abs": x} for x in xs])
    else:
        norm = _fold("max", [{"m.abs": x} for x in xs])
    name = f"{step.outputs[0]}_norm"
    w.bind(name + "0", norm)
    raw = w.cols[name + "0"][0]  # (bind gives a name that is no PFA symbol, e.g. "X_0:f32_norm0", one that is)
    w.bind(name, {"if": {"==": [raw, 0.0]}, "then": 1.0, "else": raw})
    for x, dst in zip(xs, step.outputs, strict=True):
        w.bind(dst, {"/": [x, w.cols[name][0]]})


def _polynomial(w: _Writer, step: Polynomial) -> None:
    for dst, row in zip(step.outputs, step.powers, strict=True):
        factors = [w.value(x) for x, p in zip(step.inputs, row, strict=True) for _ in range(int(p))]
        w.bind(dst, _fold("*", factors) if factors else 1.0)


def _project(w: _Writer, step: Project) -> None:
    for j, dst in enumerate(step.outputs):
        terms = [{"*": [w.value(x), float(m)]} for x, m in zip(step.inputs, step.matrix[j], strict=True)]
        w.bind(dst, {"+": [_fold("+", terms), float(step.bias[j])]})


_WRITERS: dict[type, Callable[[Any, Any], None]] = {
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


def write_transform(w: _Writer, step: Any) -> None:
    """Bind ``step``'s output columns in ``w``."""
    from interchange.formats.pfa.emit.expressions import write_derive, write_validate
    from interchange.ir.derive.expressions import Derive
    from interchange.ir.derive.transforms import Validate

    if isinstance(step, Derive):
        w.nan_columns.update(step.outputs)
        return write_derive(w, step)
    if isinstance(step, Validate):
        return write_validate(w, step)
    from interchange.formats.pfa.emit.predicates import write_predicate_column
    from interchange.ir.derive.predicates import PredicateColumn

    if isinstance(step, PredicateColumn):
        return write_predicate_column(w, step)
    from interchange.formats.pfa.emit.validity import write_treat
    from interchange.ir.validity import Treat

    if isinstance(step, Treat):
        return write_treat(w, step)
    from interchange.formats.pfa.emit.arrays import write_array_items
    from interchange.ir.derive.arrays import ArrayItems

    if isinstance(step, ArrayItems):
        return write_array_items(w, step)
    from interchange.formats.pfa.emit.text import write_text_derive
    from interchange.ir.derive.text import TextDerive

    if isinstance(step, TextDerive):
        return write_text_derive(w, step)
    writer = _WRITERS.get(type(step))
    if writer is None:
        raise UnsupportedModelError(
            f"the PFA writer has no mapping for IR step {type(step).__name__} yet", format="pfa", supported_formats=["onnx"]
        )
    writer(w, step)
