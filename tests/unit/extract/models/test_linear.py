"""Linear models to the IR Regression step (interchange.extract.models.linear): coefficients, link, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.svm import LinearSVC

from interchange.errors import UnsupportedModelError
from interchange.extract.models.linear import regression
from interchange.extract.registry import Extraction
from interchange.ir.models.linear import Link

from ._agree import assert_extracts

X3, Y3 = make_classification(80, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
X2, Y2 = make_classification(80, 4, n_informative=2, random_state=1)
XR, YR = make_regression(50, 3, noise=0.5, random_state=2)


def test_a_regression_keeps_coefficients_and_intercept() -> None:
    est = Ridge(alpha=0.3).fit(XR, YR)
    model = assert_extracts(est, XR).model
    np.testing.assert_array_equal(model.coef, est.coef_.reshape(1, -1))
    assert model.intercept.tolist() == [est.intercept_]


def test_by_hand_two_inputs() -> None:
    """y = 2 a - b + 3, fitted exactly: the IR step holds [[2, -1]] and [3]."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 5.0]])
    est = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 3)
    model = assert_extracts(est, X).model
    np.testing.assert_allclose(model.coef, [[2.0, -1.0]], atol=1e-12)
    np.testing.assert_allclose(model.intercept, [3.0], atol=1e-12)


@pytest.mark.parametrize(("X", "y", "link"), [(X2, Y2, Link.LOGISTIC), (X3, Y3, Link.SOFTMAX)], ids=["binary", "multiclass"])
def test_logistic_link_follows_the_class_count(X: np.ndarray, y: np.ndarray, link: Link) -> None:
    assert assert_extracts(LogisticRegression(max_iter=500).fit(X, y), X).model.link is link


def test_margin_classifiers_give_decision_values_only() -> None:
    graph = assert_extracts(LinearSVC(random_state=0).fit(X3, Y3), X3)
    assert graph.model.link is Link.IDENTITY and graph.model.classes == (0, 1, 2)


def test_sgd_log_loss_is_one_vs_rest_logistic() -> None:
    est = SGDClassifier(loss="log_loss", random_state=0).fit(X3, Y3)
    assert assert_extracts(est, X3).model.link is Link.OVR


def test_multi_target_regression_is_refused_by_name() -> None:
    est = LinearRegression().fit(XR, np.column_stack([YR, -YR]))
    with pytest.raises(UnsupportedModelError, match="multi-target LinearRegression"):
        regression(est, Extraction(("a", "b", "c")))


def test_modified_huber_probabilities_are_refused_by_name() -> None:
    est = SGDClassifier(loss="modified_huber", random_state=0).fit(X2, Y2)
    with pytest.raises(UnsupportedModelError, match=r"SGDClassifier\(loss='modified_huber'\)"):
        assert_extracts(est, X2)
