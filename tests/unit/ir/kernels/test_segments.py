"""PMML 4.4 §Segmentation's combinations on plain arrays (segments x rows), each expected value
worked out by hand from the specification's definitions and the kernels' stated choices."""

from __future__ import annotations

import numpy as np

from interchange.ir.kernels.segments import combine, combine_values, combine_votes, label_positions, treat_missing

NAN = np.nan
ON = np.array([[True, True], [True, False], [True, True]])  # segment 1 fires on row 0 only
W = np.array([1.0, 2.0, 3.0])
V = np.array([[1.0, 10.0], [4.0, 20.0], [2.0, 30.0]])


def test_value_combinations() -> None:
    assert combine_values("sum", V, ON, W).tolist() == [7.0, 40.0]
    assert combine_values("average", V, ON, W).tolist() == [7.0 / 3.0, 20.0]
    assert combine_values("weightedSum", V, ON, W).tolist() == [1 + 8 + 6, 10 + 90]
    assert combine_values("weightedAverage", V, ON, W).tolist() == [15.0 / 6.0, 100.0 / 4.0]
    assert combine_values("median", V, ON, W).tolist() == [2.0, 20.0]  # (1, 2, 4); (10, 30) -> 20
    # weightedMedian: ascending (1 w1, 2 w3, 4 w2): running 1, 4 >= 3 -> 2; (10 w1, 30 w3): 1, 4 >= 2 -> 30
    assert combine_values("weightedMedian", V, ON, W).tolist() == [2.0, 30.0]


def test_a_selected_missing_value_or_no_selection_is_missing() -> None:
    v = np.array([[1.0, NAN], [2.0, 5.0]])
    on = np.array([[True, True], [False, False]])
    got = combine_values("sum", v, on, np.ones(2))
    assert got[0] == 1.0 and np.isnan(got[1])
    assert np.isnan(combine_values("sum", v, np.zeros((2, 2), dtype=bool), np.ones(2))).all()


def test_votes_count_missing_results_in_the_total() -> None:
    index = np.array([[0, 1], [1, -1], [1, -1]])  # row 1: one vote for class 1, two missing
    probs, winner = combine_votes(index, np.ones((3, 2), dtype=bool), np.ones(3), 2)
    np.testing.assert_allclose(probs[0], [1 / 3, 2 / 3])
    assert winner[0] == 1
    assert np.isnan(probs[1]).all() and winner[1] == -1  # missing outvotes every class


def test_treatments() -> None:
    miss = np.array([[False, True], [True, False], [False, False]])
    on = np.ones((3, 2), dtype=bool)
    used, dead = treat_missing("returnMissing", 0.0, miss, on, np.ones(3))
    assert used.all() and dead.tolist() == [True, True]
    used, dead = treat_missing("skipSegment", 0.4, miss, on, np.ones(3))
    assert (used == ~miss).all() and dead.tolist() == [False, False]  # 1 of 3 missing: 0.33 <= 0.4
    _, dead = treat_missing("skipSegment", 0.4, miss, on, np.array([2.0, 1.0, 1.0]))
    assert dead.tolist() == [False, True]  # by weight: 2 of 4 missing on row 1


def test_label_positions() -> None:
    labels = np.array(["b", None, "z", 1], dtype=object)
    assert label_positions(labels, ["a", "b", "1"], 4).tolist() == [1, -1, -2, 2]


def test_select_first_and_classification_average() -> None:
    results = [
        {"label": np.array(["a", "b"], dtype=object), "probabilities": np.array([[0.9, 0.1], [0.2, 0.8]]), "classes": ["a", "b"]},
        {"label": np.array(["b", "b"], dtype=object), "probabilities": np.array([[0.3, 0.7], [0.4, 0.6]]), "classes": ["a", "b"]},
    ]
    on = np.array([[False, True], [True, True]])
    _, probs, label = combine("selectFirst", results, on, [1.0, 1.0], ["a", "b"], "continue", 1.0, 2)
    assert probs is not None and label is not None
    np.testing.assert_allclose(probs, [[0.3, 0.7], [0.2, 0.8]])
    assert label.tolist() == ["b", "b"]
    _, probs, label = combine("average", results, on, [1.0, 1.0], ["a", "b"], "continue", 1.0, 2)
    assert probs is not None and label is not None
    np.testing.assert_allclose(probs, [[0.3, 0.7], [0.3, 0.7]])
    assert label.tolist() == ["b", "b"]


def test_regression_sum_of_skipped_segments_is_zero() -> None:
    results = [{"value": np.array([NAN, 1.0])}, {"value": np.array([NAN, 2.0])}]
    value, _, _ = combine("sum", results, np.ones((2, 2), dtype=bool), [1.0, 1.0], None, "skipSegment", 1.0, 2)
    assert value is not None and value.tolist() == [0.0, 3.0]
