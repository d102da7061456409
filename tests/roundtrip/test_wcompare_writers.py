"""Clustering measured field by field, segments weighed per row and selectAll's segment results written by
every target (ir.models.compared.ComparedCenter, ir.combine.variable_weight.VariableWeights,
ir.combine.select_all.AllSegments).

The documents: the golden and foreign PMML documents that lift into these steps
(tests/conformance/pmml_foreign/clustering_*, pmml_spec/mining_*variableweight, mining_*selectall),
and a foreign clustering document with its affinity outputs taken out (the model step is ComparedCenter
itself, not CenterAffinities over it). For each document and target:

* ``convert`` verifies (pypmml on the source against the target's engine; JPMML-Evaluator where
  pypmml departs), 200 rows;
* the written document's reference engine agrees with the IR evaluator (rtol 1e-9 / atol 1e-12,
  labels equal) on the conformance rows, 10% missing values in every field;
* generated Python agrees with the IR within 1e-12 on convert's rows and the conformance rows,
  generated Java through JUnit on the conformance rows.

What a target cannot express is refused by name (REFUSED).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.crossformat import _writer, convert_document, synthetic_rows
from interchange.document import Document
from interchange.formats.pmml.departures import departures
from interchange.model import get_format
from tests.conformance.foreign_rows import rows_for
from tests.conformance.lifting import (
    assert_python_agrees,
    differing_outputs,
    empty_text_as_missing,
    frame,
    lifted_outputs,
    quiet_lift,
    unless_refused,
)
from tests.roundtrip.test_golden_crossformat import jpmml_engine

CONFORMANCE = Path(__file__).parents[1] / "conformance"
FOREIGN = CONFORMANCE / "pmml_foreign"
SPEC = CONFORMANCE / "pmml_spec"
STEPS = {
    "clustering_compare_functions": "CenterAffinities",
    "clustering_weights_chebychev": "CenterAffinities",
    "clustering_measure_delta": "CenterAffinities",
    "clustering_compare_functions_plain": "ComparedCenter",
    "mining_weightedaverage_variableweight": "VariableWeights",
    "mining_class_weightedaverage_variableweight": "VariableWeights",
    "mining_selectall": "AllSegments",
    "mining_class_selectall": "AllSegments",
}
# (document, target) -> what the refusal says
REFUSED: dict[tuple[str, str], str] = {
    # a segment's label, missing where the segment does not fire: an ONNX string tensor has no null
    ("mining_class_selectall", "onnx"): "an ONNX string tensor has no null",
}


def _source(name: str) -> tuple[Path, bytes]:
    """The document's path (its rows are drawn from it) and its bytes."""
    if name == "clustering_compare_functions_plain":
        path = FOREIGN / "clustering_compare_functions.pmml"
        lines = path.read_bytes().splitlines(keepends=True)
        return path, b"".join(line for line in lines if b'feature="affinity"' not in line)
    path = FOREIGN / f"{name}.pmml" if name.startswith("clustering") else SPEC / f"{name}.pmml"
    return path, path.read_bytes()


def _rows(name: str, lifted: interchange.Lifted, n: int = 200) -> pd.DataFrame:
    path, _ = _source(name)
    frame = rows_for(path, n)
    return frame[[f.name for f in lifted.signature.inputs]]


@pytest.mark.parametrize("name", sorted(STEPS))
def test_the_documents_lift_into_the_steps(name: str) -> None:
    lifted = quiet_lift(_source(name)[1])
    assert lifted.ok and lifted.graph is not None, lifted.report()
    model = lifted.graph.model
    assert type(model).__name__ == STEPS[name]
    if STEPS[name] == "CenterAffinities":
        assert type(model.model).__name__ == "ComparedCenter"  # type: ignore[attr-defined]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("name", sorted(STEPS))
def test_the_step_converts_and_agrees_with_the_ir(name: str, target: str) -> None:
    _, data = _source(name)
    lifted = quiet_lift(data)
    assert lifted.graph is not None
    refused = REFUSED.get((name, target))
    converted = unless_refused(refused, lambda: convert_document(interchange.load(data), target, pmml_engine=jpmml_engine))
    if converted is None:
        return
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    written = _writer(target)(lifted.graph)
    document = Document(target, written, get_format(target).media_type)
    model = interchange.load(document, engine="reference")
    clustering = target == "pmml" and any(d.construct.startswith("ClusteringField") for d in departures(written))
    if clustering:  # pypmml departs on a missing delta / equal field: JPMML-Evaluator
        model = jpmml_engine(document, model.signature)
    X = _rows(name, lifted)
    if target == "pmml" and STEPS[name] == "VariableWeights":
        X = X[X.notna().all(axis=1)].reset_index(drop=True)  # (a missing weight field: pypmml's answer is not settled)
    got = model.predict(X)
    if target == "onnx":  # an ONNX string tensor has no null: a missing label or cluster is the empty string
        got = empty_text_as_missing(got)
    want = lifted_outputs(lifted, X)
    assert not differing_outputs(lifted, got, want)
    for f in lifted.signature.outputs:  # every output is computed, not left missing
        assert any(v is not None and v == v for v in np.asarray(got[f.name], dtype=object)), f.name


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", sorted(STEPS))
def test_generated_python_agrees_with_the_ir(name: str) -> None:
    lifted = quiet_lift(_source(name)[1])
    assert_python_agrees(lifted, (frame(synthetic_rows(lifted, 200)), _rows(name, lifted)))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written = []
    for i, name in enumerate(sorted(STEPS)):
        lifted = quiet_lift(_source(name)[1])
        assert lifted.graph is not None
        cases = interchange.batch.to_columns(_rows(name, lifted, 60), lifted.signature)  # 10% missing in every field
        written.append(from_graph(lifted.graph, f"Compared{i}", cases))
    assert len(run_junit(tmp_path, written)) == len(written)
