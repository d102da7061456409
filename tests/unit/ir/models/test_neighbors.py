"""k-NN weights and PMML's tie rule in the IR kernel, computed by hand on a few points."""

from __future__ import annotations

import numpy as np

from interchange.ir.models.neighbors import NearestNeighbors

POINTS = np.array([[0.0], [1.0], [3.0], [10.0]])


def test_pmml_weights_are_one_over_distance_plus_threshold() -> None:
    knn = NearestNeighbors(("x",), POINTS, np.array([2.0, 4.0, 8.0, 100.0]), k=3, weights="distance", threshold=0.5)
    got = knn.predict({"x": np.array([0.5, 0.0])}).value
    # row 0.5: distances 0.5, 0.5, 2.5 -> weights 1, 1, 1/3; row 0: 0, 1, 3 -> 2, 2/3, 2/7
    w0, w1 = np.array([1.0, 1.0, 1 / 3]), np.array([2.0, 2 / 3, 2 / 7])
    want = [w0 @ [2.0, 4.0, 8.0] / w0.sum(), w1 @ [2.0, 4.0, 8.0] / w1.sum()]
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_without_threshold_exact_matches_take_all_the_weight_as_scikit_learn() -> None:
    knn = NearestNeighbors(("x",), POINTS, np.array([2.0, 4.0, 8.0, 100.0]), k=3, weights="distance")
    np.testing.assert_allclose(knn.predict({"x": np.array([1.0, 2.0])}).value, [4.0, (4.0 + 8.0 + 2.0 / 2) / 2.5])


def test_weighted_votes_pick_the_heaviest_class_then_pmml_ties() -> None:
    targets = np.array([0, 1, 0, 0])  # "b" has three training cases, "a" one
    knn = NearestNeighbors(("x",), POINTS, targets, k=2, weights="distance", threshold=0.001, classes=("b", "a"), tie="pmml")
    # 0.5001: "a" at 0.4999 outweighs "b" at 0.5001, by a hair: "a", whatever the training counts;
    # 0.5: equal weights, so the class with more training cases, "b"
    pred = knn.predict({"x": np.array([0.5001, 0.5])})
    assert list(pred.label) == ["a", "b"]
    np.testing.assert_allclose(pred.probabilities[1], [0.5, 0.5])
