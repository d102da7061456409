"""Golden PMML documents that lift into the newer IR steps, written back by every writer and the code generator.

The documents (tests/conformance/pmml_*) lift into GeneralizedLinear, CumulativeLink,
NormalizedClassifier, Scorecard, RuleSet, Segmentation or PredicateColumn. For each one and
each target (pmml, pfa, onnx):

* the IR graph is written by the target's graph writer and the written document's reference
  engine (pypmml, titus2, onnxruntime) agrees with the IR evaluator, rtol 1e-9 / atol 1e-12,
  labels equal: on the conformance rows (10% missing values in every field, unseen categories)
  for PMML, on the rows ``convert`` draws (missing values only where the document handles them:
  PFA fails a record on a null the model cannot take) for PFA and ONNX;
* JPMML-Evaluator, on the rows without missing values (JPMML departs from PMML 4.4 on missing
  factors, test_lift_pmml_reference.py), either agrees with the IR on a written PMML document or
  gives exactly what it gives for the source (where it departs from PMML 4.4 on the source:
  vote ties, medians, weightedMax), except where stated (JPMML_WRITTEN_DEPARTS);
* ``interchange.convert`` (pypmml on the source against the target's engine) verifies, except for
  documents where pypmml departs from PMML 4.4 (PYPMML_DEPARTS): the writers write PMML 4.4's
  meaning, which pypmml does not compute there.

A target that cannot take a document refuses with UnsupportedModelError naming the construct
(REFUSED), checked too, so a cell that starts or stops converting shows. A graph holding an IR step
no writer writes yet (``lifting.unwritten``: node figures, targets, ...) is refused by every target
naming that step. Generated Python and Java are checked on every golden document that lifts in
test_codegen_golden.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.batch import to_columns
from interchange.crossformat import synthetic_rows
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.predicates import PredicateColumn
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard
from tests.conformance.lifting import (
    differing_outputs,
    disagreements,
    documents_lifting_into,
    frame,
    lifted_outputs,
    unless_refused,
    unwritten,
    written_model,
)
from tests.conformance.test_lift_pmml import GOLDEN
from tests.conformance.test_lift_pmml_reference import PYPMML_DEPARTS
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.helpers import jpmml_outputs

NEW_STEPS = (GeneralizedLinear, CumulativeLink, NormalizedClassifier, Scorecard, RuleSet, Segmentation)


DOCUMENTS = documents_lifting_into(
    GOLDEN, lambda graph: isinstance(graph.model, NEW_STEPS) or any(isinstance(s, PredicateColumn) for s in graph.steps)
)
# (document, target) -> what the refusal says: ranked reason codes in ONNX (a code is none where it has no
# positive points or the score is missing; an ONNX string output has no null, and the runtime reads every
# string as a value)
REFUSED: dict[tuple[str, str], str] = {
    ("scorecard_missing_score", "onnx"): "ranked reason codes",
    ("scorecard_reason_codes_ties", "onnx"): "ranked reason codes",
    ("scorecard_no_reason_codes", "onnx"): "ranked reason codes",
    ("scorecard_reason_codes_above", "onnx"): "ranked reason codes",
    ("scorecard_reason_codes_below", "onnx"): "ranked reason codes",
    # a Node whose ScoreDistribution has no confidence: NaN beside a prediction, which the ONNX runtime reads as none
    ("tree_null_prediction", "onnx"): "Node confidence that is missing beside a prediction",
    ("spec_null_prediction_returnlast", "onnx"): "Node confidence that is missing beside a prediction",
}
# (document, target) -> the text output an ONNX string gives as "" (it has no null) on the rows where the IR
# predicts nothing (NaN scores: ``score`` refuses those rows, as ``convert`` verifies)
NO_NULL_TEXT: dict[tuple[str, str], str] = {("tree_sets_lastprediction", "onnx"): "node"}
# documents whose entityId pypmml gives as "" where there is no prediction (PMML 4.4 and JPMML-Evaluator: none);
# ``convert`` reads that "" as none (formats/pmml/departures.py EMPTY_TEXT) and says so in the lineage
PYPMML_NO_ENTITY = ("tree_null_prediction", "tree_sets_lastprediction")
# document -> where JPMML-Evaluator departs from PMML 4.4 (and the IR) on the written document
JPMML_WRITTEN_DEPARTS: dict[str, str] = {
    "scorecard_no_reason_codes": "useReasonCodes=false with reasonCode OutputFields: JPMML fails every record, as on the source",
    "mining_class_median": "classification median: JPMML departs on source and written, differently (not investigated)",
    **{
        name: "Segment VariableWeight: JPMML-Evaluator 1.6 refuses the element, on source and written alike"
        for name in ("mining_weightedaverage_variableweight", "mining_class_weightedaverage_variableweight")
    },
}


def test_the_new_steps_cover_documents() -> None:
    assert len(DOCUMENTS) >= 60, [p.stem for p in DOCUMENTS]


def _rows_for(data: bytes, lifted: interchange.Lifted, target: str):  # noqa: ANN202
    if target == "pmml":
        return _rows(data, lifted.signature.input_names, n=200)
    return frame(synthetic_rows(lifted, 200))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_written_document_agrees_with_the_ir(path: Path, target: str) -> None:
    data = path.read_bytes()
    lifted = interchange.lift(data)
    refused = REFUSED.get((path.stem, target)) or unwritten(lifted)
    model = unless_refused(refused, lambda: written_model(lifted, target))
    if model is None:
        return
    X = _rows_for(data, lifted, target)
    bad = disagreements(lifted, model, X)
    if (path.stem, target) in NO_NULL_TEXT:
        bad = _blank_text(lifted, model, X, NO_NULL_TEXT[path.stem, target], bad)
    if target == "pmml" and path.stem in PYPMML_DEPARTS:  # as on the source
        assert bad, f"pypmml now agrees with the IR on {path.stem}: drop the stated exception"
    else:
        assert not bad, bad
    if target == "pmml" and path.stem not in JPMML_WRITTEN_DEPARTS:
        complete = X[X.notna().all(axis=1)].reset_index(drop=True)  # JPMML departs on missing values (JPMML_DEPARTS)
        columns = to_columns(complete, lifted.signature)
        got = jpmml_outputs(model.document.data, columns, lifted.signature, verify=False)
        if _differing(lifted, lifted_outputs(lifted, complete), got):  # then JPMML must read the source the same way
            assert not _differing(lifted, jpmml_outputs(data, columns, lifted.signature, verify=False), got)


def _blank_text(lifted: interchange.Lifted, model: interchange.Model, X, field: str, bad: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The disagreements once ``field`` is missing where the IR predicts nothing; ``bad`` must hold that field's."""
    assert any(b.startswith(f"{field}:") for b in bad), f"{field} now agrees: drop the stated exception"
    got = model.predict(X)
    want = lifted_outputs(lifted, X)
    none = np.array([v is None or v != v for v in want[next(f.name for f in lifted.signature.outputs if f.kind == "value")]])
    assert all(v == "" for v in np.asarray(got[field], dtype=object)[none]), "a row with no prediction gives an id"
    got[field] = np.where(none, None, np.asarray(got[field], dtype=object))
    return differing_outputs(lifted, got, want)


