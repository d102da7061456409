"""ONNX for the IR's transform steps: imputing, scaling, encoding, binning, normalising, projecting.

Each emitter performs the IR step's arithmetic in the same order on doubles (``Scale`` keeps
its four operations; identity parameters leave values bit for bit). Missing numbers are NaN
and missing text is "" (what the runtime feeds for a missing text value).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import category_key, is_missing
from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import emitter
from interchange.ir.derive.transforms import Bin, Impute, Normalize, OneHot, Ordinal, Polynomial, Project, Scale, Threshold

NAN = np.nan


def axes(b: Builder, *values: int) -> str:
    return b.const(list(values), np.int64, "axes")


def nan_where_missing(b: Builder, x: str, y: str) -> str:
    """``y`` with NaN in the rows where the numeric column ``x`` is missing."""
    return b.op("Where", [b.op("IsNaN", [x]), b.const(NAN), y])


@emitter(Impute)
def impute(step: Impute, b: Builder) -> None:
    pairs = list(zip(step.inputs, step.outputs, step.values, strict=False))
    numbers = [(i, o, v) for i, o, v in pairs if b.elem(i) == DOUBLE]
    for i, o, v in pairs:
        if b.elem(i) == STRING:
            if not isinstance(v, str):
                raise refuse(f"imputing text column {i!r} with the non-text value {v!r}")
            x = b.column(i)
            empty = b.op("Equal", [x, b.const(np.array([""], dtype=object), object)])
            b.define((o,), b.op("Where", [empty, b.const(np.array([v], dtype=object), object), x], "imputed"), STRING)
    if numbers:
        try:
            values = np.array([float(v) for _, _, v in numbers], dtype=np.float64)
        except (TypeError, ValueError):
            raise refuse("imputing a numeric column with a non-numeric value") from None
        X = b.matrix([i for i, _, _ in numbers])
        b.define([o for _, o, _ in numbers], b.op("Where", [b.op("IsNaN", [X]), b.const(values), X], "imputed"))


@emitter(Scale)
def scale(step: Scale, b: Builder) -> None:
    """``(x - offset) / divisor * factor + shift``, each operation only where some column needs it."""
    y = b.matrix(step.inputs)
    for op, params, identity in (
        ("Sub", step.offset, 0.0),
        ("Div", step.divisor, 1.0),
        ("Mul", step.factor, 1.0),
        ("Add", step.shift, 0.0),
    ):
        if any(v != identity for v in params):
            y = b.op(op, [y, b.const(np.asarray(params, dtype=np.float64))], "scaled")
    if y == b.matrix(step.inputs):
        y = b.op("Identity", [y], "scaled")
    b.define(step.outputs, y)


def _equal_categories(b: Builder, x: str, categories: tuple[Any, ...]) -> str:
    """``[N, len(categories)]`` booleans: the column equals each category (None: is missing)."""
    if b.types[x] == STRING:
        keys = np.array(["" if is_missing(c) else str(category_key(c)) for c in categories], dtype=object)
        return b.op("Equal", [x, b.const(keys, object)], "is")
    try:
        values = np.array([NAN if is_missing(c) else float(c) for c in categories], dtype=np.float64)
    except (TypeError, ValueError):
        raise refuse("text categories for a numeric column") from None
    hit = b.op("Equal", [x, b.const(values)], "is")
    none = np.isnan(values)
    if none.any():
        hit = b.op("Or", [hit, b.op("And", [b.op("IsNaN", [x]), b.const(none, np.bool_)])], "is")
    return hit


@emitter(OneHot)
def one_hot(step: OneHot, b: Builder) -> None:
    x = b.column(step.inputs[0])
    categories = step.categories[: len(step.outputs)]
    if step.unknown == "ignore":
        b.define(step.outputs, b.op("Cast", [_equal_categories(b, x, categories)], "onehot", to=DOUBLE))
        return
    if b.types[x] != STRING or len(categories) != len(step.categories):
        raise refuse("a numeric (or dropped-category) encoder that rejects unknown categories")
    # ai.onnx.ml OneHotEncoder with zeros=0 fails the batch on a category outside the list (a
    # missing value too, unless it is a category): the runtime narrows that to the record, as
    # scikit-learn's handle_unknown="error" refuses it. Its float 0/1 values are exact.
    keys = ["" if is_missing(c) else str(category_key(c)) for c in categories]
    hot = b.op("OneHotEncoder", [x], "onehot", domain="ai.onnx.ml", cats_strings=keys, zeros=0)
    flat = b.op("Reshape", [hot, b.const([-1, len(keys)], np.int64, "shape")])
    b.define(step.outputs, b.op("Cast", [flat], "onehot", to=DOUBLE))


@emitter(Ordinal)
def ordinal(step: Ordinal, b: Builder) -> None:
    """The category's index; unseen: ``unknown``; missing (not itself a category): NaN."""
    if step.unknown is None:
        raise refuse("an encoder that rejects unknown categories (ONNX cannot fail a record)")
    for name, out, cats in zip(step.inputs, step.outputs, step.categories, strict=True):
        x = b.column(name)
        if b.types[x] == STRING:
            missing = b.op("Equal", [x, b.const(np.array([""], dtype=object), object)])
        else:
            missing = b.op("IsNaN", [x])
        otherwise = b.op("Where", [missing, b.const(NAN), b.const(float(step.unknown))])
        if not cats:
            b.define((out,), b.op("Add", [otherwise, b.op("Cast", [missing], to=DOUBLE)], "ordinal"))
            continue
        hot = b.op("Cast", [_equal_categories(b, x, cats)], to=DOUBLE)
        index = b.op("MatMul", [hot, b.const(np.arange(len(cats), dtype=np.float64).reshape(-1, 1))])
        hit = b.op("Greater", [b.op("MatMul", [hot, b.const(np.ones((len(cats), 1)))]), b.const(0.5)])
        b.define((out,), b.op("Where", [hit, index, otherwise], "ordinal"))


