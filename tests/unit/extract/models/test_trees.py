"""scikit-learn trees and forests to IR tree ensembles (interchange.extract.models.trees)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.models.trees import float32_split, forest_classifier
from interchange.extract.registry import Extraction

from ._agree import assert_extracts

X, Y = make_classification(80, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)


def test_float32_split_agrees_with_float32_rounding_at_the_edges() -> None:
    """For each float64 threshold t, x <= u exactly when float32(x) <= t (scikit-learn's test), at u and its neighbours."""
    t = np.array([0.1, 1.0 / 3.0, 2.5, -7.3, 1e-30, float(np.float32(0.7))])
    u = float32_split(t)
    for ti, ui in zip(t, u, strict=True):
        for x in (ui, np.nextafter(ui, np.inf), np.nextafter(ui, -np.inf)):
            assert (x <= ui) == (float(np.float32(x)) <= ti), (ti, x)


def test_float32_split_strict_for_less_than() -> None:
    """XGBoost's split conditions are float32 and go left when float32(x) < t."""
    t = np.array([0.1, 2.5, -7.3], dtype=np.float32).astype(np.float64)
    u = float32_split(t, strict=True)
    for ti, ui in zip(t, u, strict=True):
        for x in (ui, np.nextafter(ui, np.inf), np.nextafter(ui, -np.inf)):
            assert (x <= ui) == (float(np.float32(x)) < ti), (ti, x)


def test_infinite_thresholds_stay() -> None:
    assert float32_split(np.array([np.inf, -np.inf])).tolist() == [np.inf, -np.inf]


def test_a_tree_on_float32_boundaries() -> None:
    """Inputs on either side of a split in float32 but not float64 go where scikit-learn sends them."""
    est = DecisionTreeRegressor(max_depth=1).fit([[0.0], [0.1], [0.2], [0.3]], [0.0, 0.0, 1.0, 1.0])
    t = est.tree_.threshold[0]
    f = float(np.float32(t))
    near = np.array([[np.nextafter(t, -1)], [t], [np.nextafter(t, 1)], [f], [np.nextafter(f, 1)]])
    assert_extracts(est, near)


@pytest.mark.parametrize(
    "est",
    [DecisionTreeClassifier(max_depth=3, random_state=0), RandomForestClassifier(5, max_depth=3, random_state=0)],
    ids=["tree", "forest"],
)
def test_classifiers_average_leaf_fractions(est: object) -> None:
    est.fit(X, Y)  # type: ignore[attr-defined]
    assert assert_extracts(est, X).model.normalize_leaves is True


def test_regressor_forest() -> None:
    assert_extracts(ExtraTreesRegressor(4, max_depth=4, random_state=0).fit(X, X[:, 0] * 2), X)


@pytest.mark.parametrize("loss", ["squared_error", "huber", "quantile"])
def test_gradient_boosting_regressor_base_and_shrinkage(loss: str) -> None:
    assert_extracts(GradientBoostingRegressor(loss=loss, n_estimators=5, max_depth=2, random_state=0).fit(X, X[:, 1]), X)


@pytest.mark.parametrize("y", [Y, Y % 2], ids=["multiclass", "binary"])
def test_gradient_boosting_classifier(y: np.ndarray) -> None:
    assert_extracts(GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0).fit(X, y), X)


def test_gradient_boosting_exponential_loss_is_refused_by_name() -> None:
    est = GradientBoostingClassifier(loss="exponential", n_estimators=2).fit(X, Y % 2)
    with pytest.raises(UnsupportedModelError, match=r"GradientBoostingClassifier\(loss='exponential'\)"):
        assert_extracts(est, X)


def test_gradient_boosting_custom_init_is_refused_by_name() -> None:
    est = GradientBoostingRegressor(init=DecisionTreeRegressor(max_depth=1), n_estimators=2).fit(X, X[:, 1])
    with pytest.raises(UnsupportedModelError, match="GradientBoosting with a custom init estimator"):
        assert_extracts(est, X)


def test_gradient_boosting_stratified_dummy_init_is_refused_by_name() -> None:
    """DummyClassifier(strategy='stratified') predicts at random: no constant base holds it."""
    est = GradientBoostingClassifier(init=DummyClassifier(strategy="stratified"), n_estimators=2, random_state=0).fit(X, Y)
    with pytest.raises(UnsupportedModelError, match="GradientBoosting with a custom init estimator \\(DummyClassifier\\)"):
        assert_extracts(est, X)


@pytest.mark.parametrize(
    "est",
    [
        GradientBoostingRegressor(init=DummyRegressor(strategy="constant", constant=3.5), n_estimators=3, max_depth=2),
        GradientBoostingRegressor(init="zero", n_estimators=3, max_depth=2),
    ],
    ids=["dummy-constant", "zero"],
)
def test_gradient_boosting_constant_init_is_extracted(est: object) -> None:
    assert_extracts(est.fit(X, X[:, 1]), X)  # type: ignore[attr-defined]


def test_gradient_boosting_classifier_uniform_dummy_init_is_extracted() -> None:
    est = GradientBoostingClassifier(init=DummyClassifier(strategy="uniform"), n_estimators=3, max_depth=2, random_state=0)
    assert_extracts(est.fit(X, Y), X)


@pytest.mark.parametrize("cls", [DecisionTreeClassifier, RandomForestClassifier], ids=lambda c: c.__name__)
def test_multi_label_tree_classifier_is_refused_by_name(cls: type) -> None:
    """Two 0/1 label columns: classes_ becomes a list per output, which the IR's one class list cannot hold."""
    est = cls(max_depth=2, random_state=0).fit(X, np.column_stack([Y % 2, (Y + 1) % 2]))
    with pytest.raises(UnsupportedModelError, match=f"multi-output {cls.__name__}"):
        forest_classifier(est, Extraction(("a", "b", "c", "d")))


def test_isolation_forest_scores() -> None:
    est = IsolationForest(n_estimators=5, max_samples=16, max_features=0.75, random_state=0).fit(X)
    assert_extracts(est, X)


def test_multi_output_tree_is_refused_by_name() -> None:
    est = DecisionTreeRegressor(max_depth=2).fit(X, np.column_stack([X[:, 0], X[:, 1]]))
    with pytest.raises(UnsupportedModelError, match="multi-output DecisionTreeRegressor"):
        assert_extracts(est, X)
