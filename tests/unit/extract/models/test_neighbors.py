"""k-nearest-neighbour estimators to the IR NearestNeighbors step (interchange.extract.models.neighbors)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.models.neighbors import classifier
from interchange.extract.registry import Extraction

from ._agree import assert_extracts

X = np.array([[0.0, 0.0], [1.0, 0.5], [2.0, 2.5], [3.5, 1.0], [5.0, 4.0], [6.0, 0.5], [0.5, 4.0]])
Y = np.array([0, 0, 1, 1, 2, 2, 0])
XQ = np.array([[0.3, 0.2], [2.2, 2.0], [5.5, 2.0], [1.0, 3.0]])


@pytest.mark.parametrize(
    ("options", "metric", "p"),
    [
        ({}, "euclidean", 2.0),
        ({"p": 1}, "manhattan", 1.0),
        ({"metric": "l1"}, "manhattan", 1.0),
        ({"p": 3}, "minkowski", 3.0),
    ],
    ids=["minkowski2", "minkowski1", "l1", "minkowski3"],
)
def test_metric_is_named_as_the_ir_knows_it(options: dict, metric: str, p: float) -> None:
    est = KNeighborsClassifier(3, **options).fit(X, Y)
    model = assert_extracts(est, X).model
    assert (model.metric, model.p, model.k) == (metric, p, 3)


def test_distance_weighted_regression() -> None:
    est = KNeighborsRegressor(2, weights="distance").fit(X, np.arange(7.0))
    model = assert_extracts(est, XQ).model
    np.testing.assert_array_equal(model.points, X)
    assert model.weights == "distance"


@pytest.mark.parametrize(
    ("est", "named"),
    [
        (KNeighborsClassifier(2, metric="chebyshev"), r"KNeighborsClassifier\(metric='chebyshev'\)"),
        (KNeighborsClassifier(2, weights=lambda d: 1 / (1 + d)), "KNeighborsClassifier with callable weights"),
        (KNeighborsRegressor(2, metric="minkowski", metric_params={"w": np.ones(2)}), "KNeighborsRegressor with metric_params"),
    ],
    ids=["chebyshev", "callable-weights", "metric-params"],
)
def test_what_the_ir_lacks_is_refused_by_name(est: object, named: str) -> None:
    est.fit(X, Y)  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedModelError, match=named):
        assert_extracts(est, X)


def test_multi_output_is_refused() -> None:
    est = KNeighborsRegressor(2).fit(X, np.column_stack([Y, Y]))
    with pytest.raises(UnsupportedModelError, match="multi-output KNeighborsRegressor"):
        assert_extracts(est, X)


def test_multi_label_classifier_is_refused() -> None:
    """Two 0/1 label columns: classes_ is one list per label, not one class list the IR holds."""
    est = KNeighborsClassifier(2).fit(X, np.column_stack([Y % 2, (Y + 1) % 2]))
    with pytest.raises(UnsupportedModelError, match="multi-output KNeighborsClassifier"):
        classifier(est, Extraction(("a", "b")))
