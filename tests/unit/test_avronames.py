"""Legal Avro names for any column names: deterministic, collision-free, reversible, and a no-op for legal names."""

from __future__ import annotations

import io
import json

import fastavro
import pytest

from interchange.avronames import ORIGINAL, field_map, is_legal, legal_name, original_names, rename
from interchange.errors import SchemaError
from interchange.kafka.registry.client import incompatible_fields
from interchange.kafka.registry.wire import AvroCodec
from interchange.signature import InputField, OutputField, Signature

IRIS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("sepal length (cm)", "sepal_length_cm"),
        ("2nd dose", "_2nd_dose"),
        ("a.b", "a_b"),
        ("a-b", "a_b"),
        ("café", "cafe"),
        ("größe", "gro_e"),
        ("温度", "field"),
        ("(", "field"),
        ("", "field"),
        ("x__y z", "x__y_z"),
        ("_private", "_private"),
        ("probability_Iris-setosa", "probability_Iris_setosa"),
    ],
)
def test_legal_name(text: str, name: str) -> None:
    assert legal_name(text) == name
    assert is_legal(name)


@pytest.mark.parametrize("name", ["x", "_x", "sepal_length", "A1", "x_", "__", "probability_0"])
def test_legal_names_map_to_themselves(name: str) -> None:
    assert legal_name(name) == name
    assert field_map([name]) == {name: name}


def test_iris_columns() -> None:
    assert list(field_map(IRIS).values()) == ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]


def test_collisions_get_suffixes_and_legal_names_never_move() -> None:
    names = ["a b", "a-b", "a_b", "a.b", "a_b_2"]
    got = field_map(names)
    assert got == {"a b": "a_b_3", "a-b": "a_b_4", "a_b": "a_b", "a.b": "a_b_5", "a_b_2": "a_b_2"}
    assert len(set(got.values())) == len(names)
    assert all(is_legal(v) for v in got.values())
    assert field_map(names) == got  # deterministic


def test_reserved_names_are_avoided() -> None:
    assert field_map(["model", "a b", "label"], reserved=["model", "a_b"]) == {
        "model": "model_2",
        "a b": "a_b_2",
        "label": "label",
    }


def test_duplicates_are_refused() -> None:
    with pytest.raises(SchemaError) as err:
        field_map(["a", "b", "a"])
    assert err.value.field == "a"


def test_rename_round_trip() -> None:
    names = field_map(IRIS + ["id"])
    row = {c: float(i) for i, c in enumerate(IRIS)} | {"id": 7.0}
    back = {v: k for k, v in names.items()}
    assert rename(rename(row, names), back) == row
    assert set(rename(row, names)) == {"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm", "id"}


def _iris_signature(inputs: list[str]) -> Signature:
    return Signature(
        tuple(InputField(n) for n in inputs),
        (
            OutputField("label", "label", "string"),
            OutputField("probability(Iris-setosa)", "probability", "double", "Iris-setosa"),
        ),
        classes=("Iris-setosa",),
        task="classification",
    )


def test_signature_schemas_keep_the_original_names() -> None:
    sig = _iris_signature(IRIS)
    schema = sig.input_schema("iris")
    fastavro.parse_schema(schema)  # legal Avro
    assert schema["fields"][0] == {
        "name": "sepal_length_cm",
        "type": ["null", "double"],
        "default": None,
        ORIGINAL: "sepal length (cm)",
    }
    assert original_names(schema) == {v: k for k, v in sig.input_field_map().items()}
    out = sig.output_schema("iris")
    assert [f["name"] for f in out["fields"]] == ["label", "probability_Iris_setosa", "model", "source"]
    assert original_names(out) == {"probability_Iris_setosa": "probability(Iris-setosa)"}


def test_legal_signatures_keep_their_schemas_byte_for_byte() -> None:
    """Input: computed with the code before name mapping, published subjects must not change. Output: the
    schema with lineage fields (``model.sha256``, ``model.role``, ``source``), all nullable with a null default."""
    sig = Signature(
        (
            InputField("sepal_length"),
            InputField("color", "string", "categorical", ("a", "b"), nullable=False),
            InputField("n", "integer"),
        ),
        (OutputField("label", "label", "string"), OutputField("probability_Iris_setosa", "probability", "double", "Iris-setosa")),
        classes=("Iris-setosa",),
        task="classification",
    )
    assert json.dumps(sig.input_schema("iris")) == (
        '{"type": "record", "name": "Input", "namespace": "interchange.models.iris", "doc": "Feature event for model iris", '
        '"fields": [{"name": "sepal_length", "type": ["null", "double"], "default": null}, '
        '{"name": "color", "type": "string"}, {"name": "n", "type": ["null", "long"], "default": null}]}'
    )
    assert json.dumps(sig.output_schema("iris")) == (
        '{"type": "record", "name": "Output", "namespace": "interchange.models.iris", "doc": "Prediction of model iris", '
        '"fields": [{"name": "label", "type": ["null", "string"], "default": null}, '
        '{"name": "probability_Iris_setosa", "type": ["null", "double"], "default": null}, '
        '{"name": "model", "type": {"type": "record", "name": "ModelRef", "fields": [{"name": "name", "type": "string"}, '
        '{"name": "version", "type": "int"}, {"name": "format", "type": "string"}, '
        '{"name": "sha256", "type": ["null", "string"], "default": null}, '
        '{"name": "role", "type": ["null", {"type": "enum", "name": "Role", "symbols": ["base", "canary", "shadow"], '
        '"doc": "How the scorer served this version"}], "default": null}]}}, '
        '{"name": "source", "type": ["null", {"type": "record", "name": "Source", '
        '"doc": "The feature event this prediction scored", "fields": [{"name": "topic", "type": "string"}, '
        '{"name": "partition", "type": "int"}, {"name": "offset", "type": "long"}]}], "default": null}]}'
    )


