"""ir.compared: PMML 4.4's field-by-field distances, checked against sums written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.models.compared import ComparedCenter

CENTERS = np.array([[0.0, 0.0, 1.0], [1.0, 2.0, 2.0]])


def _step(metric: str, p: float = 2.0, **kw: object) -> ComparedCenter:
    base: dict[str, object] = {
        "compare": ("gaussSim", "absDiff", "delta"),
        "scales": (1.5, 1.0, 1.0),
        "field_weights": np.array([1.0, 0.25, 3.0]),
        "missing_weights": np.ones(3),
    }
    base.update(kw)
    return ComparedCenter(("a", "b", "k"), CENTERS, ("c1", "c2"), metric, p, **base)  # type: ignore[arg-type]


def _gauss(z: float, s: float = 1.5) -> float:
    return math.exp(-math.log(2.0) * z * z / (s * s))


def test_each_compare_function_is_raised_weighted_and_summed() -> None:
    x = np.array([[0.5, 2.0, 1.0]])
    d = _step("minkowski", 3.0).distance_matrix(x)
    # to c1 (0, 0, 1): gaussSim(0.5)^3 + 0.25 * 2^3 + 3 * delta(1, 1)^3, then the cube root
    assert d[0, 0] == pytest.approx((_gauss(0.5) ** 3 + 0.25 * 8 + 0.0) ** (1 / 3), rel=1e-14)
    # to c2 (1, 2, 2): gaussSim(-0.5)^3 + 0 + 3 * delta(1, 2)^3
    assert d[0, 1] == pytest.approx((_gauss(-0.5) ** 3 + 0.0 + 3.0) ** (1 / 3), rel=1e-14)


def test_equal_is_one_on_equal_values() -> None:
    step = _step("manhattan", compare=("absDiff", "absDiff", "equal"))
    d = step.distance_matrix(np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 5.0]]))
    assert d[:, 0].tolist() == [3.0, 0.0]  # weight 3 * equal(1, 1); equal(5, 1) = 0


def test_chebychev_takes_the_largest_weighted_term() -> None:
    step = _step("chebychev", compare=("absDiff", "absDiff", "absDiff"), field_weights=np.array([2.0, 0.5, 1.0]))
    d = step.distance_matrix(np.array([[3.0, -4.0, 1.5]]))
    assert d[0, 0] == max(2 * 3.0, 0.5 * 4.0, 0.5)
    assert d[0, 1] == max(2 * 2.0, 0.5 * 6.0, 0.5)


def test_a_missing_field_is_left_out_and_the_rest_scaled_by_the_missing_value_weights() -> None:
    step = _step("squaredEuclidean", missing_weights=np.array([1.0, 2.0, 0.5]))
    d = step.distance_matrix(np.array([[np.nan, 2.0, 1.0], [np.nan, np.nan, np.nan]]))
    assert d[0, 0] == pytest.approx((0.25 * 4 + 0.0) * 3.5 / 2.5, rel=1e-14)
    assert np.isnan(d[1]).all()
    cluster = step.predict({"a": np.array([np.nan]), "b": np.array([2.0]), "k": np.array([2.0])}).cluster
    assert cluster is not None and cluster.tolist() == ["c2"]


def test_bad_definitions_are_refused() -> None:
    with pytest.raises(ModelError, match="table"):
        _step("euclidean", compare=("absDiff", "table", "delta"))
    with pytest.raises(ModelError, match="similarityScale"):
        _step("euclidean", scales=(0.0, 1.0, 1.0))
    with pytest.raises(ModelError, match="metric"):
        _step("cosine")
