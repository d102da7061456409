"""scikit-learn's MLPClassifier / MLPRegressor to the IR NeuralNetwork step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.neural import ACTIVATIONS, NeuralNetwork


def _layers(est: Any) -> dict[str, Any]:
    if est.activation not in ACTIVATIONS:
        raise UnsupportedModelError(f"{type(est).__name__}(activation={est.activation!r})", estimator=type(est).__name__)
    n = len(est.coefs_)
    return {
        "weights": tuple(np.asarray(w, dtype=np.float64) for w in est.coefs_),
        "biases": tuple(np.asarray(b, dtype=np.float64) for b in est.intercepts_),
        "activations": tuple([est.activation] * (n - 1) + ["identity"]),
    }


@extractor(MLPRegressor)
def regressor(est: Any, state: Extraction) -> NeuralNetwork:
    if est.n_outputs_ != 1 or est.out_activation_ != "identity":
        raise UnsupportedModelError(
            f"MLPRegressor with {est.n_outputs_} outputs and output {est.out_activation_!r}; one identity output is supported",
            estimator="MLPRegressor",
        )
    return NeuralNetwork(state.columns, **_layers(est))


@extractor(MLPClassifier)
def classifier(est: Any, state: Extraction) -> NeuralNetwork:
    """scikit-learn's output layer: logistic for two classes (one unit), softmax otherwise."""
    # A multi-label fit (2-D indicator y) also has classes_ [0, 1] with two labels; n_outputs_ tells it apart.
    binary = len(est.classes_) == 2 and est.n_outputs_ == 1
    if est.out_activation_ not in ("logistic", "softmax") or (est.out_activation_ == "logistic") != binary:
        raise UnsupportedModelError(
            f"MLPClassifier with output {est.out_activation_!r} (multi-label) has no IR form", estimator="MLPClassifier"
        )
    return NeuralNetwork(state.columns, **_layers(est), output=est.out_activation_, classes=tuple(est.classes_.tolist()))
