"""Where pypmml 1.5.8 departs from PMML 4.4: the constructs, found in a document, each with the reason.

pypmml is the PMML reference engine ``convert`` replays; on the constructs below it computes
something other than PMML 4.4 says (measured in tests/conformance: test_lift_pmml_reference.py,
test_pmml_trees.py, test_pmml_segments.py, test_pmml_general.py), and the IR, the fast path and
the writers follow the specification. ``convert(..., pmml_engine=)`` verifies a document holding
one of them against another PMML engine (JPMML-Evaluator in the tests) where pypmml disagrees.

Example::

    for d in departures(data):
        print(d.construct, "-", d.reason)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from interchange.formats.pmml.parse import _xml, children, local

__all__ = ["Departure", "DEPARTURES", "EMPTY_TEXT", "MISSING_TEXT_ARGUMENT", "departures", "empty_text_outputs"]
__all__ += ["WHOLE_DOCUMENT", "whole_document"]


@dataclass(frozen=True)
class Departure:
    """A construct of a document on which pypmml departs from PMML 4.4, and how."""

    construct: str
    reason: str
    # pypmml's answers are wrong on every row of a document holding it (not only where the construct is met):
    # load never falls back to pypmml there, and convert verifies such a document with pmml_engine from the start
    whole: bool = False


Test = Callable[[etree._Element], bool]


def _all(root: etree._Element, name: str) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and local(el) == name]


def _unknown_child_stops(root: etree._Element) -> bool:
    """A TreeModel stopping at an UNKNOWN child (lastPrediction, nullPrediction, defaultChild) with a Node
    whose later child can be TRUE where an earlier one is UNKNOWN (a True predicate or another field)."""
    for tree in _all(root, "TreeModel"):
        if tree.get("missingValueStrategy", "none") not in ("lastPrediction", "nullPrediction", "defaultChild"):
            continue
        for node in _all(tree, "Node"):
            kids = children(node, "Node")
            fields = [{el.get("field") for el in kid.iter() if isinstance(el.tag, str) and el.get("field")} for kid in kids]
            if any(f != fields[0] or not f for f in fields[1:]):
                return True
    return False


def _grm(attribute: str, *values: str) -> Test:
    def test(root: etree._Element) -> bool:
        found = [g.get(attribute) for g in _all(root, "GeneralRegressionModel")]
        return any(v in values if values else v is not None for v in found)

    return test


def _ordinal_offset(root: etree._Element) -> bool:
    return any(
        g.get("modelType") == "ordinalMultinomial" and (g.get("offsetValue") is not None or g.get("offsetVariable") is not None)
        for g in _all(root, "GeneralRegressionModel")
    )


def _grm_classification(root: etree._Element) -> bool:
    return any(g.get("functionName") == "classification" for g in _all(root, "GeneralRegressionModel"))


def _reason_codes(root: etree._Element) -> bool:
    ranked = any(of.get("feature") == "reasonCode" for of in _all(root, "OutputField"))
    return ranked and any(s.get("useReasonCodes", "true") != "false" for s in _all(root, "Scorecard"))


def _zero_points(root: etree._Element) -> bool:
    """A ranked Scorecard whose Attribute can give its code exactly 0 points: a partialScore equal to the
    Characteristic's (or the Scorecard's) baselineScore, or a ComplexPartialScore."""
    if not _reason_codes(root):
        return False
    for card in _all(root, "Scorecard"):
        for ch in _all(card, "Characteristic"):
            baseline = ch.get("baselineScore", card.get("baselineScore"))
            for attr in children(ch, "Attribute"):
                if children(attr, "ComplexPartialScore"):
                    return True
                score = attr.get("partialScore")
                if baseline is not None and score is not None and float(score) == float(baseline):
                    return True
    return False


def _integer_target(root: etree._Element) -> bool:
    """A regression model whose target DataField is an integer and whose Target gives no castInteger."""
    types = {df.get("name"): df.get("dataType") for df in _all(root, "DataField")}
    for model in root:
        if not isinstance(model.tag, str) or model.get("functionName") != "regression":
            continue
        targets = [mf.get("name") for mf in _all(model, "MiningField") if mf.get("usageType") in ("target", "predicted")]
        cast = any(t.get("castInteger") for t in _all(model, "Target"))
        if not cast and any(types.get(t) == "integer" for t in targets):
            return True
    return False


def _segmentation(*methods: str, function: str | None = None) -> Test:
    def test(root: etree._Element) -> bool:
        for seg in _all(root, "Segmentation"):
            owner = seg.getparent()
            if seg.get("multipleModelMethod") in methods and (function is None or owner.get("functionName") == function):
                return True
        return False

    return test


def _discretize_missing(root: etree._Element) -> bool:
    return any(d.get("mapMissingTo") is not None or d.get("defaultValue") is not None for d in _all(root, "Discretize"))


def _null_prediction_returns_last(root: etree._Element) -> bool:
    return any(
        t.get("missingValueStrategy") == "nullPrediction" and t.get("noTrueChildStrategy") == "returnLastPrediction"
        for t in _all(root, "TreeModel")
    )


def _tree_priors(root: etree._Element) -> bool:
    """A classification TreeModel whose Targets hold priorProbability values."""
    return any(
        t.get("functionName") == "classification" and any(v.get("priorProbability") is not None for v in _all(t, "TargetValue"))
        for t in _all(root, "TreeModel")
    )


def _regression_residual(root: etree._Element) -> bool:
    """An OutputField residual of a regression model."""
    return any(
        of.get("feature") == "residual" and m.get("functionName") == "regression"
        for m in root.iter()
        if isinstance(m.tag, str) and m.get("functionName") is not None
        for of in _all(m, "OutputField")
    )


def _missing_compared(root: etree._Element) -> bool:
    """A ClusteringField compared by delta or equal (its own compareFunction or the measure's)."""
    for model in _all(root, "ClusteringModel"):
        measure = children(model, "ComparisonMeasure")
        default = measure[0].get("compareFunction", "absDiff") if measure else "absDiff"
        if any(cf.get("compareFunction", default) in ("delta", "equal") for cf in children(model, "ClusteringField")):
            return True
    return False


def _numeric_member(root: etree._Element) -> bool:
    """Apply isIn / isNotIn whose first argument is a FieldRef to a numeric DataField."""
    numeric = {f.get("name") for f in _all(root, "DataField") if f.get("dataType") in ("double", "float", "integer")} | {
        f.get("name") for f in _all(root, "DerivedField") if f.get("dataType") in ("double", "float", "integer")
    }
    for apply in _all(root, "Apply"):
        if apply.get("function") in ("isIn", "isNotIn"):
            first = next((c for c in apply if isinstance(c.tag, str)), None)
            if first is not None and local(first) == "FieldRef" and first.get("field") in numeric:
                return True
    return False


def _segment_tree_lacks_category(root: etree._Element) -> bool:
    """A classification Segmentation (not a vote) over a TreeModel with a Node whose
    ScoreDistribution lacks one of the categories the tree's other Nodes name."""
    for seg in _all(root, "Segmentation"):
        if seg.get("multipleModelMethod") in ("majorityVote", "weightedMajorityVote", "selectAll", "selectFirst", "modelChain"):
            continue
        for tree in (t for s in children(seg, "Segment") for t in children(s, "TreeModel")):
            named = [{d.get("value") for d in children(n, "ScoreDistribution")} for n in _all(tree, "Node")]
            every = set().union(*named) if named else set()
            if tree.get("functionName") == "classification" and any(n and every - n for n in named):
                return True
    return False


def _skip_classification(root: etree._Element) -> bool:
    """skipSegment over a classification's averages, max or medians."""
    return any(
        seg.get("missingPredictionTreatment") == "skipSegment"
        and seg.getparent().get("functionName") == "classification"
        and seg.get("multipleModelMethod") not in ("majorityVote", "weightedMajorityVote")
        for seg in _all(root, "Segmentation")
    )


def _folded_regex_normalization(root: etree._Element) -> bool:
    """A case-insensitive TextIndex whose TextIndexNormalization holds a regular-expression row."""
    for index in _all(root, "TextIndex"):
        if index.get("isCaseSensitive", "false") == "true":
            continue
        for norm in children(index, "TextIndexNormalization"):
            column = norm.get("regexField", "regex")
            if any(cell.text and cell.text.strip() == "true" for cell in norm.iter(f"{{*}}{column}")):
                return True
    return False


def _boolean_literal(root: etree._Element) -> bool:
    """A predicate comparing a boolean DataField with the value "true" or "false"."""
    booleans = {f.get("name") for f in _all(root, "DataField") if f.get("dataType") == "boolean"}
    return any(
        p.get("field") in booleans and (p.get("value") or "").strip().lower() in ("true", "false")
        for p in _all(root, "SimplePredicate")
    )


def _empty_text(root: etree._Element) -> bool:
    """A Constant holding the empty text (not missing="true") among an Apply's arguments."""
    return any(
        c.get("missing") != "true" and not (c.text or "") and c.get("dataType", "string") == "string"
        for apply in _all(root, "Apply")
        for c in apply
        if isinstance(c.tag, str) and local(c) == "Constant"
    )


# where JPMML-Evaluator, the second engine, fails the record (MissingArgumentException): no engine judges it
MISSING_TEXT_ARGUMENT = "Apply of a text function to a field that can be missing"
_TEXT_FUNCTIONS = ("uppercase", "lowercase", "trimBlanks", "replace", "matches", "substring", "stringLength")


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]


