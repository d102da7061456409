"""NodeFigures as PFA: the walk's leaf position indexes cells of ids and confidences; titus2 answers as the IR."""

from __future__ import annotations

import dataclasses
import json

import pytest

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import write_graph
from interchange.ir.graph import Graph
from interchange.ir.trees.nodes import NodeFigures
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


def _integer_ids(ids: tuple[object, ...]) -> Graph:
    """The figures graph with numeric node ids under an integer entity output (sklearn2pmml's ``winner_id``)."""
    graph = figures_graph(null_leaf=True)
    assert isinstance(graph.model, NodeFigures)
    step = dataclasses.replace(graph.model, ids=ids)
    outputs = tuple(dataclasses.replace(f, type="integer") if f.name == "node" else f for f in graph.signature.outputs)
    return Graph(dataclasses.replace(graph.signature, outputs=outputs), (), step)


def test_an_integer_entity_output_gets_a_cell_of_longs_titus2_accepts() -> None:
    graph = _integer_ids((None, "4", None, 7, None))
    doc = json.loads(write_graph(graph))
    assert doc["cells"]["node_ids_long"]["init"] == [None, {"long": 4}, None, {"long": 7}, None]
    assert "node_ids" not in doc["cells"]
    same_outputs(graph, reference_outputs(graph, "pfa", write_graph(graph), ROWS))


def test_an_entity_id_that_is_no_integer_under_an_integer_output_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedModelError, match="entity id 'L' of output 'node' is not a long"):
        write_graph(_integer_ids((None, "L", None, "M", None)))