def _differing(lifted: interchange.Lifted, want: dict, got: dict) -> list[str]:  # type: ignore[type-arg]
    bad = []
    for f in lifted.signature.outputs:
        e, a = np.asarray(want[f.name]), np.asarray(got[f.name])
        if f.kind in ("probability", "value", "decision") or (f.kind == "score" and f.type != "string"):
            e, a = e.astype(float), a.astype(float)
            same = (np.isnan(e) & np.isnan(a)) | (np.abs(a - e) <= 1e-12 + 1e-9 * np.abs(np.nan_to_num(e)))
            if not same.all():
                bad.append(f.name)
        elif [None if v is None else str(v) for v in e] != [None if v is None else str(v) for v in a]:
            bad.append(f.name)
    return bad


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("path", [p for p in DOCUMENTS if p.stem not in PYPMML_DEPARTS], ids=lambda p: p.stem)
def test_document_converts(path: Path, target: str) -> None:
    """``interchange.convert``: pypmml on the source against the target's engine, on convert's own rows."""
    refused = REFUSED.get((path.stem, target)) or unwritten(interchange.lift(path.read_bytes()))
    source = interchange.load(path.read_bytes())
    converted = unless_refused(refused, lambda: interchange.convert(source, target))
    if converted is None:
        return
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    if path.stem in PYPMML_NO_ENTITY:
        assert "pypmml shows the empty text" in converted.lineage["pmml_empty_text"]
