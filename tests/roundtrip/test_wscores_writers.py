"""Figures beside a prediction written by every target: rule confidences, neighbour ids, SVM vote
shares and cluster affinities (ir.rules.RuleConfidence, ir.neighbors.NeighborIds, ir.svm.VoteShares,
ir.cluster.CenterAffinities).

The documents: the golden PMML documents that lift into these steps, and four written for these
tests (tests/roundtrip/wscores/: a binary SVM asking for probabilities, a firstHit rule set without
defaultConfidence, k-NN with an instanceIdVariable, k-means affinities without missing-value
weights). For each document and target:

* ``convert`` verifies (pypmml on the source against the target's engine; JPMML-Evaluator where
  pypmml departs), 200 rows;
* the written document's reference engine agrees with the IR evaluator (rtol 1e-9 / atol 1e-12,
  labels and ids equal) on the conformance rows, 10% missing values in every field (PMML, ONNX;
  PFA on convert's rows: a PFA record with a null the model cannot take fails), and every figure
  output is there and not all missing;
* generated Python agrees with the IR within 1e-12 on both row sets, generated Java through JUnit on
  the conformance rows.

What a target cannot express is refused by name (REFUSED).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python
from interchange.crossformat import convert_document, synthetic_rows
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares
from interchange.verification import compare
from tests.conformance.lifting import (
    assert_python_agrees,
    differing_outputs,
    documents_lifting_into,
    empty_text_as_missing,
    frame,
    lifted_outputs,
    quiet_lift,
    unless_refused,
    written_model,
)
from tests.conformance.test_lift_pmml import GOLDEN
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.test_golden_crossformat import jpmml_engine

FIGURES = (RuleConfidence, NeighborIds, VoteShares, CenterAffinities)
HERE = Path(__file__).parent / "wscores"


def _lifted(path: Path) -> interchange.Lifted:
    return quiet_lift(path.read_bytes())


DOCUMENTS = documents_lifting_into([*GOLDEN, *sorted(HERE.glob("*.pmml"))], lambda graph: isinstance(graph.model, FIGURES))
# (document, target) -> what the refusal says
REFUSED: dict[tuple[str, str], str] = {
    # no rule firing: the defaultScore with a missing confidence; onnxruntime's NaN figure drops the row's prediction
    ("ruleset_firsthit_no_default_confidence", "onnx"): "without a defaultConfidence",
}


def test_the_figure_steps_cover_documents() -> None:
    kinds = {type(getattr(_lifted(p).graph, "model", None)) for p in DOCUMENTS}
    assert kinds == set(FIGURES), kinds
    assert len(DOCUMENTS) >= 11, [p.stem for p in DOCUMENTS]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_figures_convert_and_agree_with_the_ir(path: Path, target: str) -> None:
    data = path.read_bytes()
    lifted = _lifted(path)
    assert lifted.graph is not None
    refused = REFUSED.get((path.stem, target))
    converted = unless_refused(refused, lambda: convert_document(interchange.load(data), target, pmml_engine=jpmml_engine))
    if converted is None:
        return
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    model = written_model(lifted, target)
    # PFA fails a record on a null the model cannot take, and a double ONNX Validate fails the batch on an unseen
    # category: there, convert's rows (missing values only where the document handles them, no unseen categories)
    texts = any(f.type == "string" for f in lifted.signature.inputs)
    if target == "pfa" or (target == "onnx" and texts):
        X = frame(synthetic_rows(lifted, 200))
    else:
        X = _rows(data, lifted.signature.input_names, n=200)
    got = model.predict(X)
    if target == "onnx":  # an ONNX string tensor has no null: a missing label or id is the empty string
        got = empty_text_as_missing(got)
    assert not differing_outputs(lifted, got, lifted_outputs(lifted, X))
    figures = [f.name for f in lifted.signature.outputs if f.kind not in ("label", "value")]
    assert figures
    for name in figures:  # each figure is computed, not left missing
        assert any(v is not None and v == v for v in np.asarray(got[name], dtype=object)), name


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_generated_python_computes_the_figures(path: Path) -> None:
    lifted = _lifted(path)
    assert_python_agrees(
        lifted, (frame(synthetic_rows(lifted, 200)), _rows(path.read_bytes(), lifted.signature.input_names, n=200))
    )


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_computes_the_figures(tmp_path: Path) -> None:
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written = []
    for i, path in enumerate(DOCUMENTS):
        lifted = _lifted(path)
        assert lifted.graph is not None
        rows = _rows(path.read_bytes(), lifted.signature.input_names, n=50)  # 10% missing values in every field
        cases = interchange.batch.to_columns(rows, lifted.signature)
        written.append(from_graph(lifted.graph, f"Figures{i}", cases))
    assert len(run_junit(tmp_path, written)) == len(written)


# --- SVC(probability=True): libsvm's coupled Platt probabilities --------------------------------------------


def _svc(classes: int) -> tuple[Any, pd.DataFrame]:
    from sklearn.datasets import make_classification
    from sklearn.svm import SVC

    X, y = make_classification(
        300, 4, n_informative=3, n_redundant=0, n_classes=classes, n_clusters_per_class=1, random_state=classes
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn 1.9 deprecates probability=True
        return SVC(probability=True, random_state=0).fit(frame[:200], y[:200]), frame


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("target", ["onnx", "pfa", "pmml"])
@pytest.mark.parametrize("classes", [2, 3, 4, 5])
def test_svc_probabilities_convert(classes: int, target: str) -> None:
    estimator, X = _svc(classes)
    if target == "pmml":
        with pytest.raises(interchange.UnsupportedModelError, match="no probability output"):
            interchange.convert(estimator, target, sample=X[:200])
        return
    converted = interchange.convert(estimator, target, sample=X[:200])
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    model = interchange.load(converted.document.data)
    held_out = X[200:].reset_index(drop=True)
    got, want = model.predict(held_out), estimator.predict_proba(held_out)
    for c in range(classes):
        np.testing.assert_allclose(np.asarray(got[f"probability_{c}"], dtype=float), want[:, c], rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("classes", [2, 3, 5])
def test_svc_probabilities_in_onnx_are_missing_where_an_input_is(classes: int) -> None:
    estimator, X = _svc(classes)
    converted = interchange.convert(estimator, "onnx", sample=X[:200])
    rows = X[200:220].reset_index(drop=True)
    rows.loc[[1, 5], "x2"] = np.nan
    scored = interchange.load(converted.document.data).score(rows)
    assert set(scored.refused) == {1, 5}  # NaN probabilities: no prediction for those rows, as in the IR


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("classes", [2, 3, 4, 5])
def test_svc_probabilities_generated_python(classes: int) -> None:
    estimator, X = _svc(classes)
    generated = codegen(estimator, "python", sample=X[:200])
    assert generated.result is not None and generated.result.rows == 200  # against scikit-learn, and the IR at 1e-12
    module = load_python(generated.source)
    held_out = interchange.batch.to_columns(X[200:], generated.signature)
    compare(generated.signature, ir_outputs(generated.graph, held_out), module.predict(held_out), IR_TOLERANCE, format="python")


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_svc_probabilities_generated_java(tmp_path: Path) -> None:
    from tests.unit.codegen.java.maven import run_junit

    written = []
    for classes in (2, 3, 4, 5):
        estimator, X = _svc(classes)
        written.append(codegen(estimator, "java", sample=X[:200], class_name=f"Svc{classes}"))  # JUnit: sklearn and IR
    assert len(run_junit(tmp_path, written)) == len(written)


# --- double ONNX graphs: no prediction where the IR has none (a missing input) --------------------------------

_SCORED = (
    "SupportVectorMachine",
    "NeuralNetwork",
    "Regression",
    "NearestNeighbors",
    "NearestCenter",
    "GaussianNaiveBayes",
    "CumulativeLink",
    "NormalizedClassifier",
    *(f.__name__ for f in FIGURES),
)
MISSING_DOCUMENTS = documents_lifting_into(GOLDEN, lambda graph: type(graph.model).__name__ in _SCORED)
# a value the document declares invalid (returnInvalid) or not among its categories: the double ONNX graph's Validate
# check fails the whole batch (formats/onnx/emit/validity.py), so these are replayed row by row elsewhere
BATCH_REFUSED = {"schema_invalid_asis", "schema_invalid_returninvalid", "schema_missing_replacement"}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", MISSING_DOCUMENTS, ids=lambda p: p.stem)
def test_onnx_gives_no_prediction_where_the_ir_gives_none(path: Path) -> None:
    """Labels, clusters and ids missing ("" in an ONNX string tensor) and numbers NaN exactly where the IR's are,
    on the conformance rows (10% missing values in every field; unseen categories made missing)."""
    data = path.read_bytes()
    lifted = _lifted(path)
    assert lifted.graph is not None
    model = written_model(lifted, "onnx")
    X = _rows(data, lifted.signature.input_names, n=200)
    for f in lifted.signature.inputs:  # an unseen category fails a Validate batch: made missing here
        if f.values:
            X[f.name] = [v if v in f.values else None for v in X[f.name]]
    assert X.isna().any(axis=1).any()
    if path.stem in BATCH_REFUSED:
        with pytest.raises(interchange.RecordError):
            model.predict(X)
        return
    got = empty_text_as_missing(model.predict(X))
    assert not differing_outputs(lifted, got, lifted_outputs(lifted, X))


# --- PFA array inputs (ir.arrays.ArrayItems) --------------------------------------------------------------------

ARRAY_DOCUMENTS = ["array_input_logistic", "array_input_network", "cluster_closest"]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ARRAY_DOCUMENTS)
def test_array_inputs_are_written_to_pfa_and_refused_by_onnx_and_pmml_by_name(name: str) -> None:
    data = (Path(__file__).parents[1] / "conformance" / "pfa_foreign" / f"{name}.pfa").read_bytes()
    lifted = interchange.lift(data)
    assert lifted.graph is not None
    (step,) = [s for s in lifted.graph.steps if type(s).__name__ == "ArrayItems"]
    size = step.length or len(step.outputs)  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    rows = [{"input": list(rng.normal(0, 2, size))} for _ in range(60)] + [{"input": None}]
    converted = convert_document(interchange.load(data), "pfa", sample=rows)
    assert converted.verification.result is not None and converted.verification.result.rows == 61
    with pytest.raises(interchange.UnsupportedModelError, match="variable-length array"):
        convert_document(interchange.load(data), "onnx", sample=rows)
    with pytest.raises(interchange.UnsupportedModelError, match="no PMML DataField holds"):
        convert_document(interchange.load(data), "pmml", sample=rows)
