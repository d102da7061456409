"""Segmentation lifted into the IR's Segmentation step (pmml.lift.models.segments): methods by hand, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from ._pmml import continuous, document, lifted_outputs, reason, schema

ROWS = {"x": np.array([-2.0, 0.0, 3.0])}


def _segments(method: str, function: str = "regression") -> bytes:
    def inner(intercept: float, slope: float) -> str:
        return f"""<RegressionModel functionName="regression">{schema("x")}<RegressionTable intercept="{intercept}">
<NumericPredictor name="x" coefficient="{slope}"/></RegressionTable></RegressionModel>"""

    segments = f"""<Segment weight="3"><SimplePredicate field="x" operator="lessThan" value="1"/>{inner(1, 1)}</Segment>
<Segment weight="1"><True/>{inner(5, -1)}</Segment>"""
    model = f'<MiningModel functionName="{function}">{schema("x")}<Segmentation multipleModelMethod="{method}">{segments}</Segmentation></MiningModel>'  # noqa: E501
    return document(continuous("x", "y"), model)


@pytest.mark.parametrize(
    ("method", "want"),
    [
        # segment 1 (x < 1): 1 + x; segment 2 (always): 5 - x
        ("sum", [-1 + 7, 1 + 5, 2]),
        ("average", [(-1 + 7) / 2, (1 + 5) / 2, 2]),
        ("weightedAverage", [(3 * -1 + 7) / 4, (3 * 1 + 5) / 4, 2]),
        ("median", [3, 3, 2]),
        ("selectFirst", [-1, 1, 2]),
    ],
)
def test_methods_by_hand(method: str, want: list[float]) -> None:
    assert lifted_outputs(_segments(method), ROWS)["y"].tolist() == want


def test_majority_vote_for_regression_is_refused_by_name() -> None:
    assert "multipleModelMethod=majorityVote for regression" in reason(_segments("majorityVote"))
