"""The PFA k-means writer on a clustering signature that asks for no cluster id (a PMML ClusteringModel
without Output): it writes the outputs there are (none), where it raised StopIteration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import interchange
from interchange.document import Document
from interchange.formats.pfa.emit.document import write_graph

SPEC = Path(__file__).resolve().parents[6] / "tests" / "conformance" / "pmml_spec" / "clustering_euclidean.pmml"


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_a_clustering_model_without_a_cluster_output_is_written_with_the_outputs_it_has(engine: str) -> None:
    pmml = re.sub(r"<Output>.*?</Output>", "", SPEC.read_text(), flags=re.S)
    lifted = interchange.lift(pmml.encode())
    assert lifted.ok and lifted.graph is not None, lifted.report()
    assert lifted.graph.signature.outputs == ()
    data = write_graph(lifted.graph)
    model = interchange.load(Document("pfa", data, "application/json"), engine=engine)
    assert model.info.engine == ("titus2" if engine == "reference" else "interchange-fast")
    assert model.predict({"x1": [0.0, None], "x2": [1.0, 2.0]}) == {}
