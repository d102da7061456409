"""formats/onnx/departures.py: which ONNX documents write "" for a missing text value."""

from __future__ import annotations

import warnings
from pathlib import Path

from onnx import TensorProto, helper

import interchange
from interchange.document import Document
from interchange.formats.onnx.departures import MISSING_TEXT, written_by_ir
from interchange.formats.onnx.ir_writer import write_document

CONFORMANCE = Path(__file__).parents[3] / "conformance"


def test_an_ir_written_graph_is_known_and_another_is_not() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift((CONFORMANCE / "pmml_spec" / "clustering_euclidean.pmml").read_bytes())
    assert lifted.graph is not None
    assert written_by_ir(Document("onnx", write_document(lifted.graph), "application/onnx"))
    x = helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 1])
    y = helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 1])
    other = helper.make_model(helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y]))
    assert not written_by_ir(Document("onnx", other.SerializeToString(), "application/onnx"))
    assert not written_by_ir(Document("pfa", b"{}", "application/json"))
    assert "no null" in MISSING_TEXT.reason
