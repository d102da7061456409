"""Golden PMML documents converted with the conformance tests' rows (10% missing values in every field).

``convert_document`` replays, by default, rows with missing values only where the document
handles them; ``benchmarks/golden_conversion_table.py --rows golden`` replays the conformance rows
(``tests/conformance/test_pmml_spec._rows``: a missing value anywhere, unseen categories), where
the written documents must do what the IR does with a missing value. Each case here differed with
those rows before (issue 14 item 3): ``CONVERTS`` now converts (a writer fixed, or an empty text that
stands for none read as none), ``NAMED`` still differs with its cause (both PMML engines' departures)
in the verification's message, ``REFUSED`` is refused by name (what ONNX cannot hold).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import interchange
from interchange.crossformat import convert_document
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.test_golden_crossformat import jpmml_engine

CONFORMANCE = Path(__file__).parents[1] / "conformance"

# (document, target): each differed on these rows before
CONVERTS = [
    # the writer left a missing value's handling out (fixed there)
    ("knn_regression_local_raw", "pfa"),  # k-NN over derived (NaN) inputs: no prediction, no neighbour ids
    ("knn_regression_local_transformed", "pfa"),
    ("targets_rescale", "pfa"),  # Targets min / max of a missing value: PFA orders NaN above every number
    ("targets_default_general", "pfa"),  # a GLM's missing input failed the record: NaN, then the defaultValue
    ("output_display_values", "onnx"),  # the display value of no label: LabelEncoder's default "_Unused"
    # ONNX has no null text: the IR writer's "" is read as none (formats/onnx/departures.py MISSING_TEXT)
    ("clustering_euclidean", "onnx"),
    ("svm_binary_coefficients", "onnx"),
    # pypmml's empty entityId where PMML 4.4 gives none (formats/pmml/departures.py EMPTY_TEXT)
    ("tree_aggregate_nodes", "pfa"),
    ("tree_weighted_confidence", "pfa"),
    ("tree_regression_aggregate_nodes", "pfa"),
    ("tree_regression_aggregate_nodes", "onnx"),
]
# (document, target) -> what the verification says: still differing on these rows, where both PMML engines depart
# from PMML 4.4 (pypmml first, then JPMML-Evaluator, which convert turns to), each named in formats/pmml/departures.py
NAMED = {
    ("tx_logic", "pfa"): "MissingArgumentException",
    ("general_multinomial_missing", "pfa"): "a row with a missing factor no result",
    ("output_residual_regression", "pfa"): "where the actual value is missing",
    ("spec_aggregate_nodes_probabilities", "pfa"): "gives the virtual Node no probabilities",
    ("segments_class_majorityvote", "onnx"): "vote probabilities, missing votes and ties",
}
# (document, target) -> what the refusal says: what the target format cannot hold
REFUSED = {
    ("targets_prior_partial", "onnx"): "without a priorProbability for 'mid'",
    ("output_residual_classification", "onnx"): "a classification's residual",
}


def _convert(name: str, target: str) -> interchange.Converted:
    path = next(CONFORMANCE.glob(f"pmml_*/{name}.pmml"))
    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(data)
        rows = _rows(data, lifted.signature.input_names, n=200)
        return convert_document(interchange.load(data), target, sample=rows, pmml_engine=jpmml_engine)


@pytest.mark.parametrize(("name", "target"), CONVERTS, ids=[f"{n}-{t}" for n, t in CONVERTS])
def test_converts_on_golden_rows(name: str, target: str) -> None:
    converted = _convert(name, target)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.parametrize(("name", "target"), list(REFUSED), ids=[f"{n}-{t}" for n, t in REFUSED])
def test_refused_by_name(name: str, target: str) -> None:
    with pytest.raises(interchange.UnsupportedModelError, match=REFUSED[name, target]):
        _convert(name, target)


def test_the_gap_is_stated() -> None:
    """Where the comparison read an empty text as none, the result's lineage says so and why."""
    converted = _convert("clustering_euclidean", "onnx")
    assert "ONNX string tensor has no null" in converted.lineage["onnx_empty_text"]
    converted = _convert("tree_regression_aggregate_nodes", "pfa")
    assert "pypmml shows the empty text" in converted.lineage["pmml_empty_text"]


@pytest.mark.parametrize(("name", "target"), list(NAMED), ids=[f"{n}-{t}" for n, t in NAMED])
def test_differs_with_the_departure_named(name: str, target: str) -> None:
    with pytest.raises(interchange.VerificationError, match=NAMED[name, target]):
        _convert(name, target)


@pytest.mark.parametrize("target", ["pmml", "pfa"])
def test_records_no_engine_judges_are_left_out_and_stated(target: str) -> None:
    """tx_strings' text functions of a missing text: pypmml reads "" (its departure), JPMML-Evaluator fails the
    record (MissingArgumentException), PMML 4.4 and the IR give those functions a missing result and go on.
    The records JPMML gives no result where pypmml answers them are left out, counted in the lineage; the
    rest agree with JPMML-Evaluator (pfa differed on these rows before: the IR read the missing text as "")."""
    converted = _convert("tx_strings", target)
    result = converted.verification.result
    assert result is not None and 100 < result.rows < 200
    said = converted.lineage["pmml_engine_unjudged"]
    assert f"{200 - result.rows} of 200 records" in said and "MissingArgumentException" in said
    assert "jpmml-evaluator" in converted.lineage["pmml_engine"]
