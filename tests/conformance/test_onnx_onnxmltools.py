"""ONNX documents written at test time by a third-party tool (onnxmltools) load behind the one interface.

interchange did not write these documents, so their signature is read off the graph: labels,
per-class probabilities (from a ``[N, k]`` tensor or from ZipMap's maps) with their class as
target. ``Model.predict`` must give exactly what a plain onnxruntime session gives (same runtime,
one thread, so bit-equal), and agree with the source estimator within float32 tolerance
(rtol 1e-4 / atol 1e-5: ai.onnx.ml TreeEnsemble and LinearClassifier compute in float32).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.linear_model import LogisticRegression

import interchange

RTOL, ATOL = 1e-4, 1e-5


def _iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y


def _iris_text() -> tuple[np.ndarray, np.ndarray]:
    X, y = _iris()
    return X, np.array(["setosa", "versicolor", "virginica"])[y]


def _binary() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(400, 6, random_state=0)
    return X.astype(np.float32), y


def _regression() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_regression(400, 6, noise=5.0, random_state=0)
    return X.astype(np.float32), y


def _convert(kind: str, est: Any, width: int, **options: Any) -> bytes:
    import onnxmltools

    if kind == "sklearn":  # onnxmltools hands scikit-learn models to skl2onnx, which wants its own types
        from skl2onnx.common.data_types import FloatTensorType
    else:
        from onnxmltools.convert.common.data_types import FloatTensorType
    convert = {
        "lightgbm": onnxmltools.convert_lightgbm,
        "xgboost": onnxmltools.convert_xgboost,
        "sklearn": onnxmltools.convert_sklearn,
    }
    types = [("input", FloatTensorType([None, width]))]
    return convert[kind](est, initial_types=types, target_opset=15, **options).SerializeToString()


def _lgbm_classifier() -> Any:
    import lightgbm

    return lightgbm.LGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1, random_state=0)


def _lgbm_regressor() -> Any:
    import lightgbm

    return lightgbm.LGBMRegressor(n_estimators=20, num_leaves=8, verbose=-1, random_state=0)


def _xgb_classifier() -> Any:
    import xgboost

    return xgboost.XGBClassifier(n_estimators=20, max_depth=3, random_state=0)


def _xgb_regressor() -> Any:
    import xgboost

    return xgboost.XGBRegressor(n_estimators=20, max_depth=3, random_state=0)


CASES: dict[str, tuple[Callable[[], Any], Callable[[], Any], str, dict[str, Any]]] = {
    "lightgbm-classifier-zipmap": (_iris, _lgbm_classifier, "lightgbm", {}),
    "lightgbm-classifier-text-labels-tensor": (_iris_text, _lgbm_classifier, "lightgbm", {"zipmap": False}),
    "lightgbm-regressor": (_regression, _lgbm_regressor, "lightgbm", {}),
    "xgboost-classifier-binary": (_binary, _xgb_classifier, "xgboost", {}),
    "xgboost-classifier-multiclass": (_iris, _xgb_classifier, "xgboost", {}),
    "xgboost-regressor": (_regression, _xgb_regressor, "xgboost", {}),
    "sklearn-logistic-zipmap": (_iris_text, lambda: LogisticRegression(max_iter=500), "sklearn", {}),
}


def _plain_session(document: bytes, X: np.ndarray) -> dict[str, Any]:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(document, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": X}), strict=True))


@pytest.mark.parametrize("case", list(CASES), ids=[f"{c}-onnx-onnxmltools" for c in CASES])
def test_onnxmltools_document_loads_and_agrees(case: str) -> None:
    data, factory, kind, options = CASES[case]
    X, y = data()
    est = factory().fit(X, y)
    document = _convert(kind, est, X.shape[1], **options)
    model = interchange.load(document)
    assert model.info.engine == "onnxruntime"
    sig = model.signature
    assert [f.name for f in sig.inputs] == [f"input_{i}" for i in range(X.shape[1])]
    got = model.predict({f"input_{i}": X[:, i] for i in range(X.shape[1])})
    plain = _plain_session(document, X)

    if hasattr(est, "classes_"):
        classes = [c.item() if hasattr(c, "item") else c for c in est.classes_]
        (label,) = sig.output("label")
        np.testing.assert_array_equal(np.asarray(got[label.name]), np.asarray(plain[label.name]).reshape(-1))
        probs = sig.output("probability")
        assert [f.target for f in probs] == classes, "probability columns name the estimator's classes"
        assert sig.classes == tuple(classes) and sig.task == "classification"
        mine = np.column_stack([got[f.name] for f in probs])
        raw = plain[probs[0].name.rsplit("_", 1)[0]]
        direct = np.array([[row[c] for c in classes] for row in raw]) if isinstance(raw, list) else np.asarray(raw)
        np.testing.assert_array_equal(mine, direct.astype(np.float64))
        expected = est.predict_proba(X)
        np.testing.assert_allclose(mine, expected, rtol=RTOL, atol=ATOL)
        top = np.sort(expected, axis=1)
        clear = top[:, -1] - top[:, -2] > 2 * ATOL  # rows whose winner a float32 rounding cannot change
        assert clear.mean() > 0.9
        np.testing.assert_array_equal(np.asarray(got[label.name])[clear], est.predict(X)[clear])
    else:
        (value,) = sig.outputs
        assert value.kind == "value"
        np.testing.assert_array_equal(got[value.name], np.asarray(plain[value.name], dtype=np.float64).reshape(-1))
        np.testing.assert_allclose(got[value.name], est.predict(X), rtol=RTOL, atol=ATOL * np.abs(y).max())
