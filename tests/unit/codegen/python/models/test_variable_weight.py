"""VariableWeights as generated Python: the IR's answers within 1e-12; a fired segment's weight that is missing
or not positive refuses the row (ValueError), as the IR does (RecordError)."""

from __future__ import annotations

import pytest

from interchange.codegen.api import codegen, load_python, python_outputs
from tests.roundtrip.wcompare_graphs import REFUSED_ROWS, WEIGHED_ROWS, same_outputs, weighed_graph


def test_generated_python_weighs_each_row() -> None:
    graph = weighed_graph()
    module = load_python(codegen(graph, "python").source)
    same_outputs(graph, python_outputs(module, graph.signature, WEIGHED_ROWS), WEIGHED_ROWS)
    got = python_outputs(module, graph.signature, REFUSED_ROWS)
    same_outputs(graph, got, REFUSED_ROWS)
    with pytest.raises(ValueError, match="VariableWeight 'w' of segment 1"):
        module.predict({k: v[:1] for k, v in REFUSED_ROWS.items()})
