"""IR step class -> ONNX emitter; registration refuses to overwrite.

A transform emitter writes nodes and defines the step's output columns in the builder; a
model emitter returns the tensors of its prediction (:class:`Emitted`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.emit.builder import Builder, refuse

__all__ = ["Emitted", "emitter", "lookup", "labels"]


@dataclass
class Emitted:
    """The tensors a model step produced; only what the model has is set.

    ``probabilities`` / ``decision``: ``[N, classes]`` (a binary decision: ``[N, 1]`` for the
    second class); ``value`` / ``score``: ``[N, 1]``; ``label`` / ``cluster``: ``[N]``.
    """

    label: str | None = None
    probabilities: str | None = None
    decision: str | None = None
    value: str | None = None
    score: str | None = None
    cluster: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # output name -> ``[N, 1]`` figure (an Output expression)
    alone: frozenset[str] = frozenset()  # extra figures whose NaN is their own missing value, not the row's


Emitter = Callable[[Any, Builder], Any]
_REGISTRY: dict[type, Emitter] = {}


def emitter(*types: type) -> Callable[[Emitter], Emitter]:
    """Register ``fn`` as the ONNX emitter of IR step ``types``; a second one for a type is an error."""

    def register(fn: Emitter) -> Emitter:
        for t in types:
            if t in _REGISTRY:
                raise ValueError(f"an ONNX emitter for {t.__name__} is already registered")
            _REGISTRY[t] = fn
        return fn

    return register


def lookup(step: Any) -> Emitter:
    _load_families()
    fn = _REGISTRY.get(type(step))
    if fn is None:
        raise refuse(f"the IR step {type(step).__name__}")
    return fn


def class_constant(b: Builder, classes: tuple[Any, ...]) -> tuple[str, int]:
    """The classes as an initializer, and its ONNX element type (int64, double, bool or string)."""
    values = np.asarray(classes)
    if values.dtype.kind in "iu":
        return b.const(values, np.int64, "classes"), onnx.TensorProto.INT64
    if values.dtype.kind == "f":
        return b.const(values, np.float64, "classes"), onnx.TensorProto.DOUBLE
    if values.dtype.kind == "b":
        return b.const(values, np.bool_, "classes"), onnx.TensorProto.BOOL
    return b.const(np.array([str(c) for c in classes], dtype=object), object, "classes"), onnx.TensorProto.STRING


def labels(b: Builder, classes: tuple[Any, ...], index: str) -> str:
    """``classes[index]`` for an int64 ``[N]`` index tensor: the label output (its type declared)."""
    constant, elem = class_constant(b, classes)
    out = b.op("Gather", [constant, index], "label", axis=0)
    b.types[out] = elem
    return out


def argmax_label(b: Builder, classes: tuple[Any, ...], matrix: str) -> str:
    """The first class with the largest value in each row (numpy's argmax rule)."""
    return labels(b, classes, b.op("ArgMax", [matrix], "argmax", axis=1, keepdims=0, select_last_index=0))


_loaded = False


def _load_families() -> None:
    """Import the family modules, whose decorators fill the registry (explicit list, once)."""
    global _loaded
    if not _loaded:
        _loaded = True
        from interchange.formats.onnx.emit import expressions, predicates, refused, text, transforms, validity  # noqa: F401
        from interchange.formats.onnx.emit.models import (  # noqa: F401
            anomaly,
            chain,
            compared,
            distance,
            figures,
            general,
            linear,
            scoring,
            segments,
            select_all,
            targets,
            variable_weight,
        )
        from interchange.formats.onnx.emit.trees import ensemble, multiway  # noqa: F401
        from interchange.formats.onnx.emit.trees import figures as node_figures  # noqa: F401
