"""interchange.lift: the API, its reasons, and an ai.onnx arithmetic graph lifted and checked against onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import interchange

SPEC = Path(__file__).parents[1] / "conformance" / "pmml_spec"


# a derived field through a PMML 4.4 built-in over a field it does not take (formatDatetime of a double: JPMML refuses it too)
OUTSIDE = b"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
<Header/>
<DataDictionary><DataField name="x" optype="continuous" dataType="double"/>
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<TransformationDictionary>
<DerivedField name="when" optype="categorical" dataType="string">
<Apply function="formatDatetime"><FieldRef field="x"/><Constant>%Y</Constant></Apply></DerivedField>
</TransformationDictionary>
<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/>
<MiningField name="y" usageType="target"/></MiningSchema>
<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
</RegressionModel></PMML>"""


def test_a_document_outside_the_ir_says_why_element_by_element() -> None:
    lifted = interchange.lift(OUTSIDE)
    assert not lifted.ok and lifted.graph is None
    assert any(r.path.startswith("/PMML/TransformationDictionary/DerivedField") for r in lifted.reasons)
    assert "DerivedField[@name='when']" in lifted.report()
    with pytest.raises(interchange.ModelError, match="did not lift"):
        lifted.predict({"x": np.array([1.0])})


def test_a_lifted_document_evaluates_with_the_ir() -> None:
    data = (SPEC / "regression_terms.pmml").read_bytes()
    lifted = interchange.lift(interchange.load(data))  # a loaded Model works as well as bytes or a path
    assert lifted.ok and lifted.format == "pmml"
    assert "Regression" in lifted.report()


def test_pfa_lifts_from_json_or_yaml(tmp_path: Path) -> None:
    pfa = b'{"input": "double", "output": "double", "action": [{"+": ["input", 1]}]}'
    lifted = interchange.lift(pfa)
    assert lifted.ok and lifted.format == "pfa"
    np.testing.assert_array_equal(lifted.predict({"input": np.array([1.0, -2.5])})["output"], [2.0, -1.5])
    path = tmp_path / "model.yaml"
    path.write_text("input: double\noutput: double\naction:\n  - {'+': [input, 1]}\n")
    assert interchange.lift(path).ok and interchange.lift(path.read_bytes()).ok
    with pytest.raises(interchange.DocumentError, match="cannot tell the format"):
        interchange.lift(b"just: text\n")


def _arithmetic_graph() -> bytes:
    """scores = sigmoid(((x - mu) / sd) @ W + b), as hand-written ai.onnx arithmetic in double."""
    x = helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 3])
    p = helper.make_tensor_value_info("p", TensorProto.DOUBLE, [None, 1])
    inits = [
        numpy_helper.from_array(np.array([0.5, -1.0, 2.0]), "mu"),
        numpy_helper.from_array(np.array([2.0, 0.5, 4.0]), "sd"),
        numpy_helper.from_array(np.array([[0.3], [-1.2], [0.7]]), "W"),
        numpy_helper.from_array(np.array([0.1]), "b"),
    ]
    nodes = [
        helper.make_node("Sub", ["x", "mu"], ["c"]),
        helper.make_node("Div", ["c", "sd"], ["z"]),
        helper.make_node("MatMul", ["z", "W"], ["s"]),
        helper.make_node("Add", ["s", "b"], ["t"]),
        helper.make_node("Sigmoid", ["t"], ["p"]),
    ]
    graph = helper.make_graph(nodes, "arith", [x], [p], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def test_onnx_arithmetic_graph_lifts_and_agrees_with_onnxruntime() -> None:
    data = _arithmetic_graph()
    model = interchange.load(data)
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    rows = np.random.default_rng(0).normal(0, 3, (50, 3))
    batch = {name: rows[:, j] for j, name in enumerate(model.signature.input_names)}
    want, got = model.predict(batch), lifted.predict(batch)
    for f in model.signature.outputs:
        np.testing.assert_allclose(np.asarray(got[f.name], float), np.asarray(want[f.name], float), rtol=1e-12, atol=1e-15)
