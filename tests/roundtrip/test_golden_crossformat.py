"""Every golden PMML document that lifts, converted to each target with ``convert_document``.

For each document of tests/conformance/pmml_spec, pmml_trees, pmml_general and pmml_segments that
lifts, and each target (pmml, pfa, onnx): the document converts (lift -> the target's graph writer
-> replay of convert's own rows through the source's reference engine and the target's, rtol 1e-9 /
atol 1e-12, labels equal), or it is refused with the reason stated in NOT_CONVERTED, so a document
that stops converting, or starts, fails here.

Where pypmml departs from PMML 4.4 on a construct the document holds
(``interchange.formats.pmml.departures``), the PMML side is verified with JPMML-Evaluator
(``jpmml_engine``, test-time only: AGPL) where pypmml disagrees; ``benchmarks/golden_conversion_table.py``
does the same.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import Columns
from interchange.crossformat import convert_document
from interchange.document import Document
from interchange.errors import RecordError
from interchange.model import Model, ModelInfo, Scored
from interchange.signature import Signature
from tests.conformance.lifting import unwritten
from tests.conformance.test_lift_pmml import GOLDEN


class JPMMLModel(Model):
    """A PMML document evaluated by JPMML-Evaluator 0.16 (jpype): the second PMML reference, test-time only.

    A record JPMML fails (an invalid value under returnInvalid, no result) is refused with its error.
    """

    def __init__(self, document: Document, signature: Signature) -> None:
        from jpmml_evaluator import make_evaluator

        self.document = document
        self.signature = signature
        with tempfile.NamedTemporaryFile(suffix=".pmml") as tmp:
            tmp.write(document.data)
            tmp.flush()
            self._evaluator = make_evaluator(tmp.name, backend="jpype")
        self.info = ModelInfo("pmml", "jpmml-evaluator")

    def _predict_columns(self, columns: Columns) -> Columns:
        return self._score_columns(columns).outputs

    def _score_columns(self, columns: Columns) -> Scored:
        frame = pd.DataFrame({f.name: columns[f.name] for f in self.signature.inputs})
        result = self._evaluator.evaluateAll(frame)  # (the batch goes to the JVM pickled: full precision)
        errors = result["errors"].to_numpy() if "errors" in result else np.full(len(frame), None, dtype=object)
        target = self.signature.meta.get("target") or "target"
        out: Columns = {}
        for f in self.signature.outputs:
            name = f.name if f.name in result else target  # a predicted value JPMML names by the target field
            values = np.array(result[name].to_numpy(), dtype=object)
            if f.kind in ("probability", "value", "score", "decision") and f.type != "string":
                out[f.name] = np.array([np.nan if v is None or v != v else v for v in values], dtype=np.float64)
            else:  # a label column holding a missing value comes back as floats: 2.0 is the integer label 2
                whole = f.type == "integer"
                out[f.name] = np.array(
                    [None if v is None or v != v else int(v) if whole and isinstance(v, float) else v for v in values],
                    dtype=object,
                )
        refused = {i: RecordError(f"row {i}: JPMML-Evaluator: {e}", row=i) for i, e in enumerate(errors) if isinstance(e, str)}
        return Scored(out, refused)


def jpmml_engine(document: Document, signature: Signature) -> Model:
    """``convert_document``'s ``pmml_engine``: JPMML-Evaluator."""
    return JPMMLModel(document, signature)


