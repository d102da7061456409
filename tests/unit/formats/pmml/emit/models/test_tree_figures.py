"""NodeFigures as PMML: Node ids and ScoreDistribution confidences written back, or mapped where ids repeat.

The graphs (``tests.roundtrip.wtrees_graphs``) are written by hand; the written documents are read by
pypmml, whose answers must be the IR's (entity id, confidence, label, probabilities).
"""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

from interchange.formats.pmml.emit.document import write_graph
from interchange.formats.pmml.emit.xmlbuild import NS
from tests.roundtrip.wtrees_graphs import ROWS, figures_graph, reference_outputs, same_outputs

P = f"{{{NS}}}"


def test_unique_ids_are_written_on_the_nodes_with_their_confidences() -> None:
    graph = figures_graph(null_leaf=False)
    root = etree.fromstring(write_graph(graph))
    leaves = {n.get("id"): n for n in root.iter(f"{P}Node") if n.find(f"{P}Node") is None}
    assert {"L", "M", "H"} <= set(leaves)
    dist = {d.get("value"): d.get("confidence") for d in leaves["M"].iter(f"{P}ScoreDistribution")}
    assert dist == {"a": None, "b": "0.7"}  # the confidence of the Node's score only
    fields = {f.get("name"): f.get("feature") for f in root.iter(f"{P}OutputField")}
    assert fields["node"] == "entityId" and fields["conf"] == "confidence"
    assert root.find(f".//{P}MapValues") is None


@pytest.mark.parametrize("null_leaf", [True, False])
def test_pypmml_reads_the_figures_the_ir_gives(null_leaf: bool) -> None:
    graph = figures_graph(null_leaf=null_leaf)
    same_outputs(graph, reference_outputs(graph, "pmml", write_graph(graph), ROWS))


def test_a_leaf_without_an_id_maps_the_written_ids() -> None:
    """pypmml reports a scoreless Node's id: the entity output maps written leaf ids, missing for that leaf."""
    root = etree.fromstring(write_graph(figures_graph(null_leaf=True)))
    table = root.find(f".//{P}OutputField[@name='node']/{P}MapValues")
    assert table is not None
    ids = [cell.text for cell in table.iter(f"{P}out")]
    assert sorted(ids) == ["L", "M"]
    written = [n.get("id") for n in root.iter(f"{P}Node")]
    assert len(set(written)) == len(written)  # JPMML-Evaluator refuses a Node id used twice
    default = {n.get("defaultChild") for n in root.iter(f"{P}Node") if n.get("defaultChild")}
    assert default <= set(written)


def test_the_ir_gives_what_the_graph_says() -> None:
    """The fixture itself: x <= 0 or missing -> L, 0 < x <= 2 -> M, x > 2 -> no prediction (null_leaf) or H."""
    from interchange.ir.graph import evaluate

    out = evaluate(figures_graph(null_leaf=True), ROWS)
    assert list(out["node"]) == ["L", "M", None, "L", "L"]
    np.testing.assert_allclose(out["conf"], [0.8, 0.7, np.nan, 0.8, 0.8])
