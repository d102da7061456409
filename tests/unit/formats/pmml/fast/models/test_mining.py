"""MiningModel segmentation on the fast path (pmml.fast.models.mining): methods by hand, pypmml, segmentId."""

from __future__ import annotations

import pytest

from tests.unit.formats.pmml.lift.models import test_segments as lifted
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs

ROWS = lifted.ROWS  # x = -2, 0, 3; segment 1 (x < 1, weight 3): 1 + x; segment 2 (weight 1): 5 - x


@pytest.mark.parametrize(
    ("method", "want"),
    [
        ("sum", [6, 6, 2]),
        ("average", [3, 3, 2]),
        ("weightedAverage", [1, 2, 2]),
        ("median", [3, 3, 2]),
        ("selectFirst", [-1, 1, 2]),
        ("weightedSum", [4, 8, 2]),
    ],
)
def test_methods_by_hand(method: str, want: list[float]) -> None:
    assert fast_outputs(lifted._segments(method), ROWS)["y"].tolist() == want
