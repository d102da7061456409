"""The IR's linear kernel: the column form (no design matrix) against the matrix product, and
its missing-value rule (a NaN input makes every score of its row NaN, as ``0 * NaN`` does)."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.models.linear import Link, Regression, affine, linear_scores


@pytest.mark.parametrize("k", [1, 3])
def test_columns_agree_with_the_matrix_product(k: int) -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 6))
    W, b = rng.normal(size=(k, 6)), rng.normal(size=k)
    W[0, 2] = 0.0  # a zero weight still reads its column (NaN below)
    X[5, 2] = np.nan
    by_matrix = X @ W.T + b
    by_columns = affine([X[:, i].copy() for i in range(6)], W, b)
    assert by_columns.shape == (200, k)
    np.testing.assert_allclose(by_columns, by_matrix, rtol=1e-12, atol=1e-12)
    assert np.isnan(by_columns[5]).all() and not np.isnan(np.delete(by_columns, 5, axis=0)).any()


def test_a_weight_vector_gives_one_score_per_row_summed_in_column_order() -> None:
    cols = [np.array([1e16, 1.0]), np.array([1.0, 2.0]), np.array([-1e16, 3.0])]
    got = affine(cols, np.array([1.0, 1.0, 1.0]), 0.5)
    # (((0.5 + 1e16) + 1) - 1e16) in float64: 0.5 and 1 are lost against 1e16, left to right
    assert got.tolist() == [((0.5 + 1e16) + 1.0) - 1e16, 6.5]


def test_regression_reads_named_columns_and_applies_its_link() -> None:
    env = {"a": np.array([0.0, 1.0, np.nan]), "b": np.array([2, 0, 1])}
    step = Regression(("a", "b"), np.array([[1.0, -0.5]]), np.array([0.25]), Link.LOGISTIC, ("n", "y"))
    pred = step.predict(env).finish()
    s = np.array([0.25 - 1.0, 1.25])
    np.testing.assert_allclose(pred.probabilities[:2, 1], 1 / (1 + np.exp(-s)), rtol=1e-15)
    assert np.isnan(pred.probabilities[2]).all() and pred.label.tolist() == ["n", "y", None]
    with pytest.raises(ModelError, match="'c'"):
        linear_scores(env, ("a", "c"), np.ones(2), 0.0)


def test_a_few_rows_give_the_same_bits_as_a_batch() -> None:
    rng = np.random.default_rng(3)
    cols = [rng.normal(size=50) * 10.0 ** rng.integers(-8, 8) for _ in range(9)]
    cols[4][7] = np.nan
    W, b = rng.normal(size=(2, 9)), rng.normal(size=2)
    batch = affine(cols, W, b)
    for r in (0, 7, 49):
        one = affine([c[r : r + 1] for c in cols], W, b)
        assert one.shape == (1, 2)
        np.testing.assert_array_equal(one[0], batch[r])  # bit for bit, NaN where NaN
    assert affine([c[:3] for c in cols], W[0], 0.5).tolist() == affine(cols, W[0], 0.5)[:3].tolist()


def test_a_tie_goes_to_the_first_class_or_to_the_last() -> None:
    env = {"a": np.array([1.0, 2.0, 3.0])}
    coef, intercept = np.array([[1.0]]), np.array([-2.0])  # the middle row scores 0: p = 0.5
    first = Regression(("a",), coef, intercept, Link.LOGISTIC, ("n", "y")).predict(env).finish()
    last = Regression(("a",), coef, intercept, Link.LOGISTIC, ("n", "y"), ties="last").predict(env).finish()
    assert first.label.tolist() == ["n", "n", "y"] and last.label.tolist() == ["n", "y", "y"]
    np.testing.assert_array_equal(first.probabilities, last.probabilities)
