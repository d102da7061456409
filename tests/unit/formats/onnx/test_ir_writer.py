"""The double-precision ONNX writer (formats/onnx/emit): IR graphs to ONNX, tried before skl2onnx.

Trees must take the branch the source takes at its float32-rounded thresholds, missing values
must follow each split's direction, and what the IR writer cannot express must still convert
through skl2onnx, saying so in the document.
"""

from __future__ import annotations

import numpy as np
import onnx
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

import interchange
from interchange.formats.onnx.meta import IR_WRITER, META_IR_REFUSED, META_WRITER, SKL2ONNX_WRITER


def _frame(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _meta(data: bytes) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load_model_from_string(data).metadata_props}


def _float32_anywhere(model: onnx.ModelProto) -> list[str]:
    """Names of float32 inputs, outputs, initializers, tensor attributes or Casts to float."""
    found = [v.name for v in [*model.graph.input, *model.graph.output] if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT]
    found += [t.name for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT]
    for node in model.graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == onnx.TensorProto.FLOAT:
                found.append(f"{node.name}.{a.name}")
            if node.op_type == "Cast" and a.name == "to" and a.i == onnx.TensorProto.FLOAT:
                found.append(node.name)
    return found


def test_a_forest_is_one_double_tree_ensemble_opset_5() -> None:
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    frame = _frame(X)
    est = RandomForestClassifier(10, max_depth=6, random_state=0).fit(frame[:200], y[:200])
    converted = interchange.convert(est, "onnx", sample=frame[:200])
    model = onnx.load_model_from_string(converted.document.data)
    assert [n.op_type for n in model.graph.node if n.domain == "ai.onnx.ml"] == ["TreeEnsemble"]
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 5
    assert _float32_anywhere(model) == []
    assert _meta(converted.document.data)[META_WRITER] == IR_WRITER
    assert converted.verification.tolerance.rtol == 1e-9
    out = interchange.load(converted.document.data).predict(frame[200:])
    assert interchange.load(converted.document.data).info.details["writer"] == IR_WRITER
    proba = np.column_stack([out[f"probability_{c}"] for c in range(3)])
    np.testing.assert_allclose(proba, est.predict_proba(frame[200:]), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(out["label"], est.predict(frame[200:]))


def _boundary_rows(thresholds: np.ndarray, features: np.ndarray, width: int) -> np.ndarray:
    """Rows sitting on each split's float32 rounding boundary and one double step either side."""
    rows = []
    for t, j in zip(thresholds, features, strict=True):
        f = np.float32(t)
        up = np.nextafter(f, np.float32(np.inf))
        mid = (np.float64(f) + np.float64(up)) / 2.0
        for v in (t, np.float64(f), mid, np.nextafter(mid, -np.inf), np.nextafter(mid, np.inf), np.nextafter(t, np.inf)):
            row = np.zeros(width)
            row[j] = v
            rows.append(row)
    return np.array(rows)


def test_trees_take_the_sources_branch_at_float32_boundaries() -> None:
    """sklearn compares float32(x) <= t: rows on the rounding boundary must branch as sklearn does."""
    X, y = make_regression(400, 4, noise=1.0, random_state=3)
    est = DecisionTreeRegressor(max_depth=8, random_state=0).fit(_frame(X), y)
    inner = est.tree_.feature >= 0
    rows = _frame(_boundary_rows(est.tree_.threshold[inner], est.tree_.feature[inner], 4))
    # the test has teeth: a plain double comparison with sklearn's thresholds branches otherwise on some rows
    t = est.tree_.threshold[inner][np.repeat(np.arange(inner.sum()), 6)]
    x = rows.to_numpy()[np.arange(len(rows)), np.repeat(est.tree_.feature[inner], 6)]
    assert ((x <= t) != (x.astype(np.float32) <= t)).any()
    converted = interchange.convert(est, "onnx", sample=_frame(X))
    out = interchange.load(converted.document.data).predict(rows)
    np.testing.assert_array_equal(out["prediction"], est.predict(rows))


def test_xgboost_missing_values_and_boundaries_follow_xgboost() -> None:
    X, y = make_classification(400, 6, n_informative=4, random_state=1)
    X[np.random.default_rng(0).random(X.shape) < 0.15] = np.nan
    frame = _frame(X)
    est = XGBClassifier(n_estimators=20, max_depth=4).fit(frame[:300], y[:300])
    converted = interchange.convert(est, "onnx", sample=frame[:300])
    assert _meta(converted.document.data)[META_WRITER] == IR_WRITER
    assert _float32_anywhere(onnx.load_model_from_string(converted.document.data)) == []
    out = interchange.load(converted.document.data).predict(frame[300:])
    np.testing.assert_array_equal(out["label"], est.predict(frame[300:]))
    # XGBoost sums leaves in float32; the document in double: the difference is XGBoost's rounding only
    np.testing.assert_allclose(out["probability_1"], est.predict_proba(frame[300:])[:, 1], rtol=1e-5, atol=1e-6)


def test_xgboost_regressor_splits_at_float32_boundaries() -> None:
    X, y = make_regression(300, 3, noise=1.0, random_state=2)
    est = XGBRegressor(n_estimators=5, max_depth=3).fit(_frame(X), y)
    import json

    trees = json.loads(est.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    conds, feats = [], []
    for tr in trees:
        inner = np.asarray(tr["left_children"]) >= 0
        conds += np.asarray(tr["split_conditions"], dtype=np.float32)[inner].astype(np.float64).tolist()
        feats += np.asarray(tr["split_indices"])[inner].tolist()
    rows = _frame(_boundary_rows(np.array(conds), np.array(feats), 3))
    converted = interchange.convert(est, "onnx", sample=_frame(X))
    got = interchange.load(converted.document.data).predict(rows)["prediction"]
    # same leaves: differences are XGBoost's float32 sum only (a flipped branch moves by a leaf value)
    np.testing.assert_allclose(got, est.predict(rows), rtol=1e-6, atol=1e-4)


def test_missing_values_follow_each_splits_direction() -> None:
    X, y = make_classification(400, 6, n_informative=4, random_state=4)
    X[np.random.default_rng(1).random(X.shape) < 0.2] = np.nan
    frame = _frame(X)
    est = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(frame[:300], y[:300])
    converted = interchange.convert(est, "onnx", sample=frame[:300])
    out = interchange.load(converted.document.data).predict(frame[300:])
    np.testing.assert_allclose(out["probability_1"], est.predict_proba(frame[300:])[:, 1], rtol=1e-12, atol=1e-15)


def _mixed() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_classification(300, 3, n_informative=3, n_redundant=0, random_state=5)
    frame = _frame(X)
    frame["colour"] = np.where(X[:, 0] > 0, "red", np.where(X[:, 1] > 0, "green", "blue")).astype(object)
    frame.loc[np.random.default_rng(2).random(len(frame)) < 0.1, "colour"] = None
    frame.loc[np.random.default_rng(3).random(len(frame)) < 0.1, "x1"] = np.nan
    return frame, y


def test_text_inputs_impute_encode_and_ignore_unknown_categories_in_double() -> None:
    frame, y = _mixed()
    text = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    route = ColumnTransformer(
        [("num", make_pipeline(SimpleImputer(), StandardScaler()), ["x0", "x1", "x2"]), ("cat", text, ["colour"])]
    )
    est = make_pipeline(route, LogisticRegression(max_iter=500)).fit(frame[:200], y[:200])
    converted = interchange.convert(est, "onnx", sample=frame[:200])
    proto = onnx.load_model_from_string(converted.document.data)
    assert [(i.name, i.type.tensor_type.elem_type) for i in proto.graph.input] == [
        ("x0", onnx.TensorProto.DOUBLE),
        ("x1", onnx.TensorProto.DOUBLE),
        ("x2", onnx.TensorProto.DOUBLE),
        ("colour", onnx.TensorProto.STRING),
    ]
    assert _meta(converted.document.data)[META_WRITER] == IR_WRITER
    rows = frame[200:].copy()
    rows.loc[rows.index[:5], "colour"] = "purple"  # unseen: all zeros, as handle_unknown="ignore"
    out = interchange.load(converted.document.data).predict(rows)
    np.testing.assert_allclose(out["probability_1"], est.predict_proba(rows)[:, 1], rtol=1e-12, atol=1e-15)


def test_ordinal_text_with_unknown_and_missing_values() -> None:
    frame, y = _mixed()
    ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    route = ColumnTransformer([("num", "passthrough", ["x0", "x1", "x2"]), ("cat", ordinal, ["colour"])])
    est = make_pipeline(route, HistGradientBoostingClassifier(max_iter=10, random_state=0)).fit(frame[:200], y[:200])
    rows = frame[200:].copy()
    rows.loc[rows.index[:5], "colour"] = "purple"
    converted = interchange.convert(est, "onnx", sample=frame[:200])
    assert _meta(converted.document.data)[META_WRITER] == IR_WRITER
    out = interchange.load(converted.document.data).predict(rows)
    np.testing.assert_allclose(out["probability_1"], est.predict_proba(rows)[:, 1], rtol=1e-12, atol=1e-15)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # SVC(probability=True) is deprecated in scikit-learn 1.9
@pytest.mark.parametrize("classes", [2, 3, 5])
def test_svc_probabilities_are_written_in_double_with_a_coupling_loop(classes: int) -> None:
    X, y = make_classification(300, 4, n_informative=3, n_redundant=0, n_classes=classes, n_clusters_per_class=1, random_state=6)
    est = SVC(probability=True, random_state=0).fit(_frame(X[:200]), y[:200])
    converted = interchange.convert(est, "onnx", sample=_frame(X[:200]))
    assert _meta(converted.document.data)[META_WRITER] == IR_WRITER
    assert "Loop" in {n.op_type for n in onnx.load_from_string(converted.document.data).graph.node}
    out = interchange.load(converted.document.data).predict(_frame(X[200:]))
    want = est.predict_proba(_frame(X[200:]))
    for c in range(classes):
        np.testing.assert_allclose(out[f"probability_{c}"], want[:, c], rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # SVC(probability=True) is deprecated in scikit-learn 1.9
def test_what_the_ir_writer_cannot_express_goes_through_skl2onnx_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from interchange.formats.onnx.emit.builder import refuse
    from interchange.formats.onnx.emit.models import distance

    def refused(*args: object) -> str:
        raise refuse("libsvm's Platt probabilities (refused here to reach the fallback)")

    monkeypatch.setattr(distance, "svm_probabilities", refused)
    X, y = make_classification(200, 4, random_state=6)
    est = SVC(probability=True, random_state=0).fit(_frame(X), y)
    converted = interchange.convert(est, "onnx", sample=_frame(X))
    meta = _meta(converted.document.data)
    assert meta[META_WRITER] == SKL2ONNX_WRITER
    assert "Platt" in meta[META_IR_REFUSED]
    assert interchange.load(converted.document.data).info.details["writer"] == SKL2ONNX_WRITER


def test_an_emitter_registration_refuses_to_overwrite() -> None:
    from interchange.formats.onnx.emit.registry import emitter, lookup
    from interchange.ir.models.linear import Regression

    lookup(Regression((), np.zeros((1, 0)), np.zeros(1)))  # the families are loaded
    with pytest.raises(ValueError, match="already registered"):
        emitter(Regression)(lambda step, b: None)


@pytest.mark.parametrize("classes", [2, 3])
def test_forest_labels_keep_sklearns_choice_on_tied_votes(classes: int) -> None:
    """Fully grown small forests tie often (2 of 4 trees each way): the label must be sklearn's."""
    X, y = make_classification(600, 6, n_informative=4, n_classes=classes, random_state=7)
    frame = _frame(X)
    est = RandomForestClassifier(4 if classes == 2 else 5, random_state=0).fit(frame[:300], y[:300])
    proba = est.predict_proba(frame[300:])
    top = np.sort(proba, axis=1)
    assert (top[:, -1] == top[:, -2]).sum() >= 10  # the test has ties to get right
    converted = interchange.convert(est, "onnx", sample=frame[:300])
    out = interchange.load(converted.document.data).predict(frame[300:])
    np.testing.assert_array_equal(out["label"], est.predict(frame[300:]))
    got = np.column_stack([out[f"probability_{c}"] for c in range(classes)])
    np.testing.assert_allclose(got, proba, rtol=1e-12, atol=1e-15)


def _run_ir_document(graph, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Write ``graph`` with the IR writer and evaluate it through the ONNX runtime model."""
    from interchange.document import Document
    from interchange.formats.onnx.emit import write_graph
    from interchange.formats.onnx.meta import META_INPUTS, META_OUTPUTS, META_SIGNATURE

    model, inputs, outputs = write_graph(graph)
    import json

    for key, value in {
        META_SIGNATURE: graph.signature.to_json(),
        META_INPUTS: json.dumps(inputs),
        META_OUTPUTS: json.dumps(outputs),
    }.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    return interchange.load(Document("onnx", model.SerializeToString(), "application/onnx")).predict(columns)


def test_ir_trees_with_strict_splits_missing_directions_and_a_lone_leaf_match_the_ir_evaluator() -> None:
    """BRANCH_LT, both missing directions and a one-leaf tree, against ``ir.evaluate`` exactly."""
    from interchange.ir import Graph, Tree, TreeEnsemble, evaluate
    from interchange.signature import InputField, OutputField, Signature

    strict = Tree(
        np.array([0, 1, -1, -1, -1]),
        np.array([0.5, -1.0, 0, 0, 0]),
        np.array([1, 3, -1, -1, -1]),
        np.array([2, 4, -1, -1, -1]),
        np.array([[0.0], [0.0], [10.0], [1.0], [2.0]]),
        np.array([False, True, True, True, True]),
        op="<",
    )
    leaf = Tree(np.array([-1]), np.array([0.0]), np.array([-1]), np.array([-1]), np.array([[0.25]]), np.array([True]))
    sig = Signature((InputField("a", "double"), InputField("b", "double")), (OutputField("prediction", "value", "double"),))
    graph = Graph(sig, (), TreeEnsemble(("a", "b"), (strict, leaf), "sum", np.array([100.0])))
    a = np.array([0.5, np.nextafter(0.5, 0), np.nan, 0.1, 0.1, 0.1, 7.0])
    b = np.array([0.0, -1.0, -1.0, np.nan, np.nextafter(-1.0, 0), -2.0, np.nan])
    want = evaluate(graph, {"a": a, "b": b})["prediction"]
    np.testing.assert_array_equal(want, [110.25, 102.25, 110.25, 101.25, 102.25, 101.25, 110.25])
    np.testing.assert_array_equal(_run_ir_document(graph, {"a": a, "b": b})["prediction"], want)


def test_ir_one_vs_rest_link_and_distance_weighted_neighbours_match_the_ir_evaluator() -> None:
    from interchange.ir import Graph, Link, Regression, evaluate
    from interchange.ir.models.neighbors import NearestNeighbors
    from interchange.signature import InputField, OutputField, Signature

    rng = np.random.default_rng(4)
    inputs = (InputField("a", "double"), InputField("b", "double"))
    outs = (
        OutputField("label", "label", "integer"),
        *(OutputField(f"probability_{c}", "probability", "double", c) for c in range(3)),
    )
    sig = Signature(inputs, outs, (0, 1, 2), "classification")
    cols = {"a": rng.normal(size=50), "b": rng.normal(size=50)}
    ovr = Graph(sig, (), Regression(("a", "b"), rng.normal(size=(3, 2)), rng.normal(size=3), Link.OVR, (0, 1, 2)))
    points = np.vstack([rng.normal(size=(20, 2)), [[cols["a"][0], cols["b"][0]]]])  # one row sits on a stored point
    knn = Graph(sig, (), NearestNeighbors(("a", "b"), points, rng.integers(0, 3, 21), 4, weights="distance", classes=(0, 1, 2)))
    for graph in (ovr, knn):
        want, got = evaluate(graph, cols), _run_ir_document(graph, cols)
        np.testing.assert_array_equal(got["label"], want["label"])
        for c in range(3):
            np.testing.assert_allclose(got[f"probability_{c}"], want[f"probability_{c}"], rtol=1e-12, atol=1e-15)