@emitter(Threshold)
def threshold(step: Threshold, b: Builder) -> None:
    X = b.matrix(step.inputs)
    above = b.op("Cast", [b.op("Greater", [X, b.const(float(step.threshold))])], to=DOUBLE)
    b.define(step.outputs, nan_where_missing(b, X, above))


@emitter(Bin)
def bins(step: Bin, b: Builder) -> None:
    """Bin index = how many interior edges are <= x (numpy's searchsorted, side="right")."""
    k = 0
    for name, edges in zip(step.inputs, step.edges, strict=True):
        x = b.column(name)
        if edges:
            ge = b.op("Cast", [b.op("GreaterOrEqual", [x, b.const(np.asarray(edges, dtype=np.float64))])], to=DOUBLE)
            index = b.op("ReduceSum", [ge, axes(b, 1)], keepdims=1)
        else:
            index = b.op("Mul", [x, b.const(0.0)])
        index = nan_where_missing(b, x, index)
        if not step.one_hot:
            b.define(step.outputs[k : k + 1], index)
            k += 1
            continue
        width = len(edges) + 1
        hot = b.op("Cast", [b.op("Equal", [index, b.const(np.arange(width, dtype=np.float64))])], to=DOUBLE)
        b.define(step.outputs[k : k + width], nan_where_missing(b, x, hot))
        k += width


@emitter(Normalize)
def normalize(step: Normalize, b: Builder) -> None:
    X = b.matrix(step.inputs)
    if step.norm == "l1":
        n = b.op("ReduceSum", [b.op("Abs", [X]), axes(b, 1)], keepdims=1)
    elif step.norm == "l2":
        n = b.op("Sqrt", [b.op("ReduceSum", [b.op("Mul", [X, X]), axes(b, 1)], keepdims=1)])
    elif step.norm == "max":
        n = b.op("ReduceMax", [b.op("Abs", [X]), axes(b, 1)], keepdims=1)
    else:
        raise refuse(f"norm {step.norm!r}")
    n = b.op("Where", [b.op("Equal", [n, b.const(0.0)]), b.const(1.0), n])
    b.define(step.outputs, b.op("Div", [X, n], "normalized"))


@emitter(Polynomial)
def polynomial(step: Polynomial, b: Builder) -> None:
    """``y_j = x_a * x_b * ...`` multiplied left to right in input order, as the IR does."""
    X = b.matrix(step.inputs)
    factors = [[i for i, p in enumerate(row) for _ in range(int(p))] for row in np.asarray(step.powers)]
    depth = max(1, max(len(f) for f in factors))
    y = None
    for level in range(depth):
        index = [f[level] if level < len(f) else 0 for f in factors]
        used = np.array([level < len(f) for f in factors])
        part = b.op("Gather", [X, b.const(index, np.int64, "i")], axis=1)
        part = b.op("Where", [b.const(used, np.bool_), part, b.const(1.0)])
        y = part if y is None else b.op("Mul", [y, part])
    assert y is not None
    b.define(step.outputs, b.op("Identity", [y], "poly"))


@emitter(Project)
def project(step: Project, b: Builder) -> None:
    X = b.matrix(step.inputs)
    y = b.op("MatMul", [X, b.const(np.asarray(step.matrix, dtype=np.float64).T)])
    b.define(step.outputs, b.op("Add", [y, b.const(np.asarray(step.bias, dtype=np.float64))], "projected"))
