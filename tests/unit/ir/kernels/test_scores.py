"""The score kernels (interchange.ir.kernels.scores): links, activations, SVM kernels."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.kernels.scores import activate, kernel_matrix, link_probabilities


def test_links_give_probabilities_that_sum_to_one() -> None:
    scores = np.array([[0.0, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(
        link_probabilities(scores[:, :1], "logistic"), [[0.5, 0.5], [1 / (1 + np.exp(2.0)), 1 / (1 + np.exp(-2.0))]]
    )
    for link in ("softmax", "ovr"):
        np.testing.assert_allclose(link_probabilities(scores, link).sum(axis=1), 1.0)
    assert link_probabilities(scores, "identity") is scores


def test_activations_and_an_unknown_name() -> None:
    z = np.array([-1.0, 0.0, 2.0])
    assert activate(z, "relu").tolist() == [0.0, 0.0, 2.0]
    np.testing.assert_allclose(activate(z, "tanh"), np.tanh(z))
    with pytest.raises(ValueError, match="softsign"):
        activate(z, "softsign")


def test_rbf_kernel_sums_coordinate_differences() -> None:
    X, V = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(kernel_matrix(X, V, "rbf", 0.5, 0.0, 3.0), np.exp(-0.5 * np.array([[1.0], [1.0]])))
    np.testing.assert_allclose(kernel_matrix(X, V, "poly", 2.0, 1.0, 2.0), np.array([[1.0], [9.0]]))
