"""scikit-learn trees, forests and gradient boosting to the IR TreeEnsemble step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.linear import Link
from interchange.ir.trees import Tree, TreeEnsemble


def _tree(t: Any, values: np.ndarray) -> Tree:
    """scikit-learn's tree_: x <= threshold goes left; missing goes where missing_go_to_left says."""
    missing = getattr(t, "missing_go_to_left", None)
    missing_left = np.asarray(missing, dtype=bool) if missing is not None else np.ones(t.node_count, dtype=bool)
    return Tree(
        t.feature.astype(np.int64),
        t.threshold.astype(np.float64),
        t.children_left.astype(np.int64),
        t.children_right.astype(np.int64),
        values,
        missing_left,
    )


def _members(est: Any) -> tuple[Tree, ...]:
    """The trees of a forest (or the one tree), leaf values of the single output."""
    if est.n_outputs_ != 1:
        raise UnsupportedModelError(f"multi-output {type(est).__name__} is not supported", estimator=type(est).__name__)
    members = est.estimators_ if hasattr(est, "estimators_") else [est]
    return tuple(_tree(m.tree_, m.tree_.value[:, 0, :]) for m in members)


@extractor(DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier)
def forest_classifier(est: Any, state: Extraction) -> TreeEnsemble:
    trees = _members(est)  # leaves hold class fractions; predict_proba averages them over trees
    return TreeEnsemble(state.columns, trees, "average", None, Link.IDENTITY, tuple(est.classes_.tolist()), normalize_leaves=True)


@extractor(DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor)
def forest_regressor(est: Any, state: Extraction) -> TreeEnsemble:
    trees = _members(est)
    return TreeEnsemble(state.columns, trees, "average")


def _boosting_base(est: Any, k: int) -> np.ndarray:
    init = est.init_
    if init == "zero":
        return np.zeros(k)
    if not hasattr(est, "_raw_predict_init"):
        raise UnsupportedModelError("GradientBoosting with a custom init estimator", estimator=type(est).__name__)
    return np.asarray(est._raw_predict_init(np.zeros((1, est.n_features_in_)))[0], dtype=np.float64)


@extractor(GradientBoostingRegressor)
def gb_regressor(est: Any, state: Extraction) -> TreeEnsemble:
    if est.loss not in ("squared_error", "absolute_error", "huber", "quantile"):
        raise UnsupportedModelError(f"GradientBoostingRegressor(loss={est.loss!r})", estimator="GradientBoostingRegressor")
    lr = est.learning_rate
    trees = tuple(_tree(m.tree_, m.tree_.value[:, 0, :] * lr) for m in est.estimators_[:, 0])
    return TreeEnsemble(state.columns, trees, "sum", _boosting_base(est, 1))


@extractor(GradientBoostingClassifier)
def gb_classifier(est: Any, state: Extraction) -> TreeEnsemble:
    if est.loss != "log_loss":
        raise UnsupportedModelError(f"GradientBoostingClassifier(loss={est.loss!r})", estimator="GradientBoostingClassifier")
    lr, k = est.learning_rate, est.estimators_.shape[1]
    classes = tuple(est.classes_.tolist())
    # One tree per class per stage; tree j of every stage adds to class j's raw score.
    trees = []
    for stage in est.estimators_:
        for j, m in enumerate(stage):
            v = np.zeros((m.tree_.node_count, k))
            v[:, j] = m.tree_.value[:, 0, 0] * lr
            trees.append(_tree(m.tree_, v))
    return TreeEnsemble(
        state.columns, tuple(trees), "sum", _boosting_base(est, k), Link.LOGISTIC if k == 1 else Link.SOFTMAX, classes
    )
