"""Inputs typed by the document, every declared output type back, foreign ONNX tensors.

Each document here is evaluated through ``interchange eval`` from CSV and JSON Lines and
compared with its reference engine fed the document's own types directly (titus2 with Python
ints, enums, lists, maps and records; pypmml with JSON text values; onnxruntime with the
tensor): values equal (numbers within rtol 1e-9 / atol 1e-12), types kept (an ``int`` comes
back an int, a map a map). Before this, a PFA ``int`` read from CSV reached titus2 as 4.0 and
every record failed, and a PMML category "01" read from CSV became the number 1.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import fastavro
import numpy as np
import pytest
from onnx import TensorProto, helper
from typer.testing import CliRunner

import interchange
from interchange.cli import app
from interchange.formats.pfa.titus import engine_class
from interchange.kafka.scorer.batch.columns import output_rows as _rows

runner = CliRunner()

# --- PFA: int, long, enum, string, array, map, nullable union, nested record in; the same out ---
PFA = {
    "input": {
        "type": "record",
        "name": "In",
        "fields": [
            {"name": "n", "type": "int"},
            {"name": "big", "type": "long"},
            {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["red", "green", "blue"]}},
            {"name": "name", "type": "string"},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "weights", "type": {"type": "map", "values": "double"}},
            {"name": "maybe", "type": ["null", "int"]},
            {
                "name": "point",
                "type": {
                    "type": "record",
                    "name": "Point",
                    "fields": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}],
                },
            },
        ],
    },
    "output": {
        "type": "record",
        "name": "Out",
        "fields": [
            {"name": "total", "type": "long"},
            {"name": "label", "type": "string"},
            {"name": "flags", "type": {"type": "array", "items": "boolean"}},
            {"name": "counts", "type": {"type": "map", "values": "int"}},
            {
                "name": "nested",
                "type": {
                    "type": "record",
                    "name": "Nested",
                    "fields": [{"name": "sum", "type": "double"}, {"name": "n", "type": "int"}],
                },
            },
            {"name": "weights", "type": {"type": "map", "values": "double"}},
            {"name": "maybe", "type": ["null", "int"]},
            {"name": "half", "type": "double"},
        ],
    },
    "action": [
        {
            "new": {
                "total": {"+": ["input.n", "input.big"]},
                "label": {"s.concat": ["input.name", {"string": "!"}]},
                "flags": {
                    "new": [{">": ["input.n", 2]}, {"==": ["input.colour", {"type": "Colour", "value": "red"}]}],
                    "type": {"type": "array", "items": "boolean"},
                },
                "counts": {"new": {"n": "input.n", "tags": {"a.len": ["input.tags"]}}, "type": {"type": "map", "values": "int"}},
                "nested": {"new": {"sum": {"+": ["input.point.x", "input.point.y"]}, "n": "input.n"}, "type": "Nested"},
                "weights": "input.weights",
                "maybe": "input.maybe",
                "half": {"/": ["input.n", 2]},
            },
            "type": "Out",
        }
    ],
}
PFA_ROWS: list[dict[str, Any]] = [
    {
        "n": 4,
        "big": 2**40 + 1,
        "colour": "red",
        "name": "01",
        "tags": ["a", "b"],
        "weights": {"w": 0.5},
        "maybe": 7,
        "point": {"x": 1.5, "y": -2.0},
    },
    {"n": 1, "big": -3, "colour": "blue", "name": "x", "tags": [], "weights": {}, "maybe": None, "point": {"x": 0.0, "y": 0.25}},
    {
        "n": -7,
        "big": 0,
        "colour": "green",
        "name": "NA",
        "tags": ["z"],
        "weights": {"a": 1.0, "b": 2.0},
        "maybe": 0,
        "point": {"x": 3, "y": 4},
    },
]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as a CSV file: structured cells as JSON text, missing as an empty cell."""
    with path.open("w", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        for row in rows:
            out.writerow({k: "" if v is None else json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in row.items()})


def _eval(tmp_path: Path, model: Path, rows: Path, *extra: str) -> list[dict[str, Any]]:
    out = tmp_path / f"{rows.name}.out.jsonl"
    done = runner.invoke(app, ["eval", str(model), "--input", str(rows), "--output", str(out), *extra])
    assert done.exit_code == 0, done.output
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_pfa_inputs_and_outputs_keep_their_types(tmp_path: Path, suffix: str) -> None:
    model = tmp_path / "typed.pfa"
    model.write_text(json.dumps(PFA))
    rows = tmp_path / f"rows.{suffix}"
    if suffix == "csv":
        _write_csv(rows, PFA_ROWS)
    else:
        rows.write_text("".join(json.dumps(r) + "\n" for r in PFA_ROWS))
    engine = engine_class().fromJson(json.dumps(PFA))[0]
    expected = [engine.action(r) for r in PFA_ROWS]  # titus2 fed the document's own types
    for e in expected:  # titus2 passes a union input on tagged ({"int": 7}); eval answers as Avro JSON does
        e["maybe"] = next(iter(e["maybe"].values())) if isinstance(e["maybe"], dict) else e["maybe"]
    got = _eval(tmp_path, model, rows)
    assert got == expected
    assert isinstance(got[0]["total"], int) and got[0]["total"] == 4 + 2**40 + 1
    loaded = interchange.load(model)
    assert loaded.info.engine == "titus2"  # int inputs are outside the PFA fast path


def test_pfa_signature_gives_avro_schemas_every_output_fits() -> None:
    model = interchange.load(json.dumps(PFA).encode())
    sig = model.signature
    assert [f.type for f in sig.inputs] == ["integer", "integer", "string", "string", "avro", "avro", "integer", "avro"]
    assert sig.input("colour").values == ("red", "green", "blue")
    out_schema = fastavro.parse_schema(sig.output_schema("typed"))
    in_schema = fastavro.parse_schema(sig.input_schema("typed"))
    outputs = model.predict(PFA_ROWS)
    for record, row in zip(_rows(outputs, sig, {"name": "typed", "version": 1, "format": "pfa"}), PFA_ROWS, strict=True):
        assert fastavro.validation.validate(record, out_schema, raise_errors=True)
        assert fastavro.validation.validate(row, in_schema, raise_errors=True)


def test_pfa_int_field_refuses_a_fraction_naming_the_field() -> None:
    model = interchange.load(json.dumps(PFA).encode())
    with pytest.raises(interchange.RecordError, match="'n'.*4.5 is not an integer"):
        model.predict([{**PFA_ROWS[0], "n": 4.5}])


# --- PMML: a categorical string field whose values look numeric -------------------------------
PMML = """<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary>
    <DataField name="code" optype="categorical" dataType="string">
      <Value value="01"/><Value value="1"/><Value value="1.0"/><Value value="NA"/>
    </DataField>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema>
      <MiningField name="code"/><MiningField name="x"/><MiningField name="y" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="0.5">
      <NumericPredictor name="x" coefficient="2.0"/>
      <CategoricalPredictor name="code" value="01" coefficient="10"/>
      <CategoricalPredictor name="code" value="1" coefficient="100"/>
      <CategoricalPredictor name="code" value="1.0" coefficient="1000"/>
      <CategoricalPredictor name="code" value="NA" coefficient="10000"/>
    </RegressionTable>
  </RegressionModel>
</PMML>
"""
PMML_ROWS = [("01", 1.0), ("1", 2.0), ("1.0", 0.25), ("NA", -1.0), ("", 3.0), ("7", 1.0)]


def test_pmml_string_categories_stay_as_written(tmp_path: Path) -> None:
    """ "01", "1", "1.0" and "NA" are four categories; an empty cell is missing; "7" is invalid."""
    from tests.roundtrip.helpers import jpmml_outputs

    model = tmp_path / "codes.pmml"
    model.write_text(PMML)
    rows = tmp_path / "rows.csv"
    rows.write_text("code,x\n" + "".join(f"{c},{x}\n" for c, x in PMML_ROWS))
    got = [r.get("y") for r in _eval(tmp_path, model, rows)]
    records = [{"code": c or None, "x": x} for c, x in PMML_ROWS]
    reference = interchange.load(PMML.encode(), engine="reference")
    expected = reference.predict(records)["y"]
    jpmml = jpmml_outputs(
        PMML.encode(),
        {"code": np.array([r["code"] for r in records], dtype=object), "x": np.array([r["x"] for r in records])},
        reference.signature,
    )["y"]
    want = [12.5, 104.5, 1001.0, 9998.5, 6.5, None]  # 0.5 + 2x + the category's coefficient (0 when missing); invalid: none
    assert got == want
    assert [None if v != v else v for v in expected.tolist()] == want
    assert [None if v != v else v for v in jpmml.tolist()] == want


# --- ONNX: a converter's default graph (one X: float[None, 4] tensor) --------------------------
@pytest.fixture(scope="module")
def default_onnx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, np.ndarray]:
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    est = LogisticRegression(max_iter=500).fit(X, y)
    path = tmp_path_factory.mktemp("onnx") / "default.onnx"
    path.write_bytes(to_onnx(est, X[:1].astype(np.float32)).SerializeToString())  # skl2onnx's defaults
    return path, est, X


