"""PMML predicates on the fast path (pmml.fast.expressions.predicates): three-valued logic by hand, pypmml, refusals.

Each predicate is the test of a tree's first child Node ("T"); the second child is True ("F"). Under
missingValueStrategy none an UNKNOWN (a missing value) is not TRUE, so the walk goes on to "F", except
where or / and / surrogate decide around it.
"""

from __future__ import annotations

import numpy as np
import pytest

import interchange
from tests.unit.formats.pmml.lift.models._pmml import categorical, continuous, document, fast_outputs, jpmml, not_fast, schema

ROWS = {"x": np.array([0.5, np.nan, 3.0, 1.0]), "c": np.array(["u", "v", None, "w"], dtype=object)}
X_LOW = '<SimplePredicate field="x" operator="lessThan" value="1"/>'
C_IN = '<SimpleSetPredicate field="c" booleanOperator="isIn"><Array n="2" type="string">u v</Array></SimpleSetPredicate>'


def _rule(predicate: str) -> bytes:
    model = f"""<TreeModel functionName="classification">{schema("x", "c")}<Node score="F"><True/>
<Node score="T">{predicate}</Node><Node score="F"><True/></Node></Node></TreeModel>"""
    return document(continuous("x") + categorical("c", "u", "v", "w") + categorical("y", "T", "F"), model)


@pytest.mark.parametrize(
    ("predicate", "want"),
    [
        (X_LOW, "FFFF".replace("F", "T", 1)),  # 0.5 < 1; missing: UNKNOWN; 3, 1: no
        ('<SimplePredicate field="x" operator="isMissing"/>', "FTFF"),
        ('<SimplePredicate field="c" operator="isNotMissing"/>', "TTFT"),
        (C_IN, "TTFF"),
        (f'<CompoundPredicate booleanOperator="or">{X_LOW}{C_IN}</CompoundPredicate>', "TTFF"),  # row 2: F or UNKNOWN
        (f'<CompoundPredicate booleanOperator="and">{X_LOW}{C_IN}</CompoundPredicate>', "TFFF"),  # row 1: UNKNOWN and T
        ("<False/>", "FFFF"),
    ],
    ids=["lessThan", "isMissing", "isNotMissing", "isIn", "or", "and", "False"],
)
def test_truth_by_hand(predicate: str, want: str) -> None:
    assert "".join(fast_outputs(_rule(predicate), ROWS)["y"].tolist()) == want


def test_surrogate_falls_through_to_the_next_predicate() -> None:
    """Row 1 (x missing): the surrogate asks c, which is in {u, v}: T. pypmml 1.5.8 answers F there (it does
    not fall through), JPMML-Evaluator T as PMML 4.4 says: JPMML is the reference for that row."""
    data = _rule(f'<CompoundPredicate booleanOperator="surrogate">{X_LOW}{C_IN}</CompoundPredicate>')
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    assert "".join(model.predict(ROWS)["y"].tolist()) == "TTFF"
    assert jpmml(data, ROWS, "y")[:2] == ["T", "T"]


def test_xor_is_left_to_the_reference_engine_by_name() -> None:
    assert "xor" in not_fast(_rule(f'<CompoundPredicate booleanOperator="xor">{X_LOW}{C_IN}</CompoundPredicate>'))
