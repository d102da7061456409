"""Signature inference, JSON round trip and Avro schema derivation."""

from __future__ import annotations

import io

import fastavro
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

from interchange import infer_signature
from interchange.errors import RecordError, SchemaError
from interchange.signature import InputField, OutputField, Signature


def _iris() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    return X, y.to_numpy()


def test_infer_classifier_signature() -> None:
    X, y = _iris()
    sig = infer_signature(LogisticRegression(max_iter=300).fit(X, y), X)
    assert sig.input_names == list(X.columns)
    assert [f.kind for f in sig.outputs] == ["label", "probability", "probability", "probability"]
    assert [f.target for f in sig.output("probability")] == [0, 1, 2]
    assert sig.output("label")[0].type == "integer"
    assert sig.task == "classification" and sig.classes == (0, 1, 2)


def test_infer_mixed_frame() -> None:
    frame = pd.DataFrame({"age": [1.0, np.nan, 3.0], "color": ["red", None, "blue"], "flag": [True, False, True]})
    fields = {f.name: f for f in Signature.infer_inputs(frame)}
    assert fields["age"].type == "double" and fields["age"].optype == "continuous"
    assert fields["color"].type == "string" and fields["color"].values == ("blue", "red")
    assert fields["flag"].type == "boolean"


def test_json_round_trip() -> None:
    X, y = _iris()
    sig = infer_signature(LogisticRegression(max_iter=300).fit(X, y), X)
    assert Signature.from_json(sig.to_json()) == sig


def test_avro_schemas_are_valid_and_nullable() -> None:
    X, y = _iris()
    sig = infer_signature(LinearRegression().fit(X, y), X)
    parsed_in = fastavro.parse_schema(sig.input_schema("iris"))
    parsed_out = fastavro.parse_schema(sig.output_schema("iris"))
    assert [f["type"] for f in sig.input_schema("iris")["fields"]] == [["null", "double"]] * 4
    import io

    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, parsed_out, {"prediction": 1.5, "model": {"name": "iris", "version": 1, "format": "onnx"}})
    buf.seek(0)
    assert fastavro.schemaless_reader(buf, parsed_out)["prediction"] == 1.5
    assert parsed_in["name"] == "interchange.models.iris.Input"


def test_illegal_avro_name_gets_a_legal_one_and_keeps_the_original() -> None:
    sig = Signature((InputField("petal length"),), (OutputField("prediction", "value"),))
    field = sig.input_schema("m")["fields"][0]
    assert (field["name"], field["x-interchange-name"]) == ("petal_length", "petal length")


def test_duplicate_fields_refused() -> None:
    with pytest.raises(SchemaError):
        Signature((InputField("a"), InputField("a")), ())


def test_array_inputs_are_vectors_in_avro_and_in_batches() -> None:
    """A PFA document may take ``array(double)``: one list per record, typed as float64 vectors."""
    from interchange.batch import to_columns, to_records

    sig = Signature((InputField("input", "array"),), (OutputField("output", "label", "string"),))
    schema = fastavro.parse_schema(sig.input_schema("m"))
    records = [{"input": [1.0, 2.5]}, {"input": None}, {"input": [3.0]}]
    buf = io.BytesIO()
    fastavro.writer(buf, schema, records)
    buf.seek(0)
    assert list(fastavro.reader(buf)) == records
    cols = to_columns([{"input": [1, 2.5]}, {"input": None}, {"input": "[3]"}], sig)
    assert cols["input"][0].dtype == np.float64 and cols["input"][0].tolist() == [1.0, 2.5]
    assert cols["input"][1] is None and cols["input"][2].tolist() == [3.0]
    assert to_records(cols) == records
    matrix = to_columns({"input": np.arange(6.0).reshape(3, 2)}, sig)["input"]
    assert [v.tolist() for v in matrix] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    with pytest.raises(RecordError, match="'input' must be an array of numbers"):
        to_columns([{"input": ["a"]}], sig)
