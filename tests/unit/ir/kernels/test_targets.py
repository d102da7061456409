"""The Targets and residual kernels (interchange.ir.kernels.targets) on values worked by hand."""

from __future__ import annotations

import numpy as np

from interchange.ir.kernels.targets import no_prediction, rescale, residual_hits, residual_values, stand_in


def test_rescale_clamps_then_rescales_then_casts_and_defaults_only_a_missing_value() -> None:
    v = np.array([-10.0, 0.2, 0.5, 3.7, 99.0, np.nan])
    # clamp to [-2, 4]: -2, 0.2, 0.5, 3.7, 4; * 2 + 0.5: -3.5, 0.9, 1.5, 7.9, 8.5
    assert rescale(v, low=-2.0, high=4.0, factor=2.0, constant=0.5).tolist()[:5] == [-3.5, 0.9, 1.5, 7.9, 8.5]
    assert rescale(v, low=-2.0, high=4.0, factor=2.0, constant=0.5, cast="round").tolist()[:5] == [-3.0, 1.0, 2.0, 8.0, 9.0]
    assert rescale(v, low=-2.0, high=4.0, factor=2.0, constant=0.5, cast="ceiling").tolist()[:5] == [-3.0, 1.0, 2.0, 8.0, 9.0]
    assert rescale(v, low=-2.0, high=4.0, factor=2.0, constant=0.5, cast="floor").tolist()[:5] == [-4.0, 0.0, 1.0, 7.0, 8.0]
    got = rescale(v, factor=2.0, default=7.25)
    assert np.isnan(rescale(v)[5]) and got[5] == 7.25 and got[0] == -20.0  # (the default is not rescaled)


def test_stand_in_puts_the_priors_where_no_category_is_predicted() -> None:
    label = np.array(["a", None, "b"], dtype=object)
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5], [np.nan, np.nan, np.nan]])
    none = no_prediction(label, probs)
    assert none.tolist() == [False, True, True]
    got, p = stand_in(label, probs, ("a", "b", "c"), {"a": 0.25, "c": 0.6}, none)
    assert got.tolist() == ["a", "c", "c"]
    assert p[0].tolist() == [0.9, 0.1, 0.0] and p[1, 0] == 0.25 and np.isnan(p[1, 1]) and p[2, 2] == 0.6


def test_residuals_of_a_regression_and_a_classification() -> None:
    assert residual_values([3.0, np.nan], [1.0, 2.0])[0] == 2.0  # actual minus predicted
    probs = np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]])
    got = residual_hits(np.array(["x", "x", None], dtype=object), ["x", "y", "x"], probs, ("x", "y"))
    assert got[0] == 1.0 - 0.7 and got[1] == 0.0 - 0.6 and np.isnan(got[2])
