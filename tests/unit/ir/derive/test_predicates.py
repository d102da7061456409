"""IR predicates (three-valued), PredicateColumn, and the steps built on them: Segmentation,
Scorecard, RuleSet; the generalized linear steps against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, PredicateColumn, truth
from interchange.ir.graph import Prediction
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier, inverse_link
from interchange.ir.models.rules import Rule, RuleSet
from interchange.ir.models.scorecard import Attribute, Characteristic, Scorecard

NAN = float("nan")


def _env() -> dict[str, np.ndarray]:
    return {"x": np.array([1.0, 5.0, NAN]), "s": np.array(["a", "b", None], dtype=object)}


def _t(pred) -> list[str]:  # noqa: ANN001
    t, u = truth(pred, _env(), 3)
    return ["U" if uu else "T" if tt else "F" for tt, uu in zip(t, u, strict=True)]


def test_comparisons_are_unknown_on_a_missing_value_but_is_missing() -> None:
    assert _t(Compare("x", "lessThan", 3.0)) == ["T", "F", "U"]
    assert _t(Compare("s", "equal", "a")) == ["T", "F", "U"]
    assert _t(Compare("s", "notEqual", "a")) == ["F", "T", "U"]
    assert _t(Compare("x", "isMissing")) == ["F", "F", "T"]
    assert _t(InSet("s", ("a", "z"))) == ["T", "F", "U"]
    assert _t(InSet("s", ("a",), negate=True)) == ["F", "T", "U"]
    assert _t(InSet("x", (5.0,))) == ["F", "T", "U"]  # numbers compare as categories: 5 and 5.0 are one


def test_compound_predicates_follow_pmml_three_valued_logic() -> None:
    small, a = Compare("x", "lessThan", 3.0), Compare("s", "equal", "a")
    never = Always(False)
    assert _t(Compound("and", (small, a))) == ["T", "F", "U"]
    assert _t(Compound("and", (never, small))) == ["F", "F", "F"]  # FALSE wins over UNKNOWN
    assert _t(Compound("or", (small, Always(True)))) == ["T", "T", "T"]  # TRUE wins over UNKNOWN
    assert _t(Compound("or", (small, never))) == ["T", "F", "U"]
    assert _t(Compound("xor", (small, Compare("x", "greaterThan", 0.0)))) == ["F", "T", "U"]
    assert _t(Compound("surrogate", (small, Compare("s", "isMissing")))) == ["T", "F", "T"]  # the first known part


def test_predicate_column_is_one_zero_or_missing() -> None:
    env = _env()
    PredicateColumn("c", Compare("x", "lessThan", 3.0)).apply(env)
    np.testing.assert_array_equal(env["c"], [1.0, 0.0, NAN])


class _Fixed:
    """A model step giving fixed results (a segment's own prediction)."""

    inputs: tuple[str, ...] = ()

    def __init__(self, **parts: object) -> None:
        self.parts = parts

    def predict(self, env: dict) -> Prediction:  # noqa: ARG002
        return Prediction(**self.parts)  # type: ignore[arg-type]


def test_segmentation_weighted_average_uses_only_true_segments() -> None:
    env = {"x": np.array([1.0, 5.0, NAN])}
    seg = Segmentation(
        "weightedAverage",
        (Always(True), Compare("x", "lessThan", 3.0)),
        (1.0, 3.0),
        (_Fixed(value=np.array([10.0, 10.0, 10.0])), _Fixed(value=np.array([20.0, 20.0, 20.0]))),  # type: ignore[arg-type]
    )
    np.testing.assert_allclose(seg.predict(env).value, [(10 + 60) / 4, 10.0, 10.0])  # UNKNOWN selects nothing


def test_segmentation_select_first_and_majority_vote() -> None:
    env = {"x": np.array([1.0, 5.0])}
    first = Segmentation(
        "selectFirst",
        (Compare("x", "greaterThan", 3.0), Always(True)),
        (1.0, 1.0),
        (_Fixed(value=np.array([1.0, 1.0])), _Fixed(value=np.array([2.0, 2.0]))),  # type: ignore[arg-type]
    )
    np.testing.assert_array_equal(first.predict(env).value, [2.0, 1.0])
    votes = Segmentation(
        "majorityVote",
        (Always(True),) * 3,
        (1.0,) * 3,
        tuple(_Fixed(label=np.array(v, dtype=object)) for v in (["a", "b"], ["b", "b"], ["a", "c"])),  # type: ignore[arg-type]
        classes=("a", "b", "c"),
    )
    p = votes.predict(env)
    assert p.label.tolist() == ["a", "b"]
    np.testing.assert_allclose(p.probabilities, [[2 / 3, 1 / 3, 0], [0, 2 / 3, 1 / 3]])


def test_generalized_linear_links_offset_and_trials() -> None:
    env = {"x": np.array([0.5, -1.0]), "n": np.array([3.7, 2.0])}
    step = GeneralizedLinear(("x",), np.array([2.0]), 0.25, "log", offset=1.0, trials="n")
    np.testing.assert_allclose(step.predict(env).value, np.exp(2.0 * env["x"] + 0.25 + 1.0) * np.array([3.0, 2.0]))
    assert inverse_link("power", 2.0)(np.array([9.0]))[0] == pytest.approx(3.0)
    assert inverse_link("oddspower", 0.0)(np.array([0.0]))[0] == pytest.approx(0.5)
    assert inverse_link("negbin", 2.0)(np.array([-1.0]))[0] == pytest.approx(1.0 / (2.0 * (math.e - 1.0)))


def test_cumulative_link_probabilities_are_differences_of_neighbours() -> None:
    env = {"x": np.array([0.0, 1.0, NAN])}
    step = CumulativeLink(("x",), np.array([[1.0], [1.0]]), np.array([-1.0, 1.0]), "logit", ("lo", "mid", "hi"))
    p = step.predict(env)
    f = 1.0 / (1.0 + np.exp(-np.array([-1.0, 1.0])))  # row 0: eta = thresholds
    np.testing.assert_allclose(p.probabilities[0], [f[0], f[1] - f[0], 1 - f[1]])
    np.testing.assert_allclose(p.probabilities[:2].sum(axis=1), 1.0)
    assert np.isnan(p.probabilities[2]).all() and p.label[2] is None


def test_normalized_classifier_simplemax_and_binary_links() -> None:
    env = {"x": np.array([1.0])}
    simple = NormalizedClassifier(("x",), np.array([[1.0], [3.0]]), np.zeros(2), "simplemax", ("a", "b"))
    np.testing.assert_allclose(simple.predict(env).probabilities, [[0.25, 0.75]])
    probit = NormalizedClassifier(("x",), np.array([[1.0], [0.0]]), np.zeros(2), "probit", ("a", "b"))
    p = 0.5 * math.erfc(-1.0 / math.sqrt(2.0))
    np.testing.assert_allclose(probit.predict(env).probabilities, [[p, 1 - p]])


def test_scorecard_scores_and_reason_codes() -> None:
    env = {"x": np.array([1.0, 5.0, NAN])}
    card = Scorecard(
        10.0,
        (
            Characteristic(
                (Attribute(Compare("x", "lessThan", 3.0), 1.0, "LOW"), Attribute(Always(True), 4.0, "HIGH")), baseline=5.0
            ),
            Characteristic((Attribute(Compare("x", "isMissing"), 0.0, "MISS"), Attribute(Always(True), 2.0, "OK")), 3.0),
        ),
        ("LOW", "HIGH", "MISS", "OK"),
        below=True,
        reasons=(("r1", 0), ("r2", 1)),
    )
    p = card.predict(env)
    np.testing.assert_array_equal(p.value, [13.0, 16.0, 14.0])  # the missing x still gets its True bins
    assert p.extra["r1"].tolist() == ["LOW", "HIGH", "MISS"]  # points: 4 / 1 / 3 below the baselines
    assert p.extra["r2"].tolist() == ["OK", "OK", "HIGH"]


def test_rule_set_criteria() -> None:
    env = {"x": np.array([1.0, 5.0, NAN])}
    rules = (
        Rule((Compare("x", "lessThan", 3.0),), "small", 0.5),
        Rule((Always(True),), "any", 0.8),
        Rule((Compare("x", "greaterThan", 0.0), Compare("x", "lessThan", 2.0)), "small", 0.6),
    )
    assert RuleSet(rules, "firstHit", "none").predict(env).label.tolist() == ["small", "any", "any"]
    assert RuleSet(rules, "weightedMax", "none").predict(env).label.tolist() == ["any", "any", "any"]
    assert RuleSet(rules, "weightedSum", "none").predict(env).label.tolist() == ["small", "any", "any"]
    assert RuleSet(rules[:1], "firstHit", "none").predict(env).label.tolist() == ["small", "none", "none"]
