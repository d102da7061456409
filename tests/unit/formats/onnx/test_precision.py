"""computes_in_float32: one rule for export's stated tolerance and cross-format conversion's."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from interchange.formats.onnx.precision import computes_in_float32

DOUBLE, FLOAT = onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT


def _model(node: onnx.NodeProto, elem: int = DOUBLE, init: list[onnx.TensorProto] | None = None) -> onnx.ModelProto:
    g = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", elem, [None, 2])],
        [helper.make_tensor_value_info("y", elem, None)],
        init or [],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("ai.onnx.ml", 3)])


def test_a_double_graph_is_not_float32() -> None:
    two = numpy_helper.from_array(np.array([2.0]), "two")
    assert not computes_in_float32(_model(helper.make_node("Mul", ["x", "two"], ["y"]), init=[two]))


def test_float32_anywhere_counts() -> None:
    assert computes_in_float32(_model(helper.make_node("Identity", ["x"], ["y"]), FLOAT))  # float input / output
    half = numpy_helper.from_array(np.array([0.5], dtype=np.float32), "half")
    assert computes_in_float32(_model(helper.make_node("Mul", ["x", "half"], ["y"]), init=[half]))  # a float initializer
    assert computes_in_float32(_model(helper.make_node("Cast", ["x"], ["y"], to=FLOAT)))
    # ai.onnx.ml: float32 parameters (Binarizer's threshold) and float32 outputs (Normalizer), as bytes too
    binarizer = _model(helper.make_node("Binarizer", ["x"], ["y"], domain="ai.onnx.ml", threshold=0.5))
    assert computes_in_float32(binarizer) and computes_in_float32(binarizer.SerializeToString())
    assert computes_in_float32(_model(helper.make_node("Normalizer", ["x"], ["y"], domain="ai.onnx.ml", norm="L2")))
