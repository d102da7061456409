"""AllSegments as PFA: each segment's part where it fired, missing elsewhere; the reference engine gives the
IR's parts."""

from __future__ import annotations

import pytest

from interchange.crossformat import _writer
from tests.roundtrip.wcompare_graphs import SELECT_ROWS, reference_outputs, same_outputs, select_graph


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("classification", [False, True])
def test_written_select_all_gives_each_segments_parts(classification: bool) -> None:
    graph = select_graph(classification, unknown=True)
    same_outputs(graph, reference_outputs("pfa", _writer("pfa")(graph), SELECT_ROWS), SELECT_ROWS)