def _guarded(apply: etree._Element, argument: etree._Element) -> bool:
    """``apply`` is in the then branch of an ``if`` whose condition holds ``isNotMissing(argument)`` (as the
    PMML writer spells a function of an argument that can be missing)."""
    same = etree.tostring(argument, with_tail=False)
    child, parent = apply, apply.getparent()
    while parent is not None and local(parent) == "Apply":
        kids = _elements(parent)
        if parent.get("function") == "if" and len(kids) >= 2 and kids[1] is child:
            tests = [t for t in kids[0].iter() if isinstance(t.tag, str) and t.get("function") == "isNotMissing"]
            if any(_elements(t) and etree.tostring(_elements(t)[0], with_tail=False) == same for t in tests):
                return True
        child, parent = parent, parent.getparent()
    return False


def _missing_text_argument(root: etree._Element) -> bool:
    """An Apply of uppercase / lowercase / trimBlanks / replace / matches / substring / stringLength whose text argument can be
    missing: not a Constant, nor a FieldRef to a field every MiningField gives a missingValueReplacement, nor
    guarded by ``if(isNotMissing(...), ...)``."""
    replaced = {m.get("name") for m in _all(root, "MiningField") if m.get("missingValueReplacement") is not None}
    replaced -= {m.get("name") for m in _all(root, "MiningField") if m.get("missingValueReplacement") is None}
    for apply in _all(root, "Apply"):
        if apply.get("function") not in _TEXT_FUNCTIONS or apply.get("mapMissingTo") is not None:
            continue
        first = next(iter(_elements(apply)), None)
        if first is not None and not _present(first, replaced) and not _guarded(apply, first):
            return True
    return False


