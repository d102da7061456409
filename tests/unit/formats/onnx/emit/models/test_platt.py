"""libsvm's coupling as an ONNX Loop equals the IR's (ir.svm_probability), row by row as each row stops."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from interchange.formats.onnx.emit.builder import Builder
from interchange.formats.onnx.emit.models.platt import svm_probabilities
from interchange.ir.models.svm_probability import svm_probabilities as ir_probabilities


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_the_loop_equals_the_ir(k: int) -> None:
    rng = np.random.default_rng(k)
    pairs = np.array([(i, j) for i in range(k) for j in range(i + 1, k)])
    a, c = rng.normal(-2.0, 1.0, len(pairs)), rng.normal(0.0, 0.5, len(pairs))
    f = rng.normal(0.0, 2.0, (500, len(pairs)))
    f[:5] = 0.0  # ties everywhere: the first sweep's check stops them
    f[5:10] *= 40.0  # saturated sigmoids: clipped to [1e-7, 1 - 1e-7]
    b = Builder()
    out = svm_probabilities(b, "f", pairs, a, c, k)
    graph = helper.make_graph(
        b.nodes,
        "platt",
        [helper.make_tensor_value_info("f", TensorProto.DOUBLE, [None, len(pairs)])],
        [helper.make_tensor_value_info(out, TensorProto.DOUBLE, [None, k])],
        b.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"f": f})[0]
    want = ir_probabilities(f, pairs, a, c, k)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert "Loop" in {n.op_type for n in b.nodes}
