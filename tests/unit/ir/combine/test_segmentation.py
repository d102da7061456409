"""Per-row segment weights, against values worked out by hand."""

from __future__ import annotations

import numpy as np

from interchange.ir.combine.segmentation import combine_segments
from interchange.ir.graph import Prediction


def test_weights_per_row_weigh_each_row_on_its_own() -> None:
    results = [Prediction(value=np.array([1.0, 1.0])), Prediction(value=np.array([4.0, 4.0]))]
    on = np.ones((2, 2), dtype=bool)
    rows = np.array([[1.0, 3.0], [2.0, 1.0]])  # segments x rows
    got = combine_segments("weightedAverage", results, on, rows, None, "continue", 1.0, 2).value
    np.testing.assert_allclose(got, [(1 + 8) / 3, (3 + 4) / 4])
    fixed = combine_segments("weightedAverage", results, on, (1.0, 2.0), None, "continue", 1.0, 2).value
    np.testing.assert_allclose(fixed, [3.0, 3.0])
