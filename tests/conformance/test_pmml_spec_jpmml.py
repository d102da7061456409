"""Hand-written PMML 4.4 documents for constructs the fast path took over from pypmml, held to
JPMML-Evaluator as well (test_pmml_spec.py already holds every ``pmml_spec/`` document to pypmml).

Each document runs on the fast path (Model.info must say so) over test_pmml_spec's generated rows
(missing values, invalid categories, values on every threshold) and must agree with
JPMML-Evaluator 1.x (``jpmml-evaluator`` on PyPI): numbers within rtol 1e-9 / atol 1e-12, labels
exactly, missing in the same places. A row JPMML refuses (an invalid value) is missing in every
output, as the fast path's refused rows are.

- ``ruleset_confidence_*``: RuleSetModel SimpleRules with ScoreDistributions (descriptive: no
  engine reads them) and the confidence output: the chosen rule's confidence (firstHit,
  weightedMax), the winner's total weight over the number of fired rules (weightedSum),
  defaultConfidence when no rule fires. JPMML-Evaluator picks weightedMax's winner by the
  per-score best rules' confidences rather than by weight (PMML 4.4 and pypmml: by weight); the
  documents order confidences as their weights, so the two readings agree on them.
- ``tx_lift_functions``: isIn / isNotIn over text, lifted into the IR's function table (checked
  against the lift here too: the IR graph must equal the fast path). median lifts too; JPMML-Evaluator
  does not define it ("Function median is not defined"), so tx_math_functions holds it to pypmml
  (test_pmml_spec.py) and test_lift_pmml.py holds its lift to the fast path.
- ``knn_regression_local_*``: k-NN whose KNNInputs are LocalTransformations fields.
- ``tx_strings``: uppercase, lowercase, trimBlanks, concat, replace, matches (lifted into the IR's
  TextDerive steps: test_lifted_functions_agree_with_the_fast_path holds the lift to the fast path).
- ``tx_trig_functions``: PMML 4.4 sin cos tan asin acos atan sinh cosh tanh (radians; asin / acos of
  a / 12, an exact quotient: acos of tanh(a) near 1 amplified a 1-ulp tanh difference past 1e-9), lifted
  into the IR's function table.
- ``tx_string_length``: stringLength (Java String.length, UTF-16 code units: test_text.py holds a character
  outside the Basic Multilingual Plane to both engines), lifted into the IR's pmml:stringLength TextDerive.
- ``tx_math44_functions``: expm1, ln1p (of a and of a / 1e9, where exp(x) - 1 and log(1 + x) lose digits),
  rint (of halves: to even, Java Math.rint) and hypot, lifted into the IR's function table.

VariableWeight (``mining_*_variableweight``): JPMML-Evaluator refuses the element, so those
documents are held to pypmml alone (test_pmml_spec.py), and here the fast path must answer them
itself, not hand the batch to pypmml.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import to_columns
from tests.conformance.test_pmml_spec import SPEC, _rows, _same

GENERAL = SPEC.parent / "pmml_general"

JPMML_DOCS = [
    "ruleset_confidence_firsthit",
    "ruleset_confidence_weightedmax",
    "ruleset_confidence_weightedsum",
    "tx_lift_functions",
    "knn_regression_local_transformed",
    "knn_regression_local_raw",
    "tx_strings",
    "tx_trig_functions",
    "tx_string_length",
    "tx_math44_functions",
]


# document -> (rows, outputs): rows where JPMML-Evaluator departs from pypmml, which the fast path
# follows there; they are left out of the comparison, and must differ (so a JPMML that comes to
# agree shows). A row refused for an invalid value: its boolean outputs read false in pypmml 1.5.8
# (followed, FastPMMLModel), missing in JPMML. k-NN with a missing input: JPMML measures the
# distance over the present inputs, pypmml (and PMML 4.4, which defines no distance then) gives no
# prediction (as test_pmml_jpmml.py states for JPMML-SkLearn's k-NN).
def _invalid_s(X: pd.DataFrame) -> np.ndarray:
    return (X["s"].notna() & ~X["s"].isin(["x", "yy", "Ab c"])).to_numpy()


def _missing_or_invalid_s(X: pd.DataFrame) -> np.ndarray:
    return _invalid_s(X) | X["s"].isna().to_numpy()


def _missing_x(X: pd.DataFrame) -> np.ndarray:
    return X[["x1", "x2"]].isna().any(axis=1).to_numpy()


JPMML_DEPARTS: dict[str, tuple[Callable[[pd.DataFrame], np.ndarray], tuple[str, ...]]] = {
    "tx_lift_functions": (_invalid_s, ("in", "notin")),
    "knn_regression_local_transformed": (_missing_x, ("prediction", "neighbor1")),
    "knn_regression_local_raw": (_missing_x, ("prediction", "neighbor1")),
    # text functions of a missing text: PMML 4.4 gives a missing result, which the fast path and the lift
    # follow (up, low, trim, rep agree); JPMML-Evaluator fails the whole row (MissingArgumentException), so
    # concat (which leaves a missing argument out, in JPMML-Evaluator too) and yhat are missing there, and
    # the boolean match reads false on the fast path (pypmml's missing boolean output, FastPMMLModel)
    "tx_strings": (_missing_or_invalid_s, ("cat", "match", "yhat")),
}
VARIABLE_WEIGHT = ["mining_weightedaverage_variableweight", "mining_class_weightedaverage_variableweight"]


def max_difference(expected: np.ndarray, actual: np.ndarray) -> float:
    """The largest |a - e| over rows where both are numbers (0.0 when there are none)."""
    e, a = np.asarray(expected, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    both = ~np.isnan(e) & ~np.isnan(a)
    return float(np.abs(a[both] - e[both]).max()) if both.any() else 0.0


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", JPMML_DOCS)
def test_spec_document_agrees_with_jpmml(name: str) -> None:
    from tests.roundtrip.helpers import jpmml_outputs

    document = (SPEC / f"{name}.pmml").read_bytes()
    auto = interchange.load(document)
    assert auto.info.engine == "interchange-fast", auto.info.reason
    X = _rows(document, auto.signature.input_names)
    expected = jpmml_outputs(document, to_columns(X, auto.signature), auto.signature, verify=False)
    actual = auto.predict(X)
    rows, departing = JPMML_DEPARTS.get(name, (lambda X: np.zeros(len(X), dtype=bool), ()))
    gone = rows(X)
    for f in auto.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        e, a = np.asarray(expected[f.name]), np.asarray(actual[f.name])
        if f.name in departing:
            assert _same(e[gone], a[gone], numeric), f"JPMML now agrees with the fast path on {f.name}: drop the exception"
            e, a = e[~gone], a[~gone]
        bad = _same(e, a, numeric)
        assert not bad, f"{f.name}: {len(bad)} rows differ, e.g. JPMML {e[bad[0]]!r}, fast {a[bad[0]]!r}"


@pytest.mark.filterwarnings("ignore")
def test_lifted_functions_agree_with_the_fast_path() -> None:
    """isIn / isNotIn (tx_lift_functions) and median (tx_math_functions) lift with no reason given,
    and the IR graph gives the fast path's answers (rtol 1e-9 / atol 1e-12, labels equal; a missing boolean
    output, tx_strings' match of a missing text, shown false by the fast path: lifting.disagreements)."""
    from tests.conformance.lifting import disagreements

    for name in (
        "tx_lift_functions",
        "tx_math_functions",
        "tx_strings",
        "tx_trig_functions",
        "tx_string_length",
        "tx_math44_functions",
    ):
        document = (SPEC / f"{name}.pmml").read_bytes()
        lifted = interchange.lift(document)
        assert lifted.ok, lifted.report()
        X = _rows(document, lifted.signature.input_names)
        assert not disagreements(lifted, interchange.load(document), X)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", VARIABLE_WEIGHT)