def _present(el: etree._Element, replaced: set[str | None]) -> bool:
    """``el`` has a value in every record: a Constant, a FieldRef to a replaced field, ``if(isMissing(x), c, x)``
    of such a ``c`` (the PMML lift's blank as the writer spells it), a concat, a replace of such."""
    kids = _elements(el)
    if local(el) == "Constant":
        return el.get("missing") != "true"
    if local(el) == "FieldRef":
        return el.get("field") in replaced
    if local(el) != "Apply":
        return False
    if el.get("function") == "concat":  # missing arguments left out (JPMML-Evaluator, pypmml)
        return True
    if el.get("function") == "replace":
        return bool(kids) and _present(kids[0], replaced)
    if el.get("function") == "if" and len(kids) == 3:
        test = _elements(kids[0])
        blank = kids[0].get("function") == "isMissing" and len(test) == 1
        blank = blank and etree.tostring(test[0], with_tail=False) == etree.tostring(kids[2], with_tail=False)
        return _present(kids[1], replaced) and (blank or _present(kids[2], replaced))
    return False


def _invalid_booleans(root: etree._Element) -> bool:
    """A boolean OutputField beside a MiningField under returnInvalid (the default) whose DataField lists
    its valid values or an Interval: a record with an invalid value has no result."""
    bounded = {f.get("name") for f in _all(root, "DataField") if children(f, "Value") or children(f, "Interval")}
    invalid = any(
        m.get("name") in bounded and m.get("invalidValueTreatment", "returnInvalid") == "returnInvalid"
        for m in _all(root, "MiningField")
    )
    return invalid and any(of.get("dataType") == "boolean" for of in _all(root, "OutputField"))


def _aggregated_probabilities(root: etree._Element) -> bool:
    """A classification TreeModel under aggregateNodes with a probability OutputField."""
    return any(
        t.get("missingValueStrategy") == "aggregateNodes" and t.get("functionName") == "classification"
        for t in _all(root, "TreeModel")
    ) and any(of.get("feature") == "probability" for of in _all(root, "OutputField"))


