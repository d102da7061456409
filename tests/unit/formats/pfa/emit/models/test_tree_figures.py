"""NodeFigures as PFA: the walk's leaf position indexes cells of ids and confidences; titus2 answers as the IR."""

from __future__ import annotations

import json

import pytest

from interchange.formats.pfa.emit.document import write_graph
from tests.roundtrip.wtrees_graphs import ROWS, figures_graph, reference_outputs, same_outputs


@pytest.mark.parametrize("null_leaf", [True, False])
def test_titus2_reads_the_figures_the_ir_gives(null_leaf: bool) -> None:
    graph = figures_graph(null_leaf=null_leaf)
    same_outputs(graph, reference_outputs(graph, "pfa", write_graph(graph), ROWS))


def test_ids_and_confidences_are_cells_with_null_where_a_leaf_has_none() -> None:
    doc = json.loads(write_graph(figures_graph(null_leaf=True)))
    assert doc["cells"]["node_ids"]["init"] == [None, {"string": "L"}, None, {"string": "M"}, None]
    assert doc["cells"]["node_confidences"]["init"][1] == {"double": 0.8}
    types = {f["name"]: f["type"] for f in doc["output"]["fields"]}
    assert types["node"] == ["null", "string"] and types["conf"] == ["null", "double"]
