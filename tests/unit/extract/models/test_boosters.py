"""Histogram boosting, XGBoost and LightGBM to IR tree ensembles (interchange.extract.models.boosters)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from interchange.batch import to_columns
from interchange.convert import infer_signature
from interchange.errors import UnsupportedModelError
from interchange.extract import to_graph
from interchange.ir.graph import evaluate

from ._agree import assert_extracts

X, Y = make_classification(100, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
X_MISSING = X.copy()
X_MISSING[::7, 1] = np.nan


@pytest.mark.parametrize("y", [Y, Y % 2], ids=["multiclass", "binary"])
def test_hist_classifier_with_missing_values(y: np.ndarray) -> None:
    est = HistGradientBoostingClassifier(max_iter=5, max_depth=3, random_state=0).fit(X_MISSING, y)
    assert_extracts(est, X_MISSING)


def test_hist_regressor() -> None:
    assert_extracts(HistGradientBoostingRegressor(max_iter=5, random_state=0).fit(X_MISSING, X[:, 0]), X_MISSING)


def test_hist_poisson_is_refused_by_name() -> None:
    est = HistGradientBoostingRegressor(loss="poisson", max_iter=2).fit(X, np.abs(X[:, 0]))
    with pytest.raises(UnsupportedModelError, match="HistGradientBoostingRegressor with loss='poisson'"):
        assert_extracts(est, X)


def test_hist_categorical_features_are_refused_by_name() -> None:
    Xc = np.column_stack([X[:, :3], (X[:, 3] > 0).astype(float)])
    est = HistGradientBoostingClassifier(max_iter=2, categorical_features=[3]).fit(Xc, Y)
    with pytest.raises(UnsupportedModelError, match="HistGradientBoostingClassifier with categorical features"):
        assert_extracts(est, Xc)


def test_xgboost_regressor_against_its_own_leaves() -> None:
    """XGBoost sums in float32; its leaf indices (pred_leaf) summed in float64 are the exact reference."""
    xgb = pytest.importorskip("xgboost")
    est = xgb.XGBRegressor(n_estimators=4, max_depth=2, base_score=0.25).fit(X_MISSING, X[:, 0])
    leaves = est.get_booster().predict(xgb.DMatrix(X_MISSING), pred_leaf=True).astype(int)
    trees = json.loads(est.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    values = [np.asarray(t["split_conditions"], dtype=np.float32).astype(np.float64) for t in trees]
    expected = 0.25 + sum(values[i][leaves[:, i]] for i in range(len(trees)))
    sig = infer_signature(est, X_MISSING)
    got = evaluate(to_graph(est, sig), to_columns(X_MISSING, sig))
    np.testing.assert_allclose(got[sig.outputs[0].name], expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("y", [Y, Y % 2], ids=["multiclass", "binary"])
def test_xgboost_classifier_to_float32_precision(y: np.ndarray) -> None:
    """XGBoost's probabilities are float32: compared at float32 precision (the source's own rounding)."""
    xgb = pytest.importorskip("xgboost")
    est = xgb.XGBClassifier(n_estimators=4, max_depth=2).fit(X, y)
    assert_extracts(est, X, rtol=1e-5, atol=1e-6)


def test_xgboost_linear_booster_is_refused_by_name() -> None:
    xgb = pytest.importorskip("xgboost")
    est = xgb.XGBRegressor(booster="gblinear", n_estimators=2).fit(X, X[:, 0])
    with pytest.raises(UnsupportedModelError, match="XGBRegressor with booster='gblinear'"):
        assert_extracts(est, X)


def test_xgboost_multi_label_classifier_is_refused_by_name() -> None:
    """Two 0/1 label columns: classes_ is [0, 1] as for a binary classifier; num_target tells them apart."""
    xgb = pytest.importorskip("xgboost")
    est = xgb.XGBClassifier(n_estimators=2, max_depth=2, tree_method="hist").fit(X, np.column_stack([Y % 2, (Y + 1) % 2]))
    with pytest.raises(UnsupportedModelError, match="XGBClassifier with several targets"):
        to_graph(est, infer_signature(est, X))


@pytest.mark.parametrize("y", [Y, Y % 2], ids=["multiclass", "binary"])
def test_lightgbm_classifier(y: np.ndarray) -> None:
    lgb = pytest.importorskip("lightgbm")
    est = lgb.LGBMClassifier(n_estimators=4, num_leaves=4, min_child_samples=5, verbose=-1).fit(X_MISSING, y)
    assert_extracts(est, X_MISSING)


def test_lightgbm_poisson_is_refused_by_name() -> None:
    lgb = pytest.importorskip("lightgbm")
    est = lgb.LGBMRegressor(objective="poisson", n_estimators=2, verbose=-1).fit(X, np.abs(X[:, 0]))
    with pytest.raises(UnsupportedModelError, match="LGBMRegressor with objective='poisson"):
        assert_extracts(est, X)
