"""MLPs to the IR NeuralNetwork step (interchange.extract.models.neural)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier, MLPRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.models.neural import classifier
from interchange.extract.registry import Extraction

from ._agree import assert_extracts

X, Y = make_classification(60, 3, n_informative=3, n_redundant=0, n_classes=3, random_state=0)


def _fit(est: object, y: np.ndarray) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few iterations do not converge; the weights are what is tested
        return est.fit(X, y)  # type: ignore[attr-defined]


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_hidden_activations_then_identity(activation: str) -> None:
    est = _fit(MLPRegressor(hidden_layer_sizes=(4, 3), activation=activation, max_iter=30, random_state=0), X @ [1.0, -2.0, 0.5])
    model = assert_extracts(est, X).model
    assert model.activations == (activation, activation, "identity")
    assert [w.shape for w in model.weights] == [(3, 4), (4, 3), (3, 1)]


@pytest.mark.parametrize(("y", "output"), [(Y, "softmax"), (Y % 2, "logistic")], ids=["multiclass", "binary"])
def test_classifier_output_layer(y: np.ndarray, output: str) -> None:
    model = assert_extracts(_fit(MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0), y), X).model
    assert model.output == output


def test_multi_output_regression_is_refused_by_name() -> None:
    est = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0), np.column_stack([Y, -Y]))
    with pytest.raises(UnsupportedModelError, match="MLPRegressor with 2 outputs"):
        assert_extracts(est, X)


@pytest.mark.parametrize("labels", [2, 3])
def test_multi_label_classifier_is_refused_by_name(labels: int) -> None:
    y = np.column_stack([(Y + i) % 2 for i in range(labels)])
    est = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0), y)
    with pytest.raises(UnsupportedModelError, match="MLPClassifier with output 'logistic' \\(multi-label\\)"):
        classifier(est, Extraction(("a", "b", "c")))
