"""A model as a graph of steps over named columns, ending in one model step.

Each :class:`Step` reads named columns from an environment and writes new named columns, the
way PMML derived fields and PFA let-bindings work; the final :class:`ModelStep` returns a
:class:`Prediction` whose parts (value, probabilities, label, ...) are mapped onto the
signature's output fields by their kind. Numeric columns are float64 with NaN for missing;
categorical columns are object arrays with None for missing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.signature import Signature, class_index

__all__ = ["Step", "ModelStep", "Prediction", "Graph", "evaluate", "Env", "label_of"]

Env = dict[str, np.ndarray]


class Step(ABC):
    """A transformation: reads ``inputs`` columns, writes ``outputs`` columns."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @abstractmethod
    def apply(self, env: Env) -> None:
        """Compute this step's output columns into ``env``."""


@dataclass
class Prediction:
    """What a model step produced for a batch; only the parts the model has are set.

    ``probabilities`` and ``decision`` are (rows x len(classes)) matrices, except a binary
    decision which is one column for the second class.
    """

    classes: tuple[Any, ...] | None = None
    value: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    decision: np.ndarray | None = None
    label: np.ndarray | None = None
    cluster: np.ndarray | None = None
    score: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # format-specific figures: arrays, or (ids, distances)

    def finish(self) -> Prediction:
        """Fill the label from probabilities or decisions when the model did not set it."""
        if self.label is None and self.classes is not None:
            classes = np.asarray(self.classes, dtype=object)
            if self.probabilities is not None:
                self.label = label_of(self.probabilities, self.classes)
            elif self.decision is not None:
                d = self.decision
                idx = (d[:, 0] > 0).astype(int) if d.shape[1] == 1 else np.argmax(d, axis=1)
                self.label = classes[idx]
        return self

    def blank(self, rows: np.ndarray) -> Prediction:
        """No prediction for ``rows`` (a boolean mask): numbers NaN, labels and clusters None."""
        if not rows.any():
            return self
        for name in ("value", "probabilities", "decision", "score"):
            part = getattr(self, name)
            if part is not None:
                part = np.array(part, dtype=np.float64)
                part[rows] = np.nan
                setattr(self, name, part)
        for name in ("label", "cluster"):
            part = getattr(self, name)
            if part is not None:
                part = np.array(part, dtype=object)
                part[rows] = None
                setattr(self, name, part)
        return self


def label_of(probabilities: np.ndarray, classes: tuple[Any, ...]) -> np.ndarray:
    """The first class with the largest probability; None where a row's probabilities are
    missing (a missing input: no label)."""
    unknown = np.isnan(probabilities).any(axis=1)
    labels = np.asarray(classes, dtype=object)[np.argmax(np.where(unknown[:, None], 0.0, probabilities), axis=1)]
    if unknown.any():
        labels[unknown] = None
    return labels


class ModelStep(ABC):
    """The final step of a graph: reads ``inputs`` columns, returns a Prediction."""

    inputs: tuple[str, ...]

    @abstractmethod
    def predict(self, env: Env) -> Prediction:
        """Evaluate the model over the batch in ``env``."""


@dataclass(frozen=True)
class Graph:
    """Transform steps, then one model step, for a model with ``signature``."""

    signature: Signature
    steps: tuple[Step, ...]
    model: ModelStep


def matrix(env: Env, names: tuple[str, ...]) -> np.ndarray:
    """The named numeric columns as one (rows x len(names)) float64 matrix."""
    if not names:  # e.g. a tree that is a single leaf reads no column
        n = getattr(env, "n", None)
        return np.empty((n if n is not None else len(next(iter(env.values()), ())), 0))
    try:
        return np.column_stack([np.asarray(env[n], dtype=np.float64) for n in names])
    except KeyError as exc:
        raise ModelError(f"IR step reads column {exc.args[0]!r} that no earlier step or input defines") from exc


def evaluate(graph: Graph, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Evaluate ``graph`` over typed input columns (``interchange.batch.to_columns``); one array per
    signature output field. A boolean field given as numpy bools is typed here as to_columns types
    it (1.0 / 0.0), so its category is "1" / "0" whichever way it came, as in generated code."""
    env: Env = dict(columns)
    for f in graph.signature.inputs:
        if f.type == "boolean" and isinstance(env.get(f.name), np.ndarray) and env[f.name].dtype.kind == "b":
            env[f.name] = env[f.name].astype(np.float64)
    for step in graph.steps:
        step.apply(env)
    pred = graph.model.predict(env).finish()
    return outputs_from(pred, graph.signature)


def outputs_from(pred: Prediction, signature: Signature) -> dict[str, np.ndarray]:
    """Map a Prediction onto the signature's output fields by kind and target class."""
    out: dict[str, np.ndarray] = {}
    classes = list(pred.classes) if pred.classes is not None else []
    per_class = signature.output("decision")
    for f in signature.outputs:
        value: np.ndarray | None
        if f.kind == "label":
            value = pred.label
        elif f.kind == "value":  # a model whose one figure is a score (isolation forest) read as a plain value
            value = pred.value if pred.value is not None or pred.classes is not None else pred.score
        elif f.kind == "cluster":  # (an entity id a model names per output, e.g. the k-th neighbour, when it gives one)
            value = pred.extra[f.name] if f.name in pred.extra else pred.cluster
        elif f.kind == "score":  # (a model's named figure, e.g. a ranked reason code, when it gives one)
            value = pred.extra[f.name] if f.name in pred.extra else pred.score
        elif f.kind == "probability":
            p = pred.probabilities
            value = None if p is None else p[:, class_index(classes, f.target, ModelError, field=str(f.target))]
        elif f.kind == "decision":
            d = pred.decision
            value = None if d is None else d[:, 0] if d.shape[1] == 1 else d[:, per_class.index(f)]
            first = len(classes) == 2 and f.target is not None and str(f.target) == str(classes[0])
            if d is not None and d.shape[1] == 1 and first:
                value = -d[:, 0]  # a binary decision is the second class's; the first class's is its negation (ONNX gives both)
        else:
            value = pred.extra[f.name]
        if value is None:
            raise ModelError(f"the model does not produce output {f.name!r} ({f.kind})", field=f.name)
        out[f.name] = value
    return out