def test_variable_weights_run_on_the_fast_path_itself(name: str) -> None:
    """No batch of the generated rows is handed to pypmml (Defer), and the answers are pypmml's."""
    document = (SPEC / f"{name}.pmml").read_bytes()
    auto, reference = interchange.load(document), interchange.load(document, engine="reference")
    assert auto.info.engine == "interchange-fast", auto.info.reason
    X = _rows(document, auto.signature.input_names)
    actual = auto.predict(X)
    assert auto._reference is None, "a batch was handed to pypmml"  # type: ignore[attr-defined]
    expected = reference.predict(X)
    for f in auto.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        bad = _same(np.asarray(expected[f.name]), np.asarray(actual[f.name]), numeric)
        assert not bad, (f.name, X.iloc[bad[0]].to_dict(), expected[f.name][bad[0]], actual[f.name][bad[0]])


RESIDUAL = ["output_residual_regression", "output_residual_classification"]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", RESIDUAL)
def test_residual_follows_the_specification(name: str) -> None:
    """OutputField residual (``pmml_general/``): the target is an input of the signature. Against
    JPMML-Evaluator on rows whose target value is present and valid (JPMML fails a row without
    one; the fast path gives a missing residual there). pypmml 1.5.8 agrees on classification and
    gives predicted minus actual for a regression (PMML 4.4 and JPMML: actual minus predicted),
    checked as such so an upgrade that changes it shows."""
    from tests.roundtrip.helpers import jpmml_outputs

    document = (GENERAL / f"{name}.pmml").read_bytes()
    auto, reference = interchange.load(document), interchange.load(document, engine="reference")
    assert auto.info.engine == "interchange-fast", auto.info.reason
    assert "y" in auto.signature.input_names
    X = _rows(document, auto.signature.input_names)
    actual, theirs = auto.predict(X), reference.predict(X)
    valid = X["y"].notna()
    if "classification" in name:
        valid &= X["y"].isin(["lo", "mid", "hi"])
    assert valid.sum() > 100 and (~valid).sum() > 10
    resid = np.asarray(actual["resid"], dtype=np.float64)
    assert np.isnan(resid[X["y"].isna().to_numpy()]).all()
    complete = X[valid].reset_index(drop=True)
    expected = jpmml_outputs(document, to_columns(complete, auto.signature), auto.signature, verify=False)
    mine = auto.predict(complete)
    for f in auto.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        bad = _same(np.asarray(expected[f.name]), np.asarray(mine[f.name]), numeric)
        assert not bad, (f.name, complete.iloc[bad[0]].to_dict(), expected[f.name][bad[0]], mine[f.name][bad[0]])
    pypmml_resid = np.asarray(theirs["resid"], dtype=np.float64)
    if "regression" in name:  # pypmml's sign
        pypmml_resid = -pypmml_resid
    assert not _same(pypmml_resid, resid, True)


