"""The fast path's NearestNeighborModel (pmml.lifted.models.knn): average and median of the k nearest by hand, and pypmml."""

from __future__ import annotations

from tests.unit.formats.pmml.lift.models import test_knn as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs


def test_average_and_median_by_hand() -> None:
    assert fast_outputs(docs._knn(2), docs.ROWS)["y"].tolist() == [2.0, 6.5, 15.0]
    assert fast_outputs(docs._knn(3, "median"), docs.ROWS)["y"].tolist() == [3.0, 3.0, 10.0]
