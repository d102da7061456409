"""ClusteringModel measured field by field (``pmml_foreign/clustering_*``, IR ComparedCenter): field
weights, the chebychev measure, compare functions gaussSim / delta / equal, a ComparisonMeasure's own
compareFunction, MissingValueWeights.

Each document runs on the fast path and lifts; both must agree with JPMML-Evaluator on every probe
row (rtol 1e-9 / atol 1e-12, labels equal) and with pypmml (test_foreign.py holds pypmml, and
JPMML-Evaluator on the rows pypmml answers otherwise). pypmml departs where a delta / equal field is
missing (formats/pmml/departures.py): checked here as exactly those rows, so a pypmml that comes to
agree shows. compareFunction="table" (Comparisons) is refused by name: neither engine evaluates it (both answer nothing).
Every graph writer and code generator writes the step: tests/roundtrip/test_wcompare_writers.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.batch import to_columns
from interchange.formats.pmml.departures import departures
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.compared import ComparedCenter
from tests.conformance.foreign_rows import rows_for
from tests.conformance.test_pmml_spec import _same

FOREIGN = Path(__file__).parent / "pmml_foreign"
DOCS = ["clustering_weights_chebychev", "clustering_compare_functions", "clustering_measure_delta"]


def _numeric(f: Any) -> bool:
    return f.kind in ("probability", "value", "score", "decision") and f.type != "string"


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", DOCS)
def test_compared_clustering_agrees_with_jpmml(name: str) -> None:
    from tests.roundtrip.helpers import jpmml_outputs

    path = FOREIGN / f"{name}.pmml"
    document = path.read_bytes()
    auto = interchange.load(document)
    assert auto.info.engine == "interchange-fast", auto.info.reason
    lifted = interchange.lift(document)
    assert lifted.ok, lifted.report()
    X = rows_for(path)
    expected = jpmml_outputs(document, to_columns(X, auto.signature), auto.signature, verify=False)
    actual = auto.predict(X)
    assert auto._reference is None, "a batch was handed to pypmml"  # type: ignore[attr-defined]
    for f in auto.signature.outputs:
        bad = _same(np.asarray(expected[f.name]), np.asarray(actual[f.name]), _numeric(f))
        assert not bad, (f.name, X.iloc[bad[0]].to_dict(), expected[f.name][bad[0]], actual[f.name][bad[0]])
    assert lifted.graph is not None
    model = lifted.graph.model
    assert isinstance(model, CenterAffinities) and isinstance(model.model, ComparedCenter)
    assert len(set(actual["cluster"])) == len(model.model.ids)  # every cluster is reached


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", DOCS)
def test_pypmml_departs_only_on_a_missing_delta_or_equal_field(name: str) -> None:
    path = FOREIGN / f"{name}.pmml"
    document = path.read_bytes()
    auto, reference = interchange.load(document), interchange.load(document, engine="reference")
    X = rows_for(path)
    actual, theirs = auto.predict(X), reference.predict(X)
    differ: set[int] = set()
    for f in auto.signature.outputs:
        differ.update(_same(np.asarray(theirs[f.name]), np.asarray(actual[f.name]), _numeric(f)))
    compared = {"clustering_compare_functions": ["k", "m"], "clustering_measure_delta": ["x", "y"]}.get(name, [])
    stated = set(np.flatnonzero(X[compared].isna().any(axis=1).to_numpy()).tolist()) if compared else set()
    assert differ <= stated, sorted(differ - stated)[:5]
    named = {d.construct for d in departures(document)}
    assert ("ClusteringField compareFunction delta / equal" in named) == bool(compared)
    if compared:
        assert differ, "pypmml now agrees on missing delta / equal fields: drop the departure"


def test_a_comparisons_table_is_refused_by_name() -> None:
    document = (FOREIGN / "clustering_compare_functions.pmml").read_bytes()
    table = document.replace(
        b'<ClusteringField field="m" compareFunction="equal"/>',
        b'<ClusteringField field="m" compareFunction="table"><Comparisons><Matrix kind="diagonal">'
        b'<Array n="3" type="real">0 0 0</Array></Matrix></Comparisons></ClusteringField>',
    )
    lifted = interchange.lift(table)
    assert not lifted.ok and "compareFunction=table" in str(lifted.reasons[0])
    assert "compareFunction=table" in interchange.load(table).info.reason
