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
from typing import Any

import numpy as np
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


# Trees whose confidence carries a missingValuePenalty over surrogates, with their node outputs, held to
# JPMML-Evaluator row for row (PMML 4.4 as JPMML reads the penalty: every Node tested whose surrogate an
# alternative decided, TRUE or FALSE; pypmml counts only a TRUE one whose Node is entered, a named departure:
# formats/pmml/departures.py). document -> (Nodes whose rows JPMML refuses, why); the IR and pypmml answer there.
JPMML_TREES: dict[str, tuple[tuple[str, ...], str]] = {
    "tree_penalty_lastprediction": (
        ("L1", "L2"),
        "L1 has no score (JPMML: MissingAttributeException Node@score), L2's recordCounts sum to 0 (JPMML: "
        "UndefinedResultException); the IR gives L1's probabilities and L2's label without probabilities",
    ),
    "tree_penalty_defaultchild": (
        ("RL",),
        "RL's ScoreDistribution gives a probability for some categories only (JPMML refuses the Node)",
    ),
}
# a category absent from the final Node's ScoreDistribution: JPMML gives probability 0, the IR none (pypmml's
# reading, test_pmml_spec.py); compared as such
ABSENT_CATEGORY = "probability"


def _valid_rows(data: bytes, X: Any) -> Any:
    """Rows whose categorical inputs are missing or among their DataField's Values (the rest are invalid:
    the IR gives no result under returnInvalid, where JPMML checks a value only when the walk reads it)."""
    ok = np.ones(len(X), dtype=bool)
    for field in etree.fromstring(data).iter("{*}DataField"):
        values = [v.get("value") for v in field.iter("{*}Value")]
        if values and field.get("name") in X:
            ok &= (X[field.get("name")].isna() | X[field.get("name")].isin(values)).to_numpy()
    return ok


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(JPMML_TREES))
def test_penalised_trees_agree_with_jpmml_row_for_row(name: str) -> None:
    from tests.conformance.lifting import _differ
    from tests.conformance.test_pmml_spec import SPEC

    data = (SPEC / f"{name}.pmml").read_bytes()
    lifted, fast = interchange.lift(data), interchange.load(data)
    assert lifted.ok and fast.info.engine == "interchange-fast", (lifted.report(), fast.info.reason)
    X = _rows(data, lifted.signature.input_names)
    want = jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)
    ir = lifted_outputs(lifted, X)
    node = np.asarray(ir["node"], dtype=object)
    valid, refused = _valid_rows(data, X), np.isin(node, JPMML_TREES[name][0])
    names = lifted.signature.output_names
    missing = lambda v: v is None or (isinstance(v, float) and v != v)  # noqa: E731
    assert all(missing(ir[n][i]) for n in names for i in np.flatnonzero(~valid)), "the IR answers an invalid row"
    assert all(missing(want[n][i]) for n in names for i in np.flatnonzero(refused & valid)), "JPMML now answers there"
    keep = valid & ~refused
    assert keep.sum() >= 150, keep.sum()
    for got, engine in ((ir, "IR"), (fast.predict(X), "fast path")):
        for f in lifted.signature.outputs:
            numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
            e, a = np.asarray(want[f.name])[keep], np.asarray(got[f.name])[keep]
            if f.kind == ABSENT_CATEGORY:
                absent = np.isnan(a.astype(np.float64))
                assert (e[absent] == 0.0).all(), f"{f.name}: JPMML gives an absent category other than 0"
                e, a = e[~absent], a[~absent]
            bad = _differ(e, a, numeric)
            assert not bad, f"{engine} {f.name}: {len(bad)} rows differ, e.g. JPMML {e[bad[0]]!r}, {engine} {a[bad[0]]!r}"


@pytest.mark.filterwarnings("ignore")
def test_pypmml_still_counts_fewer_surrogates() -> None:
    """The departure above is measured: pypmml's confidence differs from the IR's on rows where a surrogate's
    alternative decided FALSE: higher, by whole powers of the penalty 0.5."""
    from tests.conformance.test_pmml_spec import SPEC

    data = (SPEC / "tree_penalty_lastprediction.pmml").read_bytes()
    lifted = interchange.lift(data)
    X = _rows(data, lifted.signature.input_names)
    ir, theirs = lifted_outputs(lifted, X), interchange.load(data, engine="reference").predict(X)
    same_node = np.asarray(theirs["node"], dtype=object) == np.asarray(ir["node"], dtype=object)
    mine, pypmml = np.asarray(ir["conf"], dtype=np.float64), np.asarray(theirs["conf"], dtype=np.float64)
    penalised = same_node & ~np.isnan(mine) & (np.abs(mine - pypmml) > 1e-12)
    assert penalised.sum() >= 10, penalised.sum()
    steps = np.log2(pypmml[penalised] / mine[penalised])
    assert (steps > 0.5).all() and np.allclose(steps, np.round(steps), rtol=0, atol=1e-9), steps
