"""The fast path's RuleSetModel (pmml.lifted.models.ruleset): firstHit by hand and pypmml."""

from __future__ import annotations

from tests.unit.formats.pmml.lift.models import test_rules as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs


def test_first_hit_by_hand() -> None:
    """a > 1 -> yes; else b > 1 -> maybe; else the default, no."""
    assert fast_outputs(docs._rules(), docs.ROWS)["y"].tolist() == ["no", "yes", "maybe", "yes"]