def test_default_onnx_graph_is_fed_by_column_order(tmp_path: Path, default_onnx: tuple[Path, Any, np.ndarray]) -> None:
    import onnxruntime as ort

    path, est, X = default_onnx
    rows = tmp_path / "rows.csv"
    rows.write_text("sepal_l,sepal_w,petal_l,petal_w\n" + "".join(",".join(repr(float(v)) for v in r) + "\n" for r in X))
    got = _eval(tmp_path, path, rows)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, {"X": X.astype(np.float32)})
    assert [r["output_label"] for r in got] == labels.tolist()
    for row, p in zip(got, probabilities, strict=True):
        assert [row[f"output_probability_{c}"] for c in (0, 1, 2)] == pytest.approx([p[c] for c in (0, 1, 2)], rel=1e-6)
    model = interchange.load(path)
    assert model.signature.task == "classification" and model.signature.classes == (0, 1, 2)
    info = json.loads(runner.invoke(app, ["info", str(path)]).stdout)
    assert "X_0 .. X_3" in info["inputs"]["X"] and "order" in info["inputs"]["note"]


def test_default_onnx_graph_with_wrong_columns_gives_one_error(
    tmp_path: Path, default_onnx: tuple[Path, Any, np.ndarray]
) -> None:
    path, _, X = default_onnx
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c\n" + "".join(",".join(repr(float(v)) for v in r[:3]) + "\n" for r in X))
    done = runner.invoke(app, ["eval", str(path), "--input", str(rows)])
    assert done.exit_code == 1
    errors = [line for line in done.output.splitlines() if "error" in line]
    assert len(errors) == 1 and "['X_0', 'X_1', 'X_2', 'X_3']" in errors[0] and "in this order" in errors[0]


