"""VariableWeights as double ONNX: onnxruntime gives the IR's values, each row weighed by its field; a row the
IR refuses (a fired segment's weight missing or not positive) has no prediction (NaN)."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.crossformat import _writer
from tests.roundtrip.wcompare_graphs import REFUSED_ROWS, WEIGHED_ROWS, reference_outputs, same_outputs, weighed_graph


@pytest.mark.filterwarnings("ignore")
def test_written_segments_weigh_each_row() -> None:
    graph = weighed_graph()
    data = _writer("onnx")(graph)
    same_outputs(graph, reference_outputs("onnx", data, WEIGHED_ROWS), WEIGHED_ROWS)


@pytest.mark.filterwarnings("ignore")
def test_a_row_the_ir_refuses_has_no_prediction() -> None:
    import onnxruntime as ort

    data = _writer("onnx")(weighed_graph())
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    (matrix,) = session.get_inputs()  # one [N, 2] input: x, w
    (y,) = session.run(None, {matrix.name: np.column_stack([REFUSED_ROWS["x"], REFUSED_ROWS["w"]])})
    assert np.isnan(y[:2]).all() and not np.isnan(y[2]).any()