def _penalised_surrogate(root: etree._Element) -> bool:
    """A classification TreeModel with a missingValuePenalty below 1 and a Node whose predicate is a surrogate."""
    for tree in _all(root, "TreeModel"):
        if tree.get("functionName") != "classification" or float(tree.get("missingValuePenalty", "1")) == 1.0:
            continue
        for node in _all(tree, "Node"):
            if any(p.get("booleanOperator") == "surrogate" for p in children(node, "CompoundPredicate")):
                return True
    return False


# JPMML-Evaluator, the engine a GeneralRegressionModel departure is verified with, departs there itself
_FACTOR = (
    " (JPMML-Evaluator gives a row with a missing factor no result, where PMML 4.4's PPCell indicator, pypmml and the IR read 0)"
)
_VOTES = "pypmml's vote probabilities, missing votes and ties (test_pmml_segments.py)"
# (construct, test, reason): measured in tests/conformance (see the module docstring)
DEPARTURES: tuple[tuple[str, Test, str], ...] = (
    (
        "Apply formatNumber",
        lambda root: any(a.get("function") == "formatNumber" for a in _all(root, "Apply")),
        "pypmml hands its own number object to Java's String.format, which fails on every %f / %e pattern "
        "(IllegalFormatConversionException; tests/conformance pmml_spec tx_number_text)",
    ),
    (
        "TreeModel UNKNOWN child",
        _unknown_child_stops,
        "pypmml lets a later TRUE child win over an earlier UNKNOWN one; PMML 4.4 applies the missingValueStrategy there",
    ),
    (
        "TreeModel nullPrediction",
        _null_prediction_returns_last,
        "pypmml returns the last prediction under nullPrediction with noTrueChildStrategy=returnLastPrediction",
    ),
    (
        "GeneralRegressionModel cumulativeLink=loglog",
        _grm("cumulativeLink", "loglog"),
        "pypmml takes exp(-exp(y)), not PMML 4.4's exp(-exp(-y))" + _FACTOR,
    ),
    (
        "GeneralRegressionModel ordinalMultinomial offset",
        _ordinal_offset,
        "pypmml ignores offsetValue / offsetVariable" + _FACTOR,
    ),
    (
        "GeneralRegressionModel trialsVariable",
        _grm("trialsVariable"),
        "a missing trials value: pypmml multiplies by MinValue" + _FACTOR,
    ),
    (
        "GeneralRegressionModel classification",
        _grm_classification,
        "a missing covariate: pypmml gives its hash map's first category" + _FACTOR,
    ),
    (
        "Scorecard reason codes",
        _reason_codes,
        "pypmml ranks equal points in reverse alphabetical order, and ranks codes where the score is missing",
    ),
    (
        "Segmentation x-multiModelChain",
        _segmentation("x-multiModelChain"),
        "pypmml cannot load JPMML-SkLearn's multi-target MiningModel (no PMML 4.4 method); JPMML-Evaluator, the "
        "fast path and the IR give each segment's predicted value under its target's name",
    ),
    ("Segmentation majorityVote", _segmentation("majorityVote"), _VOTES),
    ("Segmentation weightedMajorityVote", _segmentation("weightedMajorityVote"), "pypmml divides by the number of segments"),
    ("Segmentation max", _segmentation("max"), "pypmml averages every segment whose own prediction is the winner"),
    (
        "Segmentation median / weightedMedian",
        _segmentation("median", "weightedMedian"),
        "pypmml takes per-category medians (classification) and sorts a missing result last (regression)",
    ),
    (
        "Segmentation average / weightedAverage",
        _segmentation("average", "weightedAverage", function="classification"),
        "a used segment's missing result: pypmml's NaN ordering",
    ),
    (
        "Segmentation over a TreeModel whose Node lacks a category",
        _segment_tree_lacks_category,
        "pypmml makes the category's combined probability missing, which wins the label; PMML 4.4 and "
        "JPMML-Evaluator give the absent category probability 0 in that segment",
    ),
    (
        "Segmentation skipSegment of a classification",
        _skip_classification,
        "pypmml divides the kept probabilities by every used segment, skipped ones included; PMML 4.4 and "
        "JPMML-Evaluator average the kept ones (JPMML also shares missingThreshold by Segment weight where "
        "pypmml and the IR count segments of an unweighted method)",
    ),
    ("Discretize mapMissingTo / defaultValue", _discretize_missing, "pypmml does not apply them as PMML 4.4 does"),
    (
        "TreeModel Targets priorProbability",
        _tree_priors,
        "where the tree gives no prediction pypmml leaves the label and probabilities missing, not the priors",
    ),
    (
        "OutputField residual of a regression",
        _regression_residual,
        "pypmml gives predicted minus actual, not actual minus predicted (and where the actual value is missing "
        "JPMML-Evaluator gives the record no result, where PMML 4.4, pypmml and the IR leave the residual missing)",
    ),
    (
        "OutputField predictedDisplayValue",
        lambda root: any(of.get("feature") == "predictedDisplayValue" for of in _all(root, "OutputField")),
        "pypmml shows the empty text where there is no prediction; PMML 4.4 (and JPMML-Evaluator): none",
    ),
    (
        "AnomalyDetectionModel iforest",
        lambda root: any(m.get("algorithmType") == "iforest" for m in _all(root, "AnomalyDetectionModel")),
        "pypmml writes Euler's constant as 0.57721566 in c(n): scores about 1e-9 relative off",
    ),
    (
        "Apply isIn / isNotIn over a number",
        _numeric_member,
        "pypmml compares a number with the set's Constants as text: 1.0 is in no set holding 1",
    ),
    (
        "NearestNeighborModel continuousScoringMethod=weightedAverage",
        lambda root: any(m.get("continuousScoringMethod") == "weightedAverage" for m in _all(root, "NearestNeighborModel")),
        "pypmml divides the distance-weighted average by k once more (test_pmml_jpmml.py knn_distance_regressor)",
    ),
    (
        "SimplePredicate value true / false of a boolean field",
        _boolean_literal,
        'pypmml finds a present boolean equal to "false" whatever its value (measured: tree_boolean_no_header, 85 '
        "of 300 rows); PMML 4.4 converts the value to the field's dataType first, as JPMML-Evaluator does",
    ),
    (
        "TextIndexNormalization regular expression of a case-insensitive TextIndex",
        _folded_regex_normalization,
        'pypmml matches a regular-expression row case-sensitively (measured: "GREAT" stays, "Goood" of a '
        "literal row is replaced); JPMML-Evaluator folds case for both, as the TextIndex's isCaseSensitive says",
    ),
    (
        "Constant holding the empty text",
        _empty_text,
        "pypmml reads it as a missing value: concat shows 'null', replace with an empty replacement (or pattern) "
        "leaves the text as it was (tests/roundtrip/test_wtext_writers.py)",
    ),
    (
        "TreeModel aggregateNodes probabilities",
        _aggregated_probabilities,
        "pypmml gives the virtual Node no probabilities (PMML 4.4: its summed recordCounts' shares, test_pmml_trees.py); "
        "JPMML-Evaluator 0.16 gives it no result",
    ),
    (
        "a boolean OutputField where an invalid value is returnInvalid",
        _invalid_booleans,
        "a record with an invalid value: pypmml reads its boolean outputs false (test_pmml_spec_jpmml.py); "
        "PMML 4.4 (and JPMML-Evaluator) give the record no result (JPMML-Evaluator also refuses a record whose "
        "comparison meets a missing value: MissingArgumentException)",
    ),
    (
        "ClusteringField compareFunction delta / equal",
        _missing_compared,
        "a missing field: pypmml compares it as a value equal to no center (delta 1, equal 0) and leaves the "
        "missing-value adjustment out; PMML 4.4 and JPMML-Evaluator leave the field out and scale the rest",
    ),
    (
        MISSING_TEXT_ARGUMENT,
        _missing_text_argument,
        'pypmml reads a missing text as "" (uppercase, lowercase, trimBlanks, replace, substring give "", matches '
        "false, stringLength 0); PMML 4.4 gives a missing result and JPMML-Evaluator fails the record "
        "(MissingArgumentException), as the IR, the fast path and the writers give missing "
        "(tests/conformance pmml_spec tx_strings, tx_number_text, tx_string_length)",
    ),
    (
        "DataField of a date / time type",
        lambda root: any((f.get("dataType") or "").startswith(("date", "time")) for f in _all(root, "DataField")),
        "pypmml 1.5.8 reads ISO 8601 text of every date type (date, time, dateTime, dateDaysSince[Y], "
        "dateTimeSecondsSince[Y], timeSeconds) as a missing value and passes a number through as it is; PMML 4.4 "
        "and JPMML-Evaluator read the text (test_pmml_dates.py). JPMML-Evaluator in its turn gives a record no "
        "result where the IR reads a missing value: text not of the field's type (a dateTime for a date, "
        "2004-02-30, 24:00:00, a timeSeconds with a fraction or without seconds), a number for a date field, a "
        "missing argument of a date built-in (MissingArgumentException); and it implements no dateDaysSince[0]",
    ),
    (
        "Apply dateDaysSinceYear / dateSecondsSinceYear / dateSecondsSinceMidnight / formatDatetime",
        lambda root: any(
            a.get("function") in ("dateDaysSinceYear", "dateSecondsSinceYear", "dateSecondsSinceMidnight", "formatDatetime")
            for a in _all(root, "Apply")
        ),
        "pypmml 1.5.8 gives a missing value (its date fields read text as missing; a number fails with a "
        "ClassCastException). JPMML-Evaluator: dateSecondsSinceYear is a 32-bit integer (no result beyond "
        "2^31 seconds from the year, where the IR counts on) and takes no date, only a dateTime; formatDatetime is "
        "Java's Formatter %t, not POSIX strftime: %e %k %l unpadded, %p lower case, %% garbled, %Y padded to 4 "
        "digits (a year before 1 as its year of the era), no %w %u %U %W %V %x %c %s %z %Z %G %g %n %t, no date "
        "conversion over a time nor time conversion over a date; the IR lifts only the conversions both read alike",
    ),
    (
        "TreeModel missingValuePenalty over a surrogate",
        _penalised_surrogate,
        "pypmml multiplies the confidence by the penalty only for a surrogate whose alternative is TRUE and whose Node "
        "the walk enters; PMML 4.4 penalises missing-value handling, and JPMML-Evaluator (followed) counts every Node "
        "tested whose surrogate an alternative decided, TRUE or FALSE (test_pmml_trees.py)",
    ),
    (
        "integer target of a regression",
        _integer_target,
        "JPMML-Evaluator refuses a predicted value that is not whole for an integer target with no Target castInteger "
        "(TypeCheckException); pypmml, the fast path, the IR (Lifted.predict) and the writers give the value "
        "truncated toward zero (682.537 -> 682, -536.53 -> -536), as interchange.batch.typed_outputs types an integer "
        "output; PMML 4.4's castInteger (round / ceiling / floor) applies first where it is given",
    ),
    (
        "Scorecard reason code at 0 points",
        _zero_points,
        "pypmml lists only codes with positive points; JPMML-Evaluator (its createReasonCodeRanking), the IR, the "
        "fast path and the writers list a code at exactly 0 points too and "
        "drop only negative ones (tests/conformance test_outside_defects.py, pmml_spec scorecard_reason_codes_above)",
    ),
)


