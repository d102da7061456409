"""The float kernels of x-mathContext="float" (ir.kernels.trees): JPMML-Evaluator's FloatValue arithmetic."""

from __future__ import annotations

import math

import numpy as np

from interchange.ir.kernels.trees import float_exp, float_link, float_scores, float_softmax, float_tree_sum
from interchange.ir.trees.ensemble import Tree, TreeEnsemble


def test_trees_are_added_one_by_one_in_float32() -> None:
    values = np.array([[1.0], [2.0**-24], [2.0**-24]], dtype=np.float32)  # 1 + ulp/2 + ulp/2: each half is lost
    node = np.array([[0, 1, 2]])
    assert float_tree_sum(values, node)[0, 0] == np.float32(1.0)
    assert np.float32(1.0) + np.float32(2.0**-23) != np.float32(1.0)  # (a pairwise or double sum keeps them)


def test_exp_is_jpmmls_pow_of_its_e() -> None:
    x = np.array([-3.5, 0.0, 1.0, 7.25], dtype=np.float32)
    assert float_exp(x).tolist() == [float(np.float32(math.pow(2.7182817, float(v)))) for v in x]
    assert float_link("logit", np.array([0.0], dtype=np.float32))[0] == np.float32(0.5)
    assert float_link("log", x).dtype == np.float32


def test_softmax_and_base_in_float32() -> None:
    probs = float_softmax(np.array([[1.0, 2.0, 3.0]], dtype=np.float32))
    assert probs.dtype == np.float32 and abs(float(probs.sum()) - 1.0) < 1e-6
    got = float_scores(np.array([[0.1]], dtype=np.float32), np.array([0.2]), softmax=False)
    assert got[0, 0] == float(np.float32(0.1) + np.float32(0.2))


def test_a_float_ensemble_sums_its_leaves_in_float32() -> None:
    tree = Tree(
        np.array([0, -1, -1]),
        np.array([0.5, 0, 0]),
        np.array([1, -1, -1]),
        np.array([2, -1, -1]),
        np.array([[0.0], [0.1], [0.3]]),
        np.zeros(3, dtype=bool),
    )
    double = TreeEnsemble(("x",), (tree, tree, tree), base=np.array([0.7]))
    single = TreeEnsemble(("x",), (tree, tree, tree), base=np.array([0.7]), precision="float")
    X = np.array([[0.0], [1.0]])
    want = [
        float(np.float32(0.1) + np.float32(0.1) + np.float32(0.1) + np.float32(0.7)),
        float(np.float32(0.3) + np.float32(0.3) + np.float32(0.3) + np.float32(0.7)),
    ]
    assert np.asarray(single.predict_matrix(X).value).tolist() == want
    assert np.asarray(double.predict_matrix(X).value).tolist() != want
