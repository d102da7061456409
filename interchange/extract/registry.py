"""The extractor registry: estimator type -> function writing IR steps.

A transformer extractor returns IR steps and the names of the columns it produces; a model
extractor returns the final IR model step. Registration refuses to overwrite silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.ir.graph import Graph, ModelStep, Step
from interchange.signature import Signature, avro_name

__all__ = ["Extraction", "extractor", "to_graph", "lookup", "flatten"]


@dataclass
class Extraction:
    """The IR written so far: steps, and the current column names feeding the next step."""

    columns: tuple[str, ...]
    steps: list[Step] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    format: str = ""  # the format being written, named in UnsupportedModelError

    def fresh(self, prefix: str, names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """New column names, legal in XML, PFA and Avro, never reusing an existing one."""
        out = []
        for n in names:
            name = avro_name(f"{prefix}_{n}")
            while name in self.taken:
                name += "_"
            self.taken.add(name)
            out.append(name)
        return tuple(out)


Extractor = Callable[[Any, Extraction], "ModelStep | None"]
_REGISTRY: dict[type, Extractor] = {}


def extractor(*types: type) -> Callable[[Extractor], Extractor]:
    """Register ``fn`` for estimator ``types``; a second registration for a type is an error."""

    def register(fn: Extractor) -> Extractor:
        for t in types:
            if t in _REGISTRY:
                raise ValueError(f"an IR extractor for {t.__name__} is already registered")
            _REGISTRY[t] = fn
        return fn

    return register


def lookup(estimator: Any, format: str = "") -> Extractor:
    _load_families()
    fn = _REGISTRY.get(type(estimator))
    if fn is None:
        name = type(estimator).__name__
        raise UnsupportedModelError(
            f"{name} cannot be written as {format or 'IR'}: interchange has no extractor for it yet"
            + ("; ONNX (through skl2onnx) may take it" if format in ("pmml", "pfa") else ""),
            estimator=name,
            format=format,
            supported_formats=["onnx"],
        )
    return fn


def to_graph(estimator: Any, signature: Signature, *, format: str = "") -> Graph:
    """The IR graph of a fitted estimator or Pipeline; UnsupportedModelError names what cannot be."""
    state = Extraction(tuple(signature.input_names), taken=set(signature.input_names), format=format)
    steps = flatten(estimator)
    model: ModelStep | None = None
    for i, (_, step) in enumerate(steps):
        if step is None or step == "passthrough":
            continue
        result = lookup(step, format)(step, state)
        if result is not None:
            if i != len(steps) - 1:
                raise UnsupportedModelError(
                    f"{type(step).__name__} predicts but is not the last step", estimator=type(step).__name__, format=format
                )
            model = result
    if model is None:
        raise UnsupportedModelError("the pipeline has no final predictor", estimator=type(estimator).__name__, format=format)
    classes = getattr(model, "classes", None)
    if classes is not None and signature.classes is not None and tuple(classes) != tuple(signature.classes):
        # labels decoded by a target LabelEncoder; IR model steps are dataclasses, which ModelStep (an ABC) cannot say
        model = dataclasses.replace(model, classes=tuple(signature.classes))  # type: ignore[type-var]
    return Graph(signature, tuple(state.steps), model)


def flatten(estimator: Any) -> list[tuple[str, Any]]:
    """Steps of a (nested) Pipeline in order, or the estimator alone."""
    if not hasattr(estimator, "steps"):
        return [("model", estimator)]
    return [pair for name, step in estimator.steps for pair in (flatten(step) if hasattr(step, "steps") else [(name, step)])]


_loaded = False


def _load_families() -> None:
    """Import the family modules, whose decorators fill the registry (explicit list, once)."""
    global _loaded
    if not _loaded:
        _loaded = True
        from interchange.extract import compose, preprocess  # noqa: F401
        from interchange.extract.models import (  # noqa: F401
            boosters,
            cluster,
            linear,
            naive_bayes,
            neighbors,
            neural,
            svm,
            trees,
        )