# The output schema every release before the lineage fields registered (for the same signature as above).
OLD_OUTPUT = json.loads(
    '{"type": "record", "name": "Output", "namespace": "interchange.models.iris", "doc": "Prediction of model iris", '
    '"fields": [{"name": "label", "type": ["null", "string"], "default": null}, '
    '{"name": "probability_Iris_setosa", "type": ["null", "double"], "default": null}, '
    '{"name": "model", "type": {"type": "record", "name": "ModelRef", "fields": [{"name": "name", "type": "string"}, '
    '{"name": "version", "type": "int"}, {"name": "format", "type": "string"}]}}]}'
)


def test_old_and_new_output_schemas_resolve_both_ways() -> None:
    """Avro resolution between the output schema before and after the lineage fields: a new reader fills
    them with null from old predictions, an old reader skips them in new ones."""
    sig = Signature(
        (InputField("x"),),
        (OutputField("label", "label", "string"), OutputField("probability_Iris_setosa", "probability", "double", "Iris-setosa")),
    )
    new, old = fastavro.parse_schema(sig.output_schema("iris")), fastavro.parse_schema(OLD_OUTPUT)
    ref = {"name": "iris", "version": 2, "format": "onnx"}
    source = {"topic": "iris-features", "partition": 1, "offset": 2**40}
    row = {
        "label": "a",
        "probability_Iris_setosa": 0.25,
        "model": {**ref, "sha256": "f" * 64, "role": "shadow"},
        "source": source,
    }
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, new, row)
    assert fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), new, old) == {
        "label": "a",
        "probability_Iris_setosa": 0.25,
        "model": ref,
    }
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, old, {"label": "a", "probability_Iris_setosa": 0.25, "model": ref})
    assert fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), old, new) == {
        "label": "a",
        "probability_Iris_setosa": 0.25,
        "model": {**ref, "sha256": None, "role": None},
        "source": None,
    }
    assert incompatible_fields(OLD_OUTPUT, sig.output_schema("iris"), "BACKWARD") == []


def test_codec_speaks_original_names() -> None:
    sig = _iris_signature(IRIS + ["sepal_length_cm"])  # a legal column holding the name the first would take
    schema = sig.input_schema("iris")
    assert [f["name"] for f in schema["fields"]][:1] + [schema["fields"][-1]["name"]] == ["sepal_length_cm_2", "sepal_length_cm"]
    codec = AvroCodec(schema, 1, lambda i: schema)
    row = {
        "sepal length (cm)": 5.1,
        "sepal width (cm)": 3.5,
        "petal length (cm)": 1.4,
        "petal width (cm)": 0.2,
        "sepal_length_cm": 9.0,
    }
    data = codec.encode(row)
    assert codec.decode(data) == row
    raw = fastavro.schemaless_reader(io.BytesIO(data[5:]), fastavro.parse_schema(schema), None)
    assert raw["sepal_length_cm_2"] == 5.1 and raw["sepal_length_cm"] == 9.0
    # Avro names are accepted on the way in as well
    assert codec.decode(codec.encode({"sepal_length_cm_2": 1.0, "sepal_length_cm": 2.0}))["sepal length (cm)"] == 1.0
    plain = AvroCodec(schema, 1, lambda i: schema, original_names=False)
    assert plain.decode(data)["sepal_length_cm_2"] == 5.1


def test_a_column_moved_to_another_field_is_incompatible() -> None:
    """v1 had 'a b' as field a_b; v2 adds a legal column a_b, so 'a b' moves to a_b_2: old events would fill a_b."""
    v1 = Signature((InputField("a b"),), ()).input_schema("m")
    v2 = Signature((InputField("a b"), InputField("a_b")), ()).input_schema("m")
    bad = incompatible_fields(v1, v2, "BACKWARD")
    assert [f for f, _ in bad] == ["a_b"] and "'a b' moved to field 'a_b_2'" in bad[0][1]
    renamed = Signature((InputField("a-b"),), ()).input_schema("m")  # same field, the column renamed: allowed
    assert incompatible_fields(v1, renamed, "BACKWARD") == []


def test_predictions_with_illegal_output_names_round_trip() -> None:
    """A foreign document's outputs such as ``probability(Iris-setosa)`` keep their names in and out."""
    sig = Signature(
        (InputField("x"),),
        (
            OutputField("label", "label", "string"),
            OutputField("probability(Iris-setosa)", "probability", "double", "Iris-setosa"),
        ),
    )
    schema = sig.output_schema("m")
    assert [f["name"] for f in schema["fields"]] == ["label", "probability_Iris_setosa", "model", "source"]
    codec = AvroCodec(schema, 3, lambda i: schema)
    row = {"label": "Iris-setosa", "probability(Iris-setosa)": 0.9, "model": {"name": "m", "version": 1, "format": "pmml"}}
    data = codec.encode(row)  # the scorer's rows: outputs by the signature's names, plus the model reference
    assert codec.decode(data) == {**row, "model": {**row["model"], "sha256": None, "role": None}, "source": None}
    raw = AvroCodec(schema, 3, lambda i: schema, original_names=False).decode(data)
    assert raw["probability_Iris_setosa"] == 0.9


@pytest.mark.parametrize("name", ["model", "source"])
def test_an_output_named_like_a_lineage_field_is_refused(name: str) -> None:
    """``model`` names the version that made a prediction, ``source`` the event it scored; an output of
    either name could not be told apart."""
    sig = Signature((InputField("x"),), (OutputField(name, "value"),))
    with pytest.raises(SchemaError) as err:
        sig.output_schema("m")
    assert err.value.field == name
