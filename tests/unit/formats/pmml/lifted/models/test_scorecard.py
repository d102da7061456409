"""The fast path's Scorecard (pmml.lifted.models.scorecard): the lift test's scorecard scored fast, by hand and pypmml."""

from __future__ import annotations

from tests.unit.formats.pmml.lift.models import test_rules as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs


def test_scorecard_by_hand() -> None:
    """10 + (a < 1 ? 3 : 7) + (b >= 2 ? -1 : 0)."""
    assert fast_outputs(docs._scorecard(), docs.ROWS)["y"].tolist() == [13.0, 17.0, 12.0, 16.0]