# the departures on which pypmml is wrong on every row (Departure.whole): every date of the document reads as
# missing; a multi-target chain does not load
WHOLE_DOCUMENT = frozenset(
    {
        "DataField of a date / time type",
        "Apply dateDaysSinceYear / dateSecondsSinceYear / dateSecondsSinceMidnight / formatDatetime",
        "Segmentation x-multiModelChain",
    }
)


def whole_document(data: bytes) -> tuple[Departure, ...]:
    """The departures of ``data`` on which pypmml is wrong on every row."""
    return tuple(d for d in departures(data) if d.whole)


def departures(data: bytes) -> tuple[Departure, ...]:
    """The constructs of the PMML document ``data`` on which pypmml departs from PMML 4.4."""
    root = _xml(data)
    return tuple(Departure(name, reason, name in WHOLE_DOCUMENT) for name, test, reason in DEPARTURES if test(root))


# pypmml's departure read away rather than verified with another engine: the value it gives is PMML 4.4's none
EMPTY_TEXT = Departure(
    "OutputField entityId / predictedDisplayValue with no result",
    "pypmml shows the empty text where PMML 4.4 (and JPMML-Evaluator) give none (a row ending in no tree Node, "
    "a virtual aggregateNodes / weightedConfidence result, no prediction): read as none",
)


def empty_text_outputs(data: bytes) -> set[str]:
    """The OutputFields of ``data`` whose empty text from pypmml is PMML 4.4's none (``EMPTY_TEXT``)."""
    shown = ("entityId", "predictedDisplayValue")
    return {of.get("name") for of in _all(_xml(data), "OutputField") if of.get("feature") in shown}
