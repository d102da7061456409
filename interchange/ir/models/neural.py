"""Feed-forward neural networks (multi-layer perceptrons) with one activation per layer
(interchange.ir.kernels.scores.activate, which generated Python copies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.kernels.scores import activate
from interchange.ir.links import softmax

__all__ = ["NeuralNetwork", "activate", "ACTIVATIONS"]

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


@dataclass(frozen=True)
class NeuralNetwork(ModelStep):
    """``a_{l+1} = act_l(a_l @ weights[l] + biases[l])``; then the output rule.

    ``output``: "identity" (regression, or scores), "logistic" (binary: one unit, the
    probability of the second class), "softmax" (one unit per class).
    """

    inputs: tuple[str, ...]
    weights: tuple[np.ndarray, ...]  # layer l: (units_in, units_out)
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]  # one per layer; the last layer's is applied before ``output``
    output: str = "identity"
    classes: tuple[Any, ...] | None = None

    def predict(self, env: Env) -> Prediction:
        unknown = [act for act in self.activations if act not in ACTIVATIONS]
        if unknown:
            raise ModelError(f"unknown activation {unknown[0]!r}")
        a = matrix(env, self.inputs)
        for W, b, act in zip(self.weights, self.biases, self.activations, strict=True):
            a = activate(a @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64), act)
        if self.classes is None:
            return Prediction(value=a[:, 0])
        if self.output == "logistic":
            p1 = activate(a[:, 0], "logistic")
            return Prediction(classes=self.classes, probabilities=np.column_stack([1.0 - p1, p1]))
        if self.output == "softmax":
            return Prediction(classes=self.classes, probabilities=softmax(a))
        return Prediction(classes=self.classes, probabilities=a)
