"""erfc and atan composed in double ai.onnx operators, run by onnxruntime, against math.erfc / numpy.arctan."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import onnxruntime as ort
import pytest
from onnx import helper

from interchange.formats.onnx.emit.builder import DOUBLE, Builder
from interchange.formats.onnx.emit.models.special import atan, erfc

X = np.concatenate([np.linspace(-8.0, 30.0, 20001), np.logspace(-300, 300, 601), -np.logspace(-300, 300, 601)])


def _run(compose: Callable[[Builder, str], str], x: np.ndarray) -> np.ndarray:
    b = Builder()
    out = compose(b, "x")
    graph = helper.make_graph(
        b.nodes,
        "g",
        [helper.make_tensor_value_info("x", DOUBLE, [None])],
        [helper.make_tensor_value_info(out, DOUBLE, [None])],
        b.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


@pytest.mark.parametrize(
    ("compose", "reference", "rtol"),
    [(erfc, np.frompyfunc(math.erfc, 1, 1), 1e-13), (atan, np.arctan, 1e-15)],
    ids=["erfc", "atan"],
)
def test_double_composition_agrees_with_the_library_function(compose, reference, rtol) -> None:  # noqa: ANN001
    want = np.asarray(reference(X), dtype=np.float64)
    got = _run(compose, X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize(
    ("compose", "want"), [(erfc, [1.0, 0.0, 2.0]), (atan, [0.0, math.pi / 2, -math.pi / 2])], ids=["erfc", "atan"]
)
def test_edges_and_missing(compose, want) -> None:  # noqa: ANN001
    got = _run(compose, np.array([0.0, np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(got[:3], want)
    assert np.isnan(got[3])
