"""ComparedCenter, VariableWeights and AllSegments as generated Python: the IR's answers within 1e-12 (a row the
IR refuses, the module refuses too)."""

from __future__ import annotations

import pytest

from interchange.codegen.api import codegen, load_python, python_outputs
from tests.roundtrip.wcompare_graphs import COMPARED_ROWS, METRICS, compared_graph, same_outputs


@pytest.mark.parametrize("metric", METRICS)
def test_generated_python_measures_field_by_field(metric: str) -> None:
    graph = compared_graph(metric)
    source = codegen(graph, "python").source
    assert "def compared_distances(" in source and "import interchange" not in source  # the IR's kernel, copied
    same_outputs(graph, python_outputs(load_python(source), graph.signature, COMPARED_ROWS), COMPARED_ROWS)
