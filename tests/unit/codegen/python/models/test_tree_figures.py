"""NodeFigures as generated Python: the node id and confidence of the leaf agree with the IR within 1e-12."""

from __future__ import annotations

import pytest

from interchange.codegen.api import codegen, load_python, python_outputs
from tests.roundtrip.wtrees_graphs import ROWS, figures_graph, same_outputs


@pytest.mark.parametrize("null_leaf", [True, False])
def test_generated_python_gives_the_figures_the_ir_gives(null_leaf: bool) -> None:
    graph = figures_graph(null_leaf=null_leaf)
    module = load_python(codegen(graph, "python").source)
    same_outputs(graph, python_outputs(module, graph.signature, ROWS))
