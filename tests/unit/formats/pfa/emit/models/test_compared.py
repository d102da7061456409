"""ComparedCenter as PFA: every measure with every compare function, field weights and missing fields;
the reference engine gives the IR's clusters (none where no field is present)."""

from __future__ import annotations

import pytest

from interchange.crossformat import _writer
from tests.roundtrip.wcompare_graphs import COMPARED_ROWS, METRICS, compared_graph, reference_outputs, same_outputs


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("metric", METRICS)
def test_written_clustering_gives_the_irs_clusters(metric: str) -> None:
    graph = compared_graph(metric)
    same_outputs(graph, reference_outputs("pfa", _writer("pfa")(graph), COMPARED_ROWS), COMPARED_ROWS)
