"""AllSegments as PMML: a selectAll MiningModel with an OutputField segmentId per part (each segment's model
naming its parts too, which pypmml reads); pypmml gives the IR's parts, and the document lifts back."""

from __future__ import annotations

import pytest
from lxml import etree

import interchange
from interchange.crossformat import _writer
from interchange.ir.combine.select_all import AllSegments
from tests.roundtrip.wcompare_graphs import SELECT_ROWS, reference_outputs, same_outputs, select_graph

NS = {"p": "http://www.dmg.org/PMML-4_4"}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("classification", [False, True])
def test_written_select_all_gives_each_segments_parts(classification: bool) -> None:
    graph = select_graph(classification, unknown=False)
    data = _writer("pmml")(graph)
    root = etree.fromstring(data)
    assert root.find(".//p:Segmentation", NS).get("multipleModelMethod") == "selectAll"
    outer = root.find("p:MiningModel/p:Output", NS)
    assert [f.get("segmentId") for f in outer] == ["1", "2"] if not classification else ["1", "1", "2"]
    same_outputs(graph, reference_outputs("pmml", data, SELECT_ROWS), SELECT_ROWS)
    back = interchange.lift(data).graph
    assert back is not None and isinstance(back.model, AllSegments)
    assert back.model.wanted == graph.model.wanted  # type: ignore[attr-defined]


def test_a_category_a_segment_does_not_know_is_refused_by_name() -> None:
    with pytest.raises(interchange.UnsupportedModelError, match="'maybe', which segment 2's model does not know"):
        _writer("pmml")(select_graph(True))