@pytest.mark.filterwarnings("ignore")
def test_isolation_forest_score_follows_the_specification() -> None:
    """AnomalyDetectionModel iforest (``pmml_general/anomaly_iforest``): score = 2^(-h / c(n)),
    c(n) = 2 (ln(n - 1) + Euler's constant) - 2 (n - 1) / n. JPMML-Evaluator (this version) does not
    support the element. pypmml 1.5.8 writes Euler's constant as 0.57721566, about 1e-9 relative
    off in the score: held to pypmml within rtol 1e-8, and to the specification's constant applied
    to pypmml's own mean path lengths (h recovered from its score) within rtol 1e-12."""
    import math

    document = (GENERAL / "anomaly_iforest.pmml").read_bytes()
    auto, reference = interchange.load(document), interchange.load(document, engine="reference")
    assert auto.info.engine == "interchange-fast", auto.info.reason
    X = _rows(document, auto.signature.input_names)
    mine, theirs = auto.predict(X), reference.predict(X)
    got, pypmml = np.asarray(mine["anomalyScore"], dtype=float), np.asarray(theirs["anomalyScore"], dtype=float)
    assert not np.isnan(got).any() and not np.isnan(pypmml).any()
    np.testing.assert_allclose(got, pypmml, rtol=1e-8, atol=0)
    n = 8.0
    c_pypmml = 2.0 * (math.log(n - 1.0) + 0.57721566) - 2.0 * (n - 1.0) / n
    c_spec = 2.0 * (math.log(n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n
    h = -np.log2(pypmml) * c_pypmml
    np.testing.assert_allclose(got, np.power(2.0, -h / c_spec), rtol=1e-12, atol=0)
    assert len(set(np.round(h, 6))) > 3  # the rows reach several leaves
    flagged = np.asarray(mine["anomaly"]).astype(bool)
    assert list(flagged) == list(got > 0.55) and list(np.asarray(theirs["anomaly"]).astype(bool)) == list(pypmml > 0.55)


LIFTED_STEPS = {
    "mining_weightedaverage_variableweight": "VariableWeights",
    "mining_class_weightedaverage_variableweight": "VariableWeights",
    "mining_selectall": "AllSegments",
    "mining_class_selectall": "AllSegments",
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", sorted(LIFTED_STEPS))
def test_segment_steps_lift_and_unwritten_ones_are_refused_by_name(name: str) -> None:
    """VariableWeight (ir/combine/variable_weight.py) and selectAll (ir/combine/select_all.py) lift into their own IR
    steps, which give the fast path's answers (pypmml's: test_pmml_spec.py); a step no graph writer or
    generator writes yet (codegen.registry.NOT_GENERATED) is refused by each by name (the written ones:
    tests/roundtrip/test_wcompare_writers.py)."""
    from interchange.codegen.registry import NOT_GENERATED
    from interchange.crossformat import convert_document
    from tests.conformance.lifting import disagreements

    document = (SPEC / f"{name}.pmml").read_bytes()
    lifted = interchange.lift(document)
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None and type(lifted.graph.model).__name__ == LIFTED_STEPS[name]
    auto = interchange.load(document)
    assert not disagreements(lifted, auto, _rows(document, lifted.signature.input_names))
    if LIFTED_STEPS[name] not in NOT_GENERATED:
        return
    for target in ("pmml", "pfa", "onnx"):
        with pytest.raises(interchange.UnsupportedModelError, match=LIFTED_STEPS[name]):
            convert_document(auto, target)
    for lang in ("python", "java"):
        with pytest.raises(interchange.UnsupportedModelError, match=LIFTED_STEPS[name]):
            interchange.codegen(lifted, lang)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["mining_selectall", "mining_class_selectall"])
def test_selectall_agrees_with_jpmml_where_it_answers(name: str) -> None:
    """JPMML-Evaluator 1.6 answers a selectAll document's OutputField segmentId only on rows where one
    segment fires (it fails the others: every output missing), and agrees with the fast path and
    the lift there; pypmml gives each fired segment's result on every row (test_pmml_spec.py), as
    the fast path does. The rows JPMML fails are checked to exist, so a JPMML that answers them shows.
    A label where the two categories' probabilities tie within rounding (0.5 +- 1e-12; the generated
    rows sit on every threshold) is not compared: the order of the sum picks the side."""
    from tests.roundtrip.helpers import jpmml_outputs

    document = (SPEC / f"{name}.pmml").read_bytes()
    auto = interchange.load(document)
    X = _rows(document, auto.signature.input_names)
    theirs = jpmml_outputs(document, to_columns(X, auto.signature), auto.signature, verify=False)
    ours = auto.predict(X)
    answered = np.zeros(len(X), dtype=bool)
    for f in auto.signature.outputs:
        answered |= np.array([v is not None and v == v for v in theirs[f.name]])
    assert 0 < answered.sum() < len(X)
    for f in auto.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        keep = answered.copy()
        if f.name.startswith("label"):  # a label on a two-way tie within rounding (p = 0.5 +- 1e-12): either side
            p = np.asarray(ours[f.name.replace("label", "yes")], dtype=np.float64)
            keep &= ~(np.abs(p - 0.5) < 1e-12)
        e, a = np.asarray(theirs[f.name])[keep], np.asarray(ours[f.name])[keep]
        assert not _same(e, a, numeric), f.name


@pytest.mark.filterwarnings("ignore")
def test_numeric_isin_lifts_as_the_specification_reads_it() -> None:
    """isIn over a double field (``fallback_isin_numeric``): the lift finds 1.0 in {1, 3}, as PMML 4.4 and
    JPMML-Evaluator do; pypmml 1.5.8 finds it in no set (formats/pmml/departures.py names the construct),
    so the fast path declines the document. Rows on the set's values, beside them and missing."""
    from interchange.formats.pmml.departures import departures
    from tests.conformance.lifting import lifted_outputs
    from tests.roundtrip.helpers import jpmml_outputs

    document = (SPEC / "fallback_isin_numeric.pmml").read_bytes()
    lifted = interchange.lift(document)
    assert lifted.ok, lifted.report()
    X = pd.DataFrame({"a": [1.0, 3.0, 2.0, np.nan, 1.5, -1.0, 3.0000001]})
    ours = lifted_outputs(lifted, X)
    theirs = jpmml_outputs(document, to_columns(X, lifted.signature), lifted.signature, verify=False)
    for f in lifted.signature.outputs:
        assert not _same(np.asarray(theirs[f.name]), np.asarray(ours[f.name]), True), f.name
    assert list(np.asarray(ours["isin"], dtype=float)[:2]) == [1.0, 1.0]
    pypmml = interchange.load(document, engine="reference").predict(X)
    assert not any(np.asarray(pypmml["isin"], dtype=float)[:2])  # pypmml's departure, checked so a fix shows
    assert "Apply isIn / isNotIn over a number" in {d.construct for d in departures(document)}
