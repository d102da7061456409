"""The iforest anomaly-score kernel (interchange.ir.kernels.outlier)."""

from __future__ import annotations

import numpy as np

from interchange.ir.kernels.outlier import anomaly_score


def test_anomaly_score_is_two_to_minus_the_normalised_path_length() -> None:
    got = anomaly_score(np.array([0.0, 2.0, np.nan]), 2.0)
    assert got[0] == 1.0 and got[1] == 0.5 and np.isnan(got[2])
