"""Rule-set confidences, against values worked out by hand."""

from __future__ import annotations

import numpy as np

from interchange.ir.derive.predicates import Compare
from interchange.ir.models.rules import Rule, RuleSet

X = {"x": np.array([-1.0, 0.5, 2.0, np.nan])}
RULES = (
    Rule((Compare("x", "lessThan", 1.0),), "lo", weight=2.0, confidence=0.6),
    Rule((Compare("x", "greaterThan", 0.0),), "hi", weight=3.0, confidence=0.9),
    Rule((Compare("x", "greaterThan", 1.5),), "lo", weight=2.5, confidence=0.4),
)


def test_confidence_of_each_criterion() -> None:
    label, conf = RuleSet(RULES, "firstHit", "none", 0.1).select(X)
    assert list(label) == ["lo", "lo", "hi", "none"]
    np.testing.assert_allclose(conf, [0.6, 0.6, 0.9, 0.1])
    label, conf = RuleSet(RULES, "weightedMax", "none", None).select(X)
    assert list(label) == ["lo", "hi", "hi", "none"]
    np.testing.assert_allclose(conf, [0.6, 0.9, 0.9, np.nan])
    # weightedSum: row 2 fires hi (3) and lo (2.5): hi, 3 / 2 fired rules; row 1: hi 3 against lo 2
    label, conf = RuleSet(RULES, "weightedSum", "none", 0.1).select(X)
    assert list(label) == ["lo", "hi", "hi", "none"]
    np.testing.assert_allclose(conf, [2.0, 1.5, 1.5, 0.1])
