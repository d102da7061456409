"""VariableWeights as PMML: each weighed Segment carries VariableWeight after its predicate; pypmml gives the
IR's values, and the document lifts back into the same step."""

from __future__ import annotations

import pytest
from lxml import etree

import interchange
from interchange.crossformat import _writer
from interchange.ir.combine.variable_weight import VariableWeights
from tests.roundtrip.wcompare_graphs import WEIGHED_ROWS, reference_outputs, same_outputs, weighed_graph

NS = {"p": "http://www.dmg.org/PMML-4_4"}


@pytest.mark.filterwarnings("ignore")
def test_written_segments_weigh_each_row() -> None:
    graph = weighed_graph()
    data = _writer("pmml")(graph)
    segments = etree.fromstring(data).findall(".//p:Segment", NS)
    assert [etree.QName(s[1]).localname for s in segments] == ["VariableWeight", "RegressionModel"]
    assert segments[0][1].get("field") == "w"
    same_outputs(graph, reference_outputs("pmml", data, WEIGHED_ROWS), WEIGHED_ROWS)
    back = interchange.lift(data).graph
    assert back is not None and isinstance(back.model, VariableWeights) and back.model.variable == ("w", None)
