"""AllSegments as ONNX: each segment's part where it fired, missing elsewhere; the reference engine gives the
IR's parts."""

from __future__ import annotations

import pytest

import interchange
from interchange.crossformat import _writer
from tests.roundtrip.wcompare_graphs import SELECT_ROWS, reference_outputs, same_outputs, select_graph


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("classification", [False, True])
def test_written_select_all_gives_each_segments_parts(classification: bool) -> None:
    graph = select_graph(classification, unknown=True)
    if classification:  # a segment's label: missing where it does not fire, and ONNX's string tensors have no null
        with pytest.raises(interchange.UnsupportedModelError, match="'label1' of segment 1.*ONNX string tensor has no null"):
            _writer("onnx")(graph)
        graph = select_graph(classification, unknown=True, label=False)
    same_outputs(graph, reference_outputs("onnx", _writer("onnx")(graph), SELECT_ROWS), SELECT_ROWS)
