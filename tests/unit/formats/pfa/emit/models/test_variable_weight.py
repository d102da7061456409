"""VariableWeights as PFA: titus2 gives the IR's values, each row weighed by its field; a fired segment whose
weight is missing or not positive fails the record (an ``error``: the IR's RecordError)."""

from __future__ import annotations

import json

import pytest

from interchange.crossformat import _writer
from tests.roundtrip.wcompare_graphs import WEIGHED_ROWS, reference_outputs, same_outputs, weighed_graph


@pytest.mark.filterwarnings("ignore")
def test_written_segments_weigh_each_row() -> None:
    graph = weighed_graph()
    data = _writer("pfa")(graph)
    same_outputs(graph, reference_outputs("pfa", data, WEIGHED_ROWS), WEIGHED_ROWS)
    assert "VariableWeight w of segment 1 is missing or not positive" in json.dumps(json.loads(data)["action"])


@pytest.mark.filterwarnings("ignore")
def test_a_weight_that_is_not_positive_fails_the_record() -> None:
    from interchange.formats.pfa.titus import engine_class

    (engine,) = engine_class().fromJson(json.loads(_writer("pfa")(weighed_graph())))
    assert engine.action({"x": 1.0, "w": 2.0}) is not None
    with pytest.raises(Exception, match="VariableWeight w of segment 1"):
        engine.action({"x": 1.0, "w": 0.0})
