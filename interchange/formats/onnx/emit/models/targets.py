"""Targeted in double-precision ONNX: the wrapped model's tensors post-processed as ir.targets does.

A regression's ``[N, 1]`` value is clamped with ``Where(Less / Greater)`` (NaN stays NaN: a
comparison with it is false), rescaled, cast (round half up is ``Floor(v + 0.5)``), and the
defaultValue stands where the model's value is NaN (``IsNaN``). A classification with priors takes
the category of largest prior, and the priors as its probabilities, where every probability is NaN
(no prediction); a category without a prior is refused (its probability would be NaN beside a label,
which the runtime reads as no prediction). A display value is an ai.onnx.ml
LabelEncoder of the predicted label. Residual reads the target's actual value from the input it
names (PMML 4.4 §Output residual); where that value is missing the residual alone is missing (its
NaN is named in the document's ``interchange.missing_alone``, so the runtime keeps the row's
prediction, as the IR does); a classification's is refused (a NaN beside a label).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from interchange.formats.onnx.emit.builder import INT64, STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import Emitted, emitter, lookup
from interchange.ir.models.targets import Residual, Targeted

__all__: list[str] = []

_CAST = {"round": "Floor", "ceiling": "Ceil", "floor": "Floor"}


def _rescaled(step: Targeted, b: Builder, raw: str) -> str:
    v = raw
    if step.low is not None:
        v = b.op("Where", [b.op("Less", [v, b.const(step.low)]), b.const(step.low), v], "min")
    if step.high is not None:
        v = b.op("Where", [b.op("Greater", [v, b.const(step.high)]), b.const(step.high), v], "max")
    if step.factor != 1.0:
        v = b.op("Mul", [v, b.const(step.factor)], "rescaled")
    if step.constant != 0.0:
        v = b.op("Add", [v, b.const(step.constant)], "rescaled")
    if step.cast == "round":  # PMML 4.4: round half up
        v = b.op("Add", [v, b.const(0.5)])
    if step.cast is not None:
        v = b.op(_CAST[step.cast], [v], "cast")
    if step.default is not None:
        v = b.op("Where", [b.op("IsNaN", [raw]), b.const(step.default), v], "default")
    return v


def _label_constant(b: Builder, value: Any, elem: int) -> str:
    if elem == STRING:
        return b.const(np.array([str(value)], dtype=object), object, "prior_label")
    if elem == INT64:
        return b.const([int(value)], np.int64, "prior_label")
    raise refuse("Targets priors of a classification whose labels are neither text nor integers")


def _with_priors(step: Targeted, b: Builder, got: Emitted, classes: list[str]) -> Emitted:
    if got.label is None or got.probabilities is None:
        raise refuse(f"Targets priors around a {type(step.model).__name__} that gives no label and probabilities")
    priors = dict(step.priors)
    unset = [c for c in classes if c not in priors]
    if unset:  # (the IR and pypmml: NaN beside the priors' label; JPMML-Evaluator 0.0)
        raise refuse(
            f"Targets priors without a priorProbability for {unset[0]!r}: where the model gives no prediction that "
            "category's probability is missing beside the priors' label, and an ONNX double has no missing value "
            "but NaN, read as no prediction"
        )
    best = max(priors, key=lambda c: priors[c])
    nan = b.op("Cast", [b.op("IsNaN", [got.probabilities])], to=11)  # (double: ReduceMin takes no booleans)
    none = b.op("Greater", [b.op("ReduceMin", [nan, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)], "none")
    row = np.array([[priors.get(c, np.nan) for c in classes]], dtype=np.float64)
    probabilities = b.op("Where", [none, b.const(row), got.probabilities], "probabilities")
    flat = b.op("Squeeze", [none, b.const([1], np.int64, "axes")])
    elem = b.types[got.label]
    label = b.op("Where", [flat, _label_constant(b, best, elem), got.label], "label")
    b.types[label] = elem
    return replace(got, label=label, probabilities=probabilities)


def _shown(step: Targeted, b: Builder, got: Emitted, classes: list[str]) -> dict[str, str]:
    if got.label is None:
        raise refuse(f"display values of a {type(step.model).__name__} that gives no label")
    names = {c: c for c in classes} | {str(c): v for c, v in step.display}
    keys = list(names)
    if b.types[got.label] == STRING:
        attrs: dict[str, Any] = {"keys_strings": keys}
    elif b.types[got.label] == INT64:
        attrs = {"keys_int64s": [int(k) for k in keys]}
    else:
        raise refuse("display values of a classification whose labels are neither text nor integers")
    # a row without a label (""; an ONNX string has no null) shows none: "" again, not LabelEncoder's "_Unused"
    attrs["default_string"] = ""
    shown = b.op("LabelEncoder", [got.label], "shown", domain="ai.onnx.ml", values_strings=[names[k] for k in keys], **attrs)
    column = b.op("Unsqueeze", [shown, b.const([1], np.int64, "axes")], "shown")
    b.types[column] = STRING
    return dict.fromkeys(step.shown, column)


@emitter(Targeted)
def _targeted(step: Targeted, b: Builder) -> Emitted:
    got: Emitted = lookup(step.model)(step.model, b)
    classes = [str(c) for c in getattr(step.model, "classes", None) or ()]
    if not classes and got.value is not None:
        got = replace(got, value=_rescaled(step, b, got.value))
    if step.priors:
        got = _with_priors(step, b, got, classes)
    if step.shown:
        got = replace(got, extra={**got.extra, **_shown(step, b, got, classes)})
    return got


@emitter(Residual)
def _residual(step: Residual, b: Builder) -> Emitted:
    """PMML 4.4 §Output residual against the input ``step.target``: actual minus predicted value (NaN where
    the actual value is missing: the residual alone, the prediction stays). A classification's residual
    (1 where the actual category is the most probable one, else 0, minus its probability) is refused: where
    the actual category is missing it is NaN beside a label, which the runtime reads as no prediction."""
    if step.classes is not None:
        raise refuse(
            "a classification's residual (OutputField residual): where the actual category is missing it is NaN "
            "beside a prediction, and an ONNX double has no missing value but NaN, read as no prediction"
        )
    got: Emitted = lookup(step.model)(step.model, b)
    if got.value is None:
        raise refuse(f"a residual of a {type(step.model).__name__} that gives no value")
    residual = b.op("Sub", [b.column(step.target), got.value], "residual")
    return replace(got, extra={**got.extra, **dict.fromkeys(step.names, residual)}, alone=got.alone | set(step.names))
