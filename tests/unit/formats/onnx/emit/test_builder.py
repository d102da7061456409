"""Builder.matrix: the [N, 0] matrix an intercept-only model reads is a double tensor, whatever column it slices."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder


def _run(b: Builder, out: str, feeds: dict[str, np.ndarray], inputs: list[onnx.ValueInfoProto]) -> np.ndarray:
    graph = helper.make_graph(
        b.nodes, "g", inputs, [helper.make_tensor_value_info(out, DOUBLE, [None, 1])], initializer=b.initializers
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model, full_check=True)
    return ort.InferenceSession(model.SerializeToString()).run([out], feeds)[0]


def test_an_empty_matrix_over_text_columns_only_is_cast_to_double() -> None:
    b = Builder()
    b.define(("state",), "state", STRING)
    empty = b.matrix(())
    assert b.types[empty] == DOUBLE
    out = b.op("MatMul", [empty, b.const(np.zeros((0, 1)))])  # (what an intercept-only Regression writes)
    state = helper.make_tensor_value_info("state", STRING, [None, 1])
    got = _run(b, out, {"state": np.array([["CA"], ["NY"]], dtype=object)}, [state])
    assert got.shape == (2, 1) and not got.any()


def test_an_empty_matrix_prefers_a_double_column_to_a_text_one() -> None:
    b = Builder()
    b.define(("state",), "state", STRING)
    b.define(("income",), "income", DOUBLE)
    empty = b.matrix(())
    assert b.types[empty] == DOUBLE
    assert all(n.op_type != "Cast" for n in b.nodes) and b.nodes[-1].input[0] == "income"
