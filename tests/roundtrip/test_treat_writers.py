"""Golden PMML documents that lift into Treat (MiningField treatments, DataField validity) or Reported
(Output expressions), written back by every writer and by the Python code generator.

For each such document (tests/conformance/pmml_*) and each target (pmml, pfa, onnx):

* the IR graph is written by the target's graph writer and the written document's reference
  engine (pypmml, titus2, onnxruntime) agrees with the IR evaluator, rtol 1e-9 / atol 1e-12, on
  ``convert``'s rows, which put the values a treatment is about (listed valid / invalid / missing
  values, interval margins and outlier bounds, each and one either side, an unlisted category) in
  about 30% of a treated field's rows and missing values in 10%; PMML on the conformance rows too.
  A record the IR refuses (RecordError: returnInvalid) must be refused by the engine (every output
  missing: ``Model.score``), and the other way round. Where pypmml differs on a written PMML
  document holding a construct it departs from PMML 4.4 on (formats/pmml/departures.py: Discretize
  mapMissingTo / defaultValue), JPMML-Evaluator on the written document is held to the IR instead;
* JPMML-Evaluator gives on the written PMML what it gives on the source, refusals included;
* ``interchange.convert`` (pypmml on the source against the target's engine) verifies, except where
  pypmml departs from PMML 4.4 on the source (PYPMML_DEPARTS).

A target that cannot take a document refuses with UnsupportedModelError naming the construct
(REFUSED), as every target does a graph holding an IR step no writer writes yet
(``lifting.unwritten``). Generated Python agrees with the IR evaluator within 1e-12 on the same rows (a refused
record: ValueError), for every document.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import to_columns
from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
from interchange.crossformat import synthetic_rows
from interchange.formats.pmml.departures import departures
from interchange.ir.graph import Graph
from interchange.ir.reported import Reported
from interchange.ir.validity import Treat
from interchange.verification import compare
from tests.conformance.lifting import (
    differing_outputs,
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


def _treated(graph: Graph) -> bool:
    return isinstance(graph.model, Reported) or any(isinstance(s, Treat) for s in graph.steps)


DOCUMENTS = documents_lifting_into(GOLDEN, _treated)
# (document, target) -> what the refusal says: in ONNX a text figure that may be missing (a string output has no null)
REFUSED: dict[tuple[str, str], str] = {
    ("tx_discretize", "onnx"): "a text Output expression that may be missing",
    # text functions (TextDerive): ONNX has no exact case change (formats/onnx/emit/text.py); PFA writes them (emit/text.py)
    ("tx_strings", "onnx"): "the text function s.upper \\(TextDerive\\)",
    # formatNumber is Java's String.format (no PFA form); ai.onnx has no substring of a text tensor
    ("tx_number_text", "pfa"): "the text function pmml:formatNumber \\(TextDerive\\)",
    ("tx_number_text", "onnx"): "the text function pmml:substring \\(TextDerive\\)",
    # PMML 4.4's newer built-ins: no exact PFA / ONNX form of expm1 (exp(x) - 1 loses a small x's digits), no double
    # Tan kernel in onnxruntime, no text length in ai.onnx (test_pmml44_writers.py)
    ("tx_math44_functions", "pfa"): "the IR function 'expm1'",
    ("tx_math44_functions", "onnx"): "the IR function 'expm1'",
    ("tx_trig_functions", "onnx"): "no double kernel for ai.onnx Tan",
    ("tx_string_length", "onnx"): "the text function pmml:stringLength \\(TextDerive\\)",
}
# document -> the fields whose text a text function reads: where it is missing, the IR's result is missing (PMML 4.4;
# formats/pmml/read/ir/text.py) and JPMML-Evaluator fails the whole record, so it gives the source no value there
BLANK_TEXTS = {"tx_strings": ("s",), "tx_number_text": ("s", "a")}  # (a: formatNumber(a) is a text read)
# document -> why JPMML-Evaluator cannot judge it: then pypmml on the written PMML must give what it gives on the source
NO_JPMML = {"anomaly_iforest": "JPMML-Evaluator 0.16 does not take AnomalyDetectionModel (pypmml's c(n) is ~1e-9 off)"}


def test_the_documents_are_there() -> None:
    assert len(DOCUMENTS) == 29, [p.stem for p in DOCUMENTS]


def _probed(lifted: interchange.Lifted, X: pd.DataFrame) -> None:
    """The rows hold what each treatment is about: a missing value and, where validity is declared, an invalid one."""
    assert lifted.graph is not None
    columns = to_columns(X, lifted.signature)
    for step in lifted.graph.steps:
        if isinstance(step, Treat):
            bad, gone = step.classify(np.asarray(columns[step.inputs[0]]))
            assert gone.any(), step.inputs[0]
            if step.valid or step.invalid_values or step.intervals:
                assert bad.any(), step.inputs[0]


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
    X = frame(synthetic_rows(lifted, 200))
    if target == "pmml":
        X = pd.concat([X, _rows(data, lifted.signature.input_names, n=200)], ignore_index=True)
    _probed(lifted, X)
    want = lifted_outputs(lifted, X)
    bad = differing_outputs(lifted, want, model.score(X).outputs, ("IR", "engine"))
    if target == "pmml" and path.stem in NO_JPMML:  # (pypmml departs; JPMML takes no such document: as on the source)
        source = interchange.load(data, engine="reference").score(X).outputs
        assert not differing_outputs(lifted, source, model.score(X).outputs, ("source", "written")), NO_JPMML[path.stem]
        return
    if target == "pmml" and path.stem in PYPMML_DEPARTS:
        assert bad, f"pypmml now agrees with the IR on {path.stem}: drop the stated exception"
    elif target == "pmml" and bad and departures(model.document.data):  # a construct pypmml departs on: JPMML holds it
        written = jpmml_outputs(model.document.data, to_columns(X, lifted.signature), lifted.signature, verify=False)
        assert not differing_outputs(lifted, want, written, ("IR", "JPMML")), bad
    else:
        assert not bad, bad
    if target == "pmml":  # JPMML-Evaluator: the written document as the source, refusals included
        if path.stem in BLANK_TEXTS:  # (the rows where the field is there; where it is missing: as the IR, above)
            X = X[X[list(BLANK_TEXTS[path.stem])].notna().all(axis=1)].reset_index(drop=True)
        columns = to_columns(X, lifted.signature)
        source = jpmml_outputs(data, columns, lifted.signature, verify=False)
        written = jpmml_outputs(model.document.data, columns, lifted.signature, verify=False)
        assert not differing_outputs(lifted, source, written, ("source", "written"))


# (document, target) -> where pypmml departs from PMML 4.4 on the source beyond PYPMML_DEPARTS: ``convert`` (which
# replays pypmml) fails with a VerificationError naming the departure (formats/pmml/departures.py); with
# pmml_engine= (JPMML-Evaluator) it converts (test_golden_crossformat.py). To PMML it converts: pypmml reads the
# written Discretize as it reads the source's.
CONVERT_DEPARTS = {
    **{("tx_discretize_default_missing", t): "Discretize mapMissingTo / defaultValue" for t in ("pfa", "onnx")},
    **{("anomaly_iforest", t): "AnomalyDetectionModel iforest" for t in ("pfa", "onnx")},
    ("tx_number_text", "pmml"): "Apply formatNumber",  # (pypmml fails every record: nothing to verify against)
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("path", [p for p in DOCUMENTS if p.stem not in PYPMML_DEPARTS], ids=lambda p: p.stem)
def test_document_converts(path: Path, target: str) -> None:
    """``interchange.convert``: pypmml on the source against the target's engine, on convert's own rows."""
    refused = REFUSED.get((path.stem, target)) or unwritten(interchange.lift(path.read_bytes()))
    source = interchange.load(path.read_bytes())
    if refused:
        with pytest.raises(interchange.UnsupportedModelError, match=refused):
            interchange.convert(source, target)
        return
    departs = CONVERT_DEPARTS.get((path.stem, target))
    if departs:
        with pytest.raises(interchange.VerificationError, match=f"pypmml departs from PMML 4.4 on this document.*{departs}"):
            interchange.convert(source, target)
        return
    converted = interchange.convert(source, target)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_generated_python_agrees_with_the_ir(path: Path) -> None:
    lifted = interchange.lift(path.read_bytes())
    assert lifted.graph is not None
    if unwritten(lifted):  # a step no code generator writes yet: refused by name
        with pytest.raises(interchange.UnsupportedModelError, match=unwritten(lifted)):
            codegen(lifted.graph, "python")
        return
    module = load_python(codegen(lifted.graph, "python").source)
    cases = synthetic_rows(lifted, 200)
    want, got = ir_outputs(lifted.graph, cases), python_outputs(module, lifted.signature, cases)
    compare(lifted.signature, want, got, IR_TOLERANCE, format="generated python")
