"""Golden PMML documents that lift into the IR's newer steps, against the reference engines.

Documents whose IR graph holds a Segmentation, GeneralizedLinear, CumulativeLink, Scorecard or
RuleSet step, or comes from a GeneralRegressionModel, are evaluated by the IR and by pypmml
1.5.8 (``engine="reference"``: whole batches as JSON records) on the document's own rows
(tests/conformance/test_pmml_spec._rows: values at the document's edges, unseen categories,
missing values); numbers within rtol 1e-9 / atol 1e-12, labels and reason codes equal.

Stated exceptions (``PYPMML_DEPARTS``): where pypmml 1.5.8 departs from PMML 4.4 the IR follows
the specification, checked against JPMML-Evaluator 0.16 instead, and pypmml is checked to still
differ (an exception that no longer holds fails). Where JPMML departs as well
(``JPMML_DEPARTS``), the IR is held to the fast path, which test_pmml_general.py and
test_pmml_segments.py hold row by row to computations written from the specification.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from lxml import etree

import interchange
from interchange.batch import to_columns
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard
from tests.conformance.lifting import differing_outputs, disagreements, lifted_outputs
from tests.conformance.test_lift_pmml import GOLDEN
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.helpers import jpmml_outputs

NEW_STEPS = (Segmentation, GeneralizedLinear, CumulativeLink, Scorecard, RuleSet)

# document -> how pypmml 1.5.8 departs from PMML 4.4 there (the IR is held to JPMML-Evaluator)
_GRM = "GeneralRegressionModel classification with a missing covariate: pypmml gives its hash map's first category"
_VOTE = "pypmml's vote probabilities and missing votes (test_pmml_segments.py)"
_MISSING = "a used segment's missing result: pypmml's NaN ordering (test_pmml_segments.py)"
PYPMML_DEPARTS: dict[str, str] = {
    "fallback_mining_class_average_skipsegment": "skipSegment with a classification average: pypmml divides by "
    "every segment that fired, the skipped ones too",
    "fallback_mining_partial_distribution": "a segment Node's ScoreDistribution lacking a category: pypmml's "
    "average of it is missing and wins the label (JPMML and the IR read the category's probability as 0)",
    "general_generalized_trials_variable": "a missing trialsVariable: pypmml multiplies by Int.MinValue",
    "general_multinomial_missing": _GRM,
    "general_ordinal_loglog": "cumulativeLink loglog: pypmml takes exp(-exp(y)), not PMML 4.4's exp(-exp(-y))",
    "general_ordinal_offset": "ordinalMultinomial offsetValue: pypmml ignores it",
    "general_ordinal_offset_variable": "ordinalMultinomial offsetVariable: pypmml ignores it",
    "targets_prior_general": "TargetValue priorProbability of a GeneralRegressionModel: pypmml ignores it (" + _GRM[40:] + ")",
    "scorecard_missing_score": "a missing score: pypmml still ranks the other Characteristics' reason codes",
    "scorecard_reason_codes_ties": "equal points: pypmml ranks codes in reverse alphabetical order",
    "scorecard_reason_codes_above": "a code at exactly 0 points: pypmml lists only positive points (JPMML lists it)",
    "segments_class_average": _MISSING,
    "segments_class_majorityvote": _VOTE,
    "segments_class_majorityvote_five": "ties among five categories: pypmml follows its hash map",
    "segments_class_max": "max: pypmml averages every segment whose own prediction is the winner",
    "segments_class_median": "median: pypmml returns per-category medians",
    "segments_class_weightedaverage": _MISSING,
    "segments_class_weightedmajorityvote": "weightedMajorityVote: pypmml divides by the number of segments",
    "segments_class_weightedmedian": "weightedMedian: pypmml returns per-category medians",
    "segments_median": "median with a missing segment result: pypmml sorts NaN last",
    "segments_weightedmedian": "weightedMedian with a missing segment result: pypmml sorts NaN last",
}

_JPMML_MISSING = "JPMML gives no result where a factor is missing (PMML 4.4: it matches no category, contributing 0)"
JPMML_DEPARTS: dict[str, str] = {
    "fallback_mining_class_average_skipsegment": "missingThreshold: JPMML weighs the share of missing results by "
    "Segment weight, where PMML 4.4 speaks of the fraction of models (the IR, pypmml and the writers count them)",
    "general_generalized_trials_variable": _JPMML_MISSING,
    "general_multinomial_missing": _JPMML_MISSING,
    "general_ordinal_loglog": _JPMML_MISSING,
    "general_ordinal_offset": _JPMML_MISSING,
    "general_ordinal_offset_variable": _JPMML_MISSING,
    "targets_prior_general": "an unseen category under returnInvalid: JPMML gives the priors, not an invalid result",
    "segments_class_majorityvote": "JPMML lets missing votes and vote ties fall otherwise than PMML 4.4's first category",
    "segments_class_majorityvote_five": "ties among five categories: JPMML's own order",
    "segments_class_median": "classification median: JPMML takes per-category medians",
    "segments_class_weightedmedian": "classification weightedMedian: JPMML gives no result on rows PMML 4.4 resolves",
}


def _new_step_documents() -> list[Path]:
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in GOLDEN:
            data = path.read_bytes()
            lifted = interchange.lift(data)
            if lifted.ok and (isinstance(lifted.graph.model, NEW_STEPS) or b"<GeneralRegressionModel" in data):  # type: ignore[union-attr]
                found.append(path)
    return found


DOCUMENTS = _new_step_documents()


def test_the_new_steps_cover_documents() -> None:
    assert len(DOCUMENTS) >= 60, [p.stem for p in DOCUMENTS]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_lifted_document_agrees_with_pypmml(path: Path) -> None:
    data = path.read_bytes()
    lifted = interchange.lift(data)
    X = _rows(data, lifted.signature.input_names)
    try:
        bad = disagreements(lifted, interchange.load(data, engine="reference"), X)
    except interchange.DocumentError as exc:  # pypmml's result lacks an output (selectFirst: the segment's own columns)
        bad = [exc.message]
    if path.stem not in PYPMML_DEPARTS:
        assert not bad, bad
        return
    assert bad, f"pypmml now agrees with the IR on {path.stem}: drop the stated exception"
    if path.stem in JPMML_DEPARTS:
        bad = disagreements(lifted, interchange.load(data, engine="fast"), X)
        assert not bad, bad
        return
    want = jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)
    got = lifted_outputs(lifted, X)
    bad = differing_outputs(lifted, want, got, ("JPMML", "IR"))
    assert not bad, bad


def _without_node_outputs(data: bytes) -> bytes:
    """The document without OutputFields of tree nodes (entityId, confidence: pypmml gives "" for no Node; the
    golden lift test holds them to the fast path)."""
    root = etree.fromstring(data)
    for of in list(root.iter("{*}OutputField")):
        if of.get("feature") in ("entityId", "confidence"):
            of.getparent().remove(of)
    for out in list(root.iter("{*}Output")):
        if not len(out):
            out.getparent().remove(out)
    return etree.tostring(root)


TREES = [p for p in GOLDEN if p.stem.startswith("tree_") and b'feature="entityId"' in p.read_bytes()]
UNKNOWN_STOPS = {
    "tree_compound_lastprediction",
    "tree_sets_lastprediction",
    "tree_penalty_lastprediction",
}  # rows where pypmml departs
NOT_IR_TREES: dict[str, str] = {}  # what the IR does not hold (every tree here lifts: ir.multiway)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", TREES, ids=lambda p: p.stem)
def test_trees_on_categories_sets_and_compound_predicates_agree_with_pypmml(path: Path) -> None:
    """Golden trees (multiway splits on categories, SimpleSetPredicate, and / or / surrogate
    CompoundPredicates under none, lastPrediction, nullPrediction, defaultChild), their node
    outputs removed, lift and agree with pypmml on the document's own rows.

    Stated exception: under lastPrediction an UNKNOWN child stops the walk (PMML 4.4, JPMML);
    pypmml lets a later TRUE child win (test_pmml_trees.py). There the IR is held to the fast
    path, which test_pmml_trees.py holds to a row-by-row walk written from the specification,
    and pypmml is checked to still differ."""
    data = _without_node_outputs(path.read_bytes())
    lifted = interchange.lift(data)
    if path.stem in NOT_IR_TREES:
        assert not lifted.ok and NOT_IR_TREES[path.stem] in str(lifted.reasons[0])
        return
    assert lifted.ok, lifted.report()
    X = _rows(data, lifted.signature.input_names)
    bad = disagreements(lifted, interchange.load(data, engine="reference"), X)
    if path.stem in UNKNOWN_STOPS:
        assert bad, f"pypmml now stops at an UNKNOWN child in {path.stem}: drop the stated exception"
        bad = disagreements(lifted, interchange.load(data, engine="fast"), X)
    assert not bad, bad
