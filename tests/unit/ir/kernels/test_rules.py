"""The rule-set selection kernel (interchange.ir.kernels.rules), on masks set directly.

Three rules over four rows; rule i fires where ``FIRES[i]`` has a 1. Expected labels and
confidences are worked out by hand from PMML 4.4 §RuleSetModel.
"""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.kernels.rules import select_rule

FIRES = {"p": [1, 1, 0, 0], "q": [0, 1, 1, 0], "r": [0, 1, 1, 0]}
# (predicates, score, weight, confidence)
RULES = ((("p",), "a", 1.0, 0.9), (("q",), "b", 3.0, 0.6), (("p", "r"), "b", 2.0, 0.7))


def _select(criterion: str) -> tuple[list[object], list[float]]:
    asked: list[str] = []

    def truth(p: str) -> np.ndarray:
        asked.append(p)
        return np.array(FIRES[p], dtype=bool)

    label, confidence = select_rule(RULES, truth, criterion, "z", 0.1, 4)
    assert sorted(asked) == ["p", "q", "r"]  # each predicate object asked once
    return label.tolist(), confidence.tolist()


@pytest.mark.parametrize(
    ("criterion", "labels", "confidences"),
    [
        ("firstHit", ["a", "a", "b", "z"], [0.9, 0.9, 0.6, 0.1]),
        ("weightedMax", ["a", "b", "b", "z"], [0.9, 0.6, 0.6, 0.1]),  # row 1: q weighs 3
        ("weightedSum", ["a", "b", "b", "z"], [1.0, 5.0 / 3.0, 3.0, 0.1]),  # the winning total over the fired rules
    ],
)
def test_each_criterion_selects_as_pmml_says(criterion: str, labels: list[str], confidences: list[float]) -> None:
    got_labels, got_confidences = _select(criterion)
    assert got_labels == labels
    np.testing.assert_allclose(got_confidences, confidences, rtol=1e-12)


def test_no_rules_give_the_default() -> None:
    label, confidence = select_rule((), lambda p: np.ones(2, dtype=bool), "weightedSum", "z", None, 2)
    assert label.tolist() == ["z", "z"] and np.isnan(confidence).all()
