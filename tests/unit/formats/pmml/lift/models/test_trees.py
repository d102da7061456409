"""TreeModel lifted into the IR's tree (pmml.lift.models.trees): walked by hand, against the reference engine, refusals."""

from __future__ import annotations

import numpy as np

from ._pmml import continuous, document, jpmml, lift, lifted_outputs, reason, schema

ROWS = {"a": np.array([0.5, 2.0, 5.0, np.nan, 1.0]), "b": np.array([0.0, 3.0, 1.0, 1.0, 9.0])}


def _tree(nodes: str, attrs: str = "") -> bytes:
    model = f'<TreeModel functionName="regression" {attrs}>{schema("a", "b")}<Node score="0"><True/>{nodes}</Node></TreeModel>'
    return document(continuous("a", "b", "y"), model)


NODES = """<Node score="1"><SimplePredicate field="a" operator="lessOrEqual" value="1"/></Node>
<Node score="2"><CompoundPredicate booleanOperator="and"><SimplePredicate field="a" operator="lessThan" value="4"/>
<SimplePredicate field="b" operator="greaterThan" value="2"/></CompoundPredicate></Node>
<Node score="3"><True/></Node>"""


def test_first_true_child_by_hand() -> None:
    """a <= 1 -> 1; else a < 4 and b > 2 -> 2; else 3. a missing (missingValueStrategy none): both tests
    are UNKNOWN, taken as not true, so the True node gives 3."""
    assert lifted_outputs(_tree(NODES), ROWS)["y"].tolist() == [1.0, 2.0, 3.0, 3.0, 1.0]


def test_last_prediction_for_missing_values() -> None:
    """missingValueStrategy lastPrediction: a missing a stops at the root, whose score is 0 (PMML 4.4 and
    JPMML-Evaluator; pypmml gives 3, so JPMML is the reference here)."""
    data = _tree(NODES, 'missingValueStrategy="lastPrediction"')
    got = lift(data).predict(ROWS)["y"]
    assert got.tolist() == [1.0, 2.0, 3.0, 0.0, 1.0] == jpmml(data, ROWS, "y")


def test_an_unknown_strategy_is_refused_by_name() -> None:
    assert "noTrueChildStrategy=weird" in reason(_tree(NODES, 'noTrueChildStrategy="weird"'))