def test_onnx_outputs_of_every_shape_and_type(tmp_path: Path) -> None:
    """Integer columns stay integers, a [N, k] output gives k columns, an output of unknown
    width gives a list per row, a boolean tensor booleans; the Avro schema takes them all."""
    import onnxruntime as ort

    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["X"], ["ints"], to=TensorProto.INT64),
            helper.make_node("ArgMax", ["X"], ["top"], axis=1, keepdims=1),
            helper.make_node("Identity", ["X"], ["vector"]),
            helper.make_node("ReduceSum", ["X", "axes"], ["total"], keepdims=1),
            helper.make_node("Greater", ["total", "zero"], ["positive"]),
        ],
        "shapes",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [
            helper.make_tensor_value_info("ints", TensorProto.INT64, [None, 3]),
            helper.make_tensor_value_info("top", TensorProto.INT64, [None, 1]),
            helper.make_tensor_value_info("vector", TensorProto.FLOAT, [None, None]),
            helper.make_tensor_value_info("positive", TensorProto.BOOL, [None, 1]),
        ],
        [helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]), helper.make_tensor("axes", TensorProto.INT64, [1], [1])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / "shapes.onnx"
    path.write_bytes(proto.SerializeToString())
    X = np.array([[1.5, -2.0, 0.25], [3.0, 4.0, -9.0]])
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"f0": a, "f1": b, "f2": c}) + "\n" for a, b, c in X.tolist()))
    got = _eval(tmp_path, path, rows)
    ints, top, vector, positive = ort.InferenceSession(proto.SerializeToString()).run(None, {"X": X.astype(np.float32)})
    for i, row in enumerate(got):
        assert [row[f"ints_{j}"] for j in range(3)] == ints[i].tolist() and all(type(row[f"ints_{j}"]) is int for j in range(3))
        assert row["top"] == int(top[i, 0]) and type(row["top"]) is int
        assert row["vector"] == vector[i].tolist()
        assert row["positive"] is bool(positive[i, 0])
    sig = interchange.load(path).signature
    schema = fastavro.parse_schema(sig.output_schema("shapes"))
    outputs = interchange.load(path).predict(X)
    records = _rows(outputs, sig, {"name": "shapes", "version": 1, "format": "onnx"})
    assert len(records) == len(X)
    for record in records:
        assert fastavro.validation.validate(record, schema, raise_errors=True)
