"""scikit-learn trees, forests, gradient boosting and isolation forests to IR tree ensembles."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.ensemble._iforest import _average_path_length
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.linear import Link
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import Tree, TreeEnsemble


def float32_split(threshold: np.ndarray, strict: bool = False) -> np.ndarray:
    """Thresholds ``u`` with ``x <= u`` exactly when ``float32(x) <= t`` (``< t`` if ``strict``).

    scikit-learn trees and XGBoost round inputs to float32 before comparing; with these
    thresholds a float64 evaluator takes the same branch for every input. ``float32(x) <= f``
    (``f`` the largest float32 satisfying the test) holds for ``x`` below the midpoint ``m`` of
    ``f`` and the next float32, and at ``m`` itself when round-half-even picks ``f``.
    """
    t = np.asarray(threshold, dtype=np.float64)
    f = t.astype(np.float32)
    over = f.astype(np.float64) > t if not strict else f.astype(np.float64) >= t
    f = np.where(over, np.nextafter(f, np.float32(-np.inf)), f)
    up = np.nextafter(f, np.float32(np.inf))
    m = (f.astype(np.float64) + up.astype(np.float64)) / 2.0
    even = (f.view(np.uint32) & 1) == 0
    u = np.where(even, m, np.nextafter(m, -np.inf))
    return np.where(np.isfinite(up) & np.isfinite(t), u, t)


def _tree(t: Any, values: np.ndarray) -> Tree:
    """scikit-learn's tree_: float32(x) <= threshold goes left; missing per missing_go_to_left."""
    missing = getattr(t, "missing_go_to_left", None)
    missing_left = np.asarray(missing, dtype=bool) if missing is not None else np.ones(t.node_count, dtype=bool)
    return Tree(
        t.feature.astype(np.int64),
        np.where(t.feature >= 0, float32_split(t.threshold), t.threshold),
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
    """The raw score every row starts from: zero, or a Dummy estimator's constant prediction.

    Any other ``init`` estimator predicts per row, which a constant base cannot hold (and
    ``DummyClassifier(strategy='stratified')`` predicts at random).
    """
    init = est.init_
    if isinstance(init, str) and init == "zero":
        return np.zeros(k)
    constant = isinstance(init, DummyRegressor) or (isinstance(init, DummyClassifier) and init.strategy != "stratified")
    if not constant:
        raise UnsupportedModelError(
            f"GradientBoosting with a custom init estimator ({type(init).__name__}); "
            "only init=None, 'zero' or a constant DummyRegressor / DummyClassifier has an IR form",
            estimator=type(est).__name__,
        )
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


@extractor(IsolationForest)
def isolation_forest(est: Any, state: Extraction) -> IsolationScore:
    """Leaf value = path length to the leaf + c(samples left there) - 1 (scikit-learn's sum)."""
    trees = []
    for i, (member, features) in enumerate(zip(est.estimators_, est.estimators_features_, strict=True)):
        t = member.tree_
        path = est._decision_path_lengths[i] + est._average_path_length_per_tree[i] - 1.0
        tree = _tree(t, path.reshape(-1, 1).astype(np.float64))
        mapped = np.where(tree.feature >= 0, np.asarray(features)[np.maximum(tree.feature, 0)], -1)
        trees.append(Tree(mapped, tree.threshold, tree.left, tree.right, tree.value, tree.missing_left, tree.op))
    normaliser = float(_average_path_length([est._max_samples])[0])
    if normaliser == 0:
        raise UnsupportedModelError("IsolationForest with max_samples=1", estimator="IsolationForest")
    paths = TreeEnsemble(state.columns, tuple(trees), "average")
    return IsolationScore(state.columns, paths, normaliser, float(est.offset_))