def _lifting() -> list[Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [p for p in GOLDEN if (lifted := interchange.lift(p.read_bytes())).ok and lifted.graph is not None]


DOCUMENTS = _lifting()
TARGETS = ("pmml", "pfa", "onnx")

# (document, target) -> (error class, what it says): documents that do not convert, and why
_RANKED = (interchange.UnsupportedModelError, "ranked reason codes")  # a code that is none: an ONNX string has no null
_BOTH = (interchange.VerificationError, "departs from PMML 4.4")  # pypmml and JPMML-Evaluator both depart (stated there)
_VIRTUAL = ("tree_aggregate_nodes", "tree_weighted_confidence", "spec_aggregate_nodes_probabilities")
NOT_CONVERTED: dict[tuple[str, str], tuple[type[Exception], str]] = {
    **{
        (name, "onnx"): _RANKED
        for name in ("scorecard_missing_score", "scorecard_reason_codes_ties", "scorecard_no_reason_codes")
    },
    **{(name, "onnx"): _RANKED for name in ("scorecard_reason_codes_above", "scorecard_reason_codes_below")},
    # ties among five categories: pypmml follows its hash map, JPMML its own order (test_lift_pmml_reference.py)
    **{("segments_class_majorityvote_five", t): _BOTH for t in ("pfa", "onnx")},
    # classification median / weightedMedian: pypmml and JPMML take per-category medians / give no result
    **{(name, t): _BOTH for name in ("segments_class_median", "segments_class_weightedmedian") for t in ("pfa", "onnx")},
    # three-way vote ties: the IR takes the first category, pypmml the last, JPMML-Evaluator another (not settled;
    # to PMML it converts: pypmml breaks the written document's ties as the source's)
    **{("svm_ovo_rbf", t): (interchange.VerificationError, "predicts label") for t in ("pfa", "onnx")},
    ("tx_discretize", "onnx"): (interchange.UnsupportedModelError, "a text Output expression that may be missing"),
    # text functions (TextDerive): written to PFA (formats/pfa/emit/text.py); refused by ONNX's writer (onnx/emit/text.py)
    ("tx_strings", "onnx"): (interchange.UnsupportedModelError, "TextDerive"),
    # PMML's substring / formatNumber (pmml:substring, pmml:formatNumber): no writer writes them yet, each refuses by name
    ("tx_number_text", "pfa"): (interchange.UnsupportedModelError, "pmml:formatNumber"),
    ("tx_number_text", "onnx"): (interchange.UnsupportedModelError, "pmml:substring"),
    # PMML 4.4's newer built-ins: expm1 / ln1p / hypot have no exact PFA (titus2 computes exp(x) - 1, ...) or ONNX
    # form, onnxruntime has no double Tan / Asin / ..., ai.onnx no text length (test_pmml44_writers.py)
    ("tx_math44_functions", "pfa"): (interchange.UnsupportedModelError, "the IR function 'expm1'"),
    ("tx_math44_functions", "onnx"): (interchange.UnsupportedModelError, "the IR function 'expm1'"),
    ("tx_trig_functions", "onnx"): (interchange.UnsupportedModelError, "no double kernel for ai.onnx Tan"),
    ("tx_string_length", "onnx"): (interchange.UnsupportedModelError, "pmml:stringLength \\(TextDerive\\)"),
    # pypmml's c(n) has Euler's constant as 0.57721566 (scores ~1e-9 relative off) and JPMML-Evaluator 0.16 does not
    # take AnomalyDetectionModel: the written PFA / ONNX compute the specification's score (test_wtargets_writers.py)
    **{("anomaly_iforest", t): (interchange.VerificationError, "cannot evaluate it") for t in ("pfa", "onnx")},
    # Node A2's ScoreDistribution has no confidence: the IR and pypmml none (NaN; JPMML-Evaluator 0.0, no longer
    # consulted: pypmml's empty entityId is read as none, formats/pmml/departures.py EMPTY_TEXT); in ONNX a missing
    # confidence beside a prediction is refused
    **{
        (name, "onnx"): (interchange.UnsupportedModelError, "Node confidence that is missing beside a prediction")
        for name in ("tree_null_prediction", "spec_null_prediction_returnlast")
    },
    # weightedConfidence / aggregateNodes of a classification: a virtual result has no Node id, which ONNX cannot leave missing
    **{(name, "onnx"): (interchange.UnsupportedModelError, "virtual") for name in _VIRTUAL},
    # ONNX's only missing number is NaN (read as no prediction) and its label has no null
    ("targets_prior_partial", "onnx"): (interchange.UnsupportedModelError, "without a priorProbability"),
    ("output_residual_classification", "onnx"): (interchange.UnsupportedModelError, "a classification's residual"),
    ("tree_penalty_defaultchild", "onnx"): (interchange.UnsupportedModelError, "ScoreDistribution missing a category"),
    ("tree_penalty_lastprediction", "onnx"): (interchange.UnsupportedModelError, "probabilities but no score"),
    # selectAll's segment labels are missing where a segment does not fire: an ONNX string tensor has no null
    ("mining_class_selectall", "onnx"): (interchange.UnsupportedModelError, "an ONNX string tensor has no null"),
}


def test_the_golden_documents_that_lift_are_there() -> None:
    assert len(DOCUMENTS) >= 116, len(DOCUMENTS)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_golden_document_converts(path: Path, target: str) -> None:
    source = interchange.load(path.read_bytes())
    refused = unwritten(interchange.lift(path.read_bytes()))  # IR steps no graph writer writes yet
    if refused:
        with pytest.raises(interchange.UnsupportedModelError, match=refused):
            convert_document(source, target, pmml_engine=jpmml_engine)
        return
    expected = NOT_CONVERTED.get((path.stem, target))
    if expected:
        error, says = expected
        with pytest.raises(error, match=says):
            convert_document(source, target, pmml_engine=jpmml_engine)
        return
    converted = convert_document(source, target, pmml_engine=jpmml_engine)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
def test_cli_verifies_with_a_second_pmml_engine_where_pypmml_departs(tmp_path: Path) -> None:
    """``interchange convert --pmml-engine MODULE:FUNCTION``: cumulativeLink loglog, where pypmml takes exp(-exp(y))."""
    from typer.testing import CliRunner

    from interchange.cli import app

    source = next(p for p in DOCUMENTS if p.stem == "general_ordinal_loglog")
    out = tmp_path / "model.pfa"
    plain = CliRunner().invoke(app, ["convert", str(source), "-f", "pfa", "-o", str(out)])
    assert plain.exit_code != 0 and "pypmml departs from PMML 4.4" in plain.output, plain.output
    engine = "tests.roundtrip.test_golden_crossformat:jpmml_engine"
    result = CliRunner().invoke(app, ["convert", str(source), "-f", "pfa", "-o", str(out), "--pmml-engine", engine])
    assert result.exit_code == 0, result.output
    assert interchange.load(out).info.format == "pfa"


def test_a_pmml_engine_that_is_not_there_is_refused_by_name() -> None:
    from interchange.crossformat import pmml_engine_at

    with pytest.raises(interchange.UnsupportedModelError, match="no PMML engine at 'nowhere:engine'"):
        pmml_engine_at("nowhere:engine")


def test_every_stated_pypmml_departure_is_named_by_the_registry() -> None:
    """Each document test_lift_pmml_reference.py holds to JPMML because pypmml departs from PMML 4.4 there
    holds a construct formats/pmml/departures.py names; a plain regression holds none."""
    from interchange.formats.pmml.departures import departures
    from tests.conformance.test_lift_pmml_reference import PYPMML_DEPARTS

    by_name = {p.stem: p for p in GOLDEN}
    unnamed = [name for name in PYPMML_DEPARTS if not departures(by_name[name].read_bytes())]
    assert not unnamed, unnamed
    named = {d.construct for d in departures(by_name["general_ordinal_loglog"].read_bytes())}
    assert "GeneralRegressionModel cumulativeLink=loglog" in named
    assert not departures(by_name["regression_class_probit"].read_bytes())
