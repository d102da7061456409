"""Histogram gradient boosting, XGBoost and LightGBM to the IR TreeEnsemble step.

Each library's own tree dump is read (sklearn's ``_predictors``, XGBoost's JSON model,
LightGBM's ``dump_model``); splits become ``x <= u`` with the library's missing-value
direction, and the objective decides the link. Options whose semantics the IR lacks
(categorical splits, zero-as-missing, objectives other than the common ones) are refused.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from interchange.errors import UnsupportedModelError
from interchange.extract.models.trees import float32_split
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.linear import Link
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

# XGBoost rounds inputs and sums leaves in float32: its own predictions carry that rounding.
FLOAT32_SUMS = "XGBoost adds leaf values and applies the link in float32"  # its own outputs carry that rounding


def _refuse(est: Any, what: str) -> UnsupportedModelError:
    name = type(est).__name__
    return UnsupportedModelError(f"{name} with {what} has no IR form yet; ONNX may take it", estimator=name)


def _one_hot_value(values: np.ndarray, k: int, j: int) -> np.ndarray:
    out = np.zeros((len(values), k))
    out[:, j] = values
    return out


def _link(k: int) -> Link:
    return Link.LOGISTIC if k == 1 else Link.SOFTMAX


# --- scikit-learn HistGradientBoosting ------------------------------------------------------


def _hist_tree(nodes: np.ndarray, k: int, j: int) -> Tree:
    if np.any(nodes["is_categorical"]):
        raise UnsupportedModelError("categorical splits", estimator="HistGradientBoosting")
    leaf = nodes["is_leaf"].astype(bool)
    return Tree(
        np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64),
        nodes["num_threshold"].astype(np.float64),  # compared with float64 inputs, no rounding
        np.where(leaf, -1, nodes["left"]).astype(np.int64),
        np.where(leaf, -1, nodes["right"]).astype(np.int64),
        _one_hot_value(np.where(leaf, nodes["value"], 0.0), k, j),  # shrinkage is already applied
        nodes["missing_go_to_left"].astype(bool),
    )


def _hist(est: Any, state: Extraction, classes: tuple[Any, ...] | None) -> TreeEnsemble:
    if getattr(est, "_preprocessor", None) is not None or np.any(getattr(est, "is_categorical_", None) or False):
        raise _refuse(est, "categorical features")
    k = len(est._predictors[0])
    trees = tuple(_hist_tree(p.nodes, k, j) for stage in est._predictors for j, p in enumerate(stage))
    base = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(-1)
    if classes is None:
        if est.loss not in ("squared_error", "absolute_error", "quantile"):
            raise _refuse(est, f"loss={est.loss!r} (a non-identity link)")
        return TreeEnsemble(state.columns, trees, "sum", base)
    return TreeEnsemble(state.columns, trees, "sum", base, _link(k), classes)


@extractor(HistGradientBoostingRegressor)
def hist_regressor(est: Any, state: Extraction) -> TreeEnsemble:
    return _hist(est, state, None)


@extractor(HistGradientBoostingClassifier)
def hist_classifier(est: Any, state: Extraction) -> TreeEnsemble:
    return _hist(est, state, tuple(est.classes_.tolist()))


# --- XGBoost --------------------------------------------------------------------------------


def _xgb_tree(t: dict[str, Any], k: int, j: int) -> Tree:
    if any(int(s) != 0 for s in t.get("split_type", [])):
        raise UnsupportedModelError("XGBoost categorical splits have no IR form yet", estimator="XGBoost")
    left = np.asarray(t["left_children"], dtype=np.int64)
    leaf = left < 0
    cond = np.asarray(t["split_conditions"], dtype=np.float32).astype(np.float64)
    return Tree(
        np.where(leaf, -1, np.asarray(t["split_indices"], dtype=np.int64)),
        np.where(leaf, 0.0, float32_split(cond, strict=True)),  # XGBoost: float32(x) < t goes left
        left,
        np.asarray(t["right_children"], dtype=np.int64),
        _one_hot_value(np.where(leaf, cond, 0.0), k, j),  # a leaf's split_condition is its value
        np.asarray(t["default_left"], dtype=bool),
    )


def _xgb(est: Any, state: Extraction, classes: tuple[Any, ...] | None) -> TreeEnsemble:
    model = json.loads(est.get_booster().save_raw("json"))["learner"]
    booster = model["gradient_booster"]
    if booster["name"] != "gbtree":
        raise _refuse(est, f"booster={booster['name']!r}")
    objective = model["objective"]["name"]
    param = model["learner_model_param"]
    k = max(int(param.get("num_class", "0")), 1)
    if int(param.get("num_target", "1")) != 1:
        raise _refuse(est, "several targets")
    trees_json = booster["model"]["trees"]
    info = booster["model"]["tree_info"]
    limit = getattr(est, "best_iteration", None)
    if limit is not None and len(trees_json) > (limit + 1) * k:
        raise _refuse(est, "early stopping (predict uses best_iteration)")
    trees = tuple(_xgb_tree(t, k, int(j)) for t, j in zip(trees_json, info, strict=True))
    base = np.asarray(json.loads(param["base_score"]) if param["base_score"].startswith("[") else [param["base_score"]], float)
    if objective in ("reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror") and classes is None:
        return TreeEnsemble(state.columns, trees, "sum", base, source_rounding=FLOAT32_SUMS)
    if objective in ("binary:logistic", "reg:logistic") and classes is not None and k == 1:
        margin = np.log(base / (1 - base))
        return TreeEnsemble(state.columns, trees, "sum", margin, Link.LOGISTIC, classes, source_rounding=FLOAT32_SUMS)
    if objective in ("multi:softprob", "multi:softmax") and classes is not None and k > 1:
        margin = np.broadcast_to(base, (k,)).copy()
        return TreeEnsemble(state.columns, trees, "sum", margin, Link.SOFTMAX, classes, source_rounding=FLOAT32_SUMS)
    raise _refuse(est, f"objective={objective!r}")


# --- LightGBM -------------------------------------------------------------------------------


def _lgbm_tree(root: dict[str, Any], k: int, j: int) -> Tree:
    rows: list[list[Any]] = []  # feature, threshold, left, right, value, missing_left

    def visit(node: dict[str, Any]) -> int:
        i = len(rows)
        if "leaf_value" in node:
            rows.append([-1, 0.0, -1, -1, float(node["leaf_value"]), True])
            return i
        if node.get("decision_type") != "<=":
            raise UnsupportedModelError("LightGBM categorical splits have no IR form yet", estimator="LightGBM")
        threshold, missing = float(node["threshold"]), node.get("missing_type", "None")
        if missing == "Zero":
            raise UnsupportedModelError("LightGBM zero_as_missing splits have no IR form", estimator="LightGBM")
        # missing_type None: LightGBM reads a missing value as 0.0 and compares it.
        missing_left = bool(node.get("default_left")) if missing == "NaN" else 0.0 <= threshold
        rows.append([int(node["split_feature"]), threshold, -1, -1, 0.0, missing_left])
        rows[i][2] = visit(node["left_child"])
        rows[i][3] = visit(node["right_child"])
        return i

    visit(root)
    cols = list(zip(*rows, strict=True))
    return Tree(
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.float64),
        np.asarray(cols[2], dtype=np.int64),
        np.asarray(cols[3], dtype=np.int64),
        _one_hot_value(np.asarray(cols[4], dtype=np.float64), k, j),
        np.asarray(cols[5], dtype=bool),
    )


def _lgbm(est: Any, state: Extraction, classes: tuple[Any, ...] | None) -> TreeEnsemble:
    dump = est.booster_.dump_model()
    objective = str(dump.get("objective", "")).split()
    k = int(dump.get("num_tree_per_iteration", 1))
    best = est.booster_.best_iteration
    infos = dump["tree_info"][: best * k] if best and best > 0 else dump["tree_info"]
    trees = tuple(_lgbm_tree(t["tree_structure"], k, i % k) for i, t in enumerate(infos))
    name = objective[0] if objective else ""
    if name in ("regression", "regression_l1", "huber", "fair", "quantile") and classes is None:
        return TreeEnsemble(state.columns, trees, "sum")
    if name == "binary" and classes is not None and "sigmoid:1" in objective:
        return TreeEnsemble(state.columns, trees, "sum", None, Link.LOGISTIC, classes)
    if name == "multiclass" and classes is not None:
        return TreeEnsemble(state.columns, trees, "sum", None, Link.SOFTMAX, classes)
    raise _refuse(est, f"objective={' '.join(objective)!r}")


def _register_optional() -> None:
    """XGBoost and LightGBM are optional: register them only when installed."""
    try:
        from xgboost import XGBClassifier, XGBRegressor
    except ImportError:
        pass
    else:
        extractor(XGBRegressor)(lambda est, state: _xgb(est, state, None))
        extractor(XGBClassifier)(lambda est, state: _xgb(est, state, tuple(est.classes_.tolist())))
    try:
        from lightgbm import LGBMClassifier, LGBMRegressor
    except ImportError:
        pass
    else:
        extractor(LGBMRegressor)(lambda est, state: _lgbm(est, state, None))
        extractor(LGBMClassifier)(lambda est, state: _lgbm(est, state, tuple(est.classes_.tolist())))


_register_optional()
