"""ComparedCenter as PMML: ClusteringFields with their compareFunction, similarityScale and fieldWeight, the
measure and MissingValueWeights; JPMML-Evaluator (pypmml departs on a missing delta / equal field) gives the
IR's clusters on rows with missing fields, and the document lifts back into the same step."""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

import interchange
from interchange.crossformat import _writer
from interchange.document import Document
from interchange.ir.models.compared import ComparedCenter
from interchange.model import get_format
from tests.roundtrip.wcompare_graphs import COMPARED_ROWS, METRICS, compared_graph, same_outputs

NS = {"p": "http://www.dmg.org/PMML-4_4"}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("metric", METRICS)
def test_written_clustering_agrees_with_jpmml_and_lifts_back(metric: str) -> None:
    from tests.roundtrip.test_golden_crossformat import jpmml_engine

    graph = compared_graph(metric)
    data = _writer("pmml")(graph)
    fields = etree.fromstring(data).findall(".//p:ClusteringField", NS)
    assert [f.get("compareFunction") for f in fields] == ["gaussSim", "absDiff", "delta", "equal"]
    assert fields[0].get("similarityScale") == "1.5" and fields[1].get("fieldWeight") == "0.25"
    model = jpmml_engine(Document("pmml", data, get_format("pmml").media_type), graph.signature)
    rows = {k: [None if v != v else float(v) for v in col] for k, col in COMPARED_ROWS.items()}
    same_outputs(graph, model.predict(rows), COMPARED_ROWS)
    back = interchange.lift(data).graph
    assert back is not None and isinstance(back.model, ComparedCenter)
    step = graph.model
    assert isinstance(step, ComparedCenter)
    assert (back.model.metric, back.model.compare, back.model.scales) == (step.metric, step.compare, step.scales)
    np.testing.assert_array_equal(back.model.field_weights, step.field_weights)  # type: ignore[arg-type]
