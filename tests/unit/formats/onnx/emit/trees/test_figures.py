"""NodeFigures as ONNX: a second TreeEnsemble gives the leaf; onnxruntime answers as the IR where a row has a
prediction; a missing confidence beside a prediction is refused by name."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from interchange.errors import UnsupportedModelError
from interchange.formats.onnx.ir_writer import write_document
from tests.roundtrip.wtrees_graphs import ROWS, figures_graph, reference_outputs, same_outputs


def test_onnxruntime_reads_the_figures_the_ir_gives() -> None:
    graph = figures_graph(null_leaf=False)
    data = write_document(graph)
    same_outputs(graph, reference_outputs(graph, "onnx", data, ROWS))


def test_a_row_without_a_prediction_has_nan_scores() -> None:
    """An ONNX string has no null: the id of a row with no prediction is "", beside NaN scores (refused by score)."""
    graph = figures_graph(null_leaf=True)
    data = write_document(graph)
    got = reference_outputs(graph, "onnx", data, ROWS)
    assert list(got["node"]) == ["L", "M", "", "L", "L"]
    assert np.isnan(got["p_a"][2]) and np.isnan(got["conf"][2])


def test_a_missing_confidence_beside_a_prediction_is_refused() -> None:
    graph = figures_graph(null_leaf=False)
    step = replace(graph.model, confidences=(np.nan, 0.8, np.nan, np.nan, 0.6))
    with pytest.raises(UnsupportedModelError, match="Node confidence that is missing beside a prediction"):
        write_document(replace(graph, model=step))
