"""AllSegments as generated Python: each segment's part where it fired, missing elsewhere; the IR's answers
within 1e-12."""

from __future__ import annotations

import pytest

from interchange.codegen.api import codegen, load_python, python_outputs
from tests.roundtrip.wcompare_graphs import SELECT_ROWS, same_outputs, select_graph


@pytest.mark.parametrize("classification", [False, True])
def test_generated_python_gives_each_segments_parts(classification: bool) -> None:
    graph = select_graph(classification)
    module = load_python(codegen(graph, "python").source)
    same_outputs(graph, python_outputs(module, graph.signature, SELECT_ROWS), SELECT_ROWS)
