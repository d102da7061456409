"""convert() to ONNX: verified against the estimator, saved, loaded back, refused on mismatch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.errors import DocumentError, VerificationError
from interchange.verification import Tolerance, Verification


def _iris():
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    return X, y


def test_logistic_regression_onnx_round_trip(tmp_path: Path) -> None:
    X, y = _iris()
    est = LogisticRegression(max_iter=500).fit(X, y)
    converted = interchange.convert(est, "onnx", sample=X)
    assert converted.verification.result is not None
    assert converted.verification.result.mismatches == {"label": 0}
    path = converted.save(tmp_path / "iris.onnx")
    model = interchange.load(path)
    out = model.predict(X)
    np.testing.assert_array_equal(out["label"], est.predict(X))
    np.testing.assert_allclose(
        np.column_stack([out[f"probability_{c}"] for c in range(3)]), est.predict_proba(X), rtol=1e-9, atol=1e-12
    )
    assert model.info.engine == "onnxruntime"
    assert converted.lineage["source_library"] == "scikit-learn"
    one = model.predict_one(X.iloc[0].to_dict())
    assert one["label"] == est.predict(X.iloc[:1])[0]


def test_verification_refuses_a_disagreeing_document() -> None:
    X, y = _iris()
    converted = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    other = LogisticRegression(max_iter=500, C=0.01).fit(X, y)
    wrong = interchange.convert(other, "onnx", sample=X)
    cases = Verification(converted.verification.inputs, converted.verification.expected, Tolerance())
    with pytest.raises(VerificationError) as err:
        cases.check(wrong.model)
    assert err.value.row is not None and err.value.output


@pytest.mark.parametrize("data", [b"\x08\x07garbage", b"\x08"])
def test_malformed_onnx_is_a_document_error(data: bytes) -> None:
    with pytest.raises(DocumentError):
        interchange.load(data, format="onnx")


def test_external_data_outside_model_dir_is_refused(tmp_path: Path) -> None:
    import onnx
    from onnx import helper, numpy_helper

    weights = numpy_helper.from_array(np.ones((1, 1), dtype=np.float32), "w")
    weights.ClearField("raw_data")
    weights.data_location = onnx.TensorProto.EXTERNAL
    for k, v in {"location": "../../etc/passwd", "offset": "0", "length": "4"}.items():
        weights.external_data.append(onnx.StringStringEntryProto(key=k, value=v))
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [None, 1])],
        [weights],
    )
    path = tmp_path / "m.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    with pytest.raises(DocumentError, match="outside the model's directory"):
        interchange.load(path)
