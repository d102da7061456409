"""Scorecard and RuleSetModel lifted into the IR (pmml.lift.models.rules): by hand, the reference engine, refusals."""

from __future__ import annotations

import numpy as np

from ._pmml import categorical, continuous, document, lifted_outputs, reason, schema

ROWS = {"a": np.array([0.0, 2.0, 0.5, 3.0]), "b": np.array([0.0, 0.0, 2.0, 5.0])}
CHARACTERISTICS = """<Characteristics>
<Characteristic name="ca"><Attribute partialScore="3"><SimplePredicate field="a" operator="lessThan" value="1"/></Attribute>
<Attribute partialScore="7"><True/></Attribute></Characteristic>
<Characteristic name="cb"><Attribute partialScore="-1"><SimplePredicate field="b" operator="greaterOrEqual" value="2"/></Attribute>
<Attribute partialScore="0"><True/></Attribute></Characteristic></Characteristics>"""  # noqa: E501


def _scorecard(attrs: str = 'functionName="regression"') -> bytes:
    model = f'<Scorecard {attrs} useReasonCodes="false" initialScore="10">{schema("a", "b")}{CHARACTERISTICS}</Scorecard>'
    return document(continuous("a", "b", "y"), model)


def test_scorecard_by_hand() -> None:
    """10 + (a < 1 ? 3 : 7) + (b >= 2 ? -1 : 0)."""
    assert lifted_outputs(_scorecard(), ROWS)["y"].tolist() == [13.0, 17.0, 12.0, 16.0]


def test_a_classification_scorecard_is_refused_by_name() -> None:
    assert "Scorecard functionName=classification" in reason(_scorecard('functionName="classification"'))


def _rules(function: str = "classification", criterion: str = "firstHit") -> bytes:
    model = f"""<RuleSetModel functionName="{function}">{schema("a", "b")}
<RuleSet defaultScore="no"><RuleSelectionMethod criterion="{criterion}"/>
<SimpleRule score="yes" confidence="0.9"><SimplePredicate field="a" operator="greaterThan" value="1"/></SimpleRule>
<SimpleRule score="maybe" confidence="0.6"><SimplePredicate field="b" operator="greaterThan" value="1"/></SimpleRule>
</RuleSet></RuleSetModel>"""
    return document(continuous("a", "b") + categorical("y", "yes", "maybe", "no"), model)


def test_first_hit_by_hand() -> None:
    """a > 1 -> yes; else b > 1 -> maybe; else the default, no."""
    assert lifted_outputs(_rules(), ROWS)["y"].tolist() == ["no", "yes", "maybe", "yes"]


def test_a_regression_rule_set_is_refused_by_name() -> None:
    assert "RuleSetModel functionName=regression" in reason(_rules("regression"))
