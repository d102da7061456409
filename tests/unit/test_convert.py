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


def test_numeric_inputs_are_one_matrix_tensor_in_signature_order() -> None:
    """One [N, k] double tensor named ``input`` (fields recorded by column), whatever the batch's column order."""
    import onnx
    import onnxruntime as ort

    X, y = _iris()
    est = LogisticRegression(max_iter=500).fit(X, y)
    converted = interchange.convert(est, "onnx", sample=X)
    proto = onnx.load_model_from_string(converted.document.data)
    assert [(i.name, i.type.tensor_type.elem_type) for i in proto.graph.input] == [("input", onnx.TensorProto.DOUBLE)]
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim][1:] == [4]
    session = ort.InferenceSession(converted.document.data, providers=["CPUExecutionProvider"])
    plain = session.run(None, {"input": X.to_numpy(np.float64)})[1]
    model = converted.model
    shuffled = X[list(reversed(X.columns))]
    for batch in (X, shuffled, X.to_numpy(), np.ascontiguousarray(X.to_numpy()), X.to_dict("records")):
        out = model.predict(batch)
        np.testing.assert_array_equal(np.column_stack([out[f"probability_{c}"] for c in range(3)]), plain)


def test_text_inputs_keep_one_tensor_per_field() -> None:
    """A ColumnTransformer pipeline with text and numbers: one [N, 1] tensor per field, as before."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = _iris()
    frame = X.assign(colour=np.where(X["sepal_length"] > 5.8, "red", "blue"))
    pre = ColumnTransformer([("num", "passthrough", list(X.columns)), ("cat", OneHotEncoder(), ["colour"])])
    est = make_pipeline(pre, LogisticRegression(max_iter=500)).fit(frame, y)
    converted = interchange.convert(est, "onnx", sample=frame)
    import onnx

    proto = onnx.load_model_from_string(converted.document.data)
    assert [i.name for i in proto.graph.input] == [*X.columns, "colour"]
    model = interchange.load(converted.document)
    np.testing.assert_array_equal(model.predict(pd.DataFrame(frame))["label"], est.predict(frame))
