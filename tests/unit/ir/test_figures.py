"""The IR steps that report figures beside a prediction (node ids, targets, rule confidence,
neighbour ids, affinities, vote shares, residuals), against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.derive.predicates import Compare
from interchange.ir.graph import Prediction
from interchange.ir.models.cluster import CenterAffinities, NearestCenter
from interchange.ir.models.linear import Regression
from interchange.ir.models.neighbors import NearestNeighbors, NeighborIds
from interchange.ir.models.rules import Rule, RuleConfidence, RuleSet
from interchange.ir.models.svm import SupportVectorMachine, VoteShares
from interchange.ir.models.targets import Residual, Targeted, rescale, residuals, with_priors
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.ir.trees.nodes import NodeFigures

X = {"x": np.array([-1.0, 0.5, 2.0, np.nan])}


def _stump() -> TreeEnsemble:
    """x <= 0 -> node 1 (value 1), else node 2 (value 5); a missing x goes right."""
    tree = Tree(
        np.array([0, -1, -1]),
        np.array([0.0, 0.0, 0.0]),
        np.array([1, -1, -1]),
        np.array([2, -1, -1]),
        np.array([[0.0], [1.0], [5.0]]),
        np.array([False, True, True]),
    )
    return TreeEnsemble(("x",), (tree,))


def test_leaves_and_node_figures() -> None:
    stump = _stump()
    np.testing.assert_array_equal(stump.leaves(np.array([[-1.0], [0.5], [np.nan]]))[:, 0], [1, 2, 2])
    step = NodeFigures(stump, ("root", "left", None), (np.nan, 0.75, np.nan), ("node",), ("conf",))
    pred = step.predict(X)
    np.testing.assert_allclose(pred.value, [1.0, 5.0, 5.0, 5.0])
    assert list(pred.extra["node"]) == ["left", None, None, None]
    np.testing.assert_allclose(pred.extra["conf"], [0.75, np.nan, np.nan, np.nan])
    assert step.figures == ("node", "conf")
    with pytest.raises(ValueError, match="one id"):
        NodeFigures(stump, ("a",), (1.0,))


def test_rescale_clamps_scales_casts_then_defaults() -> None:
    v = np.array([-5.0, 0.3, 10.0, np.nan])
    got = rescale(v, low=-3.0, high=8.0, factor=2.0, constant=1.0, cast="floor", default=7.25)
    np.testing.assert_allclose(got, [-5.0, 1.0, 17.0, 7.25])
    np.testing.assert_allclose(rescale(np.array([0.5, 1.5, -0.5]), cast="round"), [1.0, 2.0, 0.0])  # half up


def test_priors_stand_in_for_no_prediction() -> None:
    p = Prediction(
        classes=("a", "b"), probabilities=np.array([[0.9, 0.1], [np.nan, np.nan]]), label=np.array(["a", None], dtype=object)
    )
    got = with_priors(p, {"a": 0.3, "b": 0.7})
    assert list(got.label) == ["a", "b"]
    np.testing.assert_allclose(got.probabilities, [[0.9, 0.1], [0.3, 0.7]])


def test_targeted_regression_and_display_values() -> None:
    model = Regression(("x",), np.array([[2.0]]), np.array([0.0]))
    got = Targeted(model, high=1.0, factor=10.0, default=-1.0).predict(X)
    np.testing.assert_allclose(got.value, [-20.0, 10.0, 10.0, -1.0])
    rules = RuleSet((Rule((Compare("x", "lessThan", 1.0),), "lo"),), "firstHit", None)
    shown = Targeted(rules, display=(("lo", "Low"),), shown=("shown",)).predict(X)
    assert list(shown.extra["shown"]) == ["Low", "Low", None, None]
    with pytest.raises(ValueError, match="tied"):
        Targeted(rules, priors=(("a", 0.5), ("b", 0.5)))


def test_rule_confidence() -> None:
    rules = RuleSet((Rule((Compare("x", "lessThan", 1.0),), "lo", confidence=0.6),), "firstHit", "none", 0.1)
    pred = RuleConfidence(rules, ("c",)).predict(X)
    assert list(pred.label) == ["lo", "lo", "none", "none"]
    np.testing.assert_allclose(pred.extra["c"], [0.6, 0.6, 0.1, 0.1])


def test_neighbor_ids() -> None:
    knn = NearestNeighbors(("x",), np.array([[0.0], [1.0], [3.0]]), np.array([1.0, 2.0, 3.0]), k=2)
    pred = NeighborIds(knn, ("p", "q", "r"), (("n1", 1), ("n2", 2))).predict(X)
    assert list(pred.extra["n1"]) == ["p", "p", "q", None]
    assert list(pred.extra["n2"]) == ["q", "q", "r", None]
    np.testing.assert_allclose(pred.value, [1.5, 1.5, 2.5, np.nan])
    with pytest.raises(ValueError, match="rank"):
        NeighborIds(knn, ("p", "q", "r"), (("n3", 3),))


def test_center_affinities() -> None:
    centers = NearestCenter(("x",), np.array([[0.0], [2.0]]), ("c0", "c1"), metric="squaredEuclidean")
    pred = CenterAffinities(centers, (("to_c1", "c1"), ("own", None))).predict({"x": np.array([-1.0, 1.5])})
    assert list(pred.cluster) == ["c0", "c1"]
    np.testing.assert_allclose(pred.extra["to_c1"], [9.0, 0.25])
    np.testing.assert_allclose(pred.extra["own"], [1.0, 0.25])


def test_vote_shares() -> None:
    # three classes, three linear machines over one vector (1.0): f = x - t for pairs (0,1), (0,2), (1,2)
    svm = SupportVectorMachine(
        ("x",),
        "linear",
        np.array([[1.0]]),
        np.array([[1.0], [1.0], [1.0]]),
        np.array([0.0, -1.0, -2.0]),
        classes=("a", "b", "c"),
        pairs=np.array([[0, 1], [0, 2], [1, 2]]),
    )
    pred = VoteShares(svm).predict({"x": np.array([3.0, 1.5, np.nan])})
    # x=3: all machines > 0, first class of each pair: a 2, b 1, c 0; x=1.5: a 2, c 1 (1.5-2<0)
    np.testing.assert_allclose(pred.probabilities, [[2 / 3, 1 / 3, 0.0], [2 / 3, 0.0, 1 / 3], [np.nan] * 3])
    assert list(pred.label) == ["a", "a", None]


def test_residual() -> None:
    model = Regression(("x",), np.array([[2.0]]), np.array([0.0]))
    env = {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([5.0, np.nan, 6.0])}
    np.testing.assert_allclose(Residual(model, "y", ("r",)).predict(env).extra["r"], [3.0, np.nan, 0.0])
    # classification: 1 where the actual category is the predicted one, else 0, minus its probability
    p = Prediction(classes=("lo", "hi"), probabilities=np.array([[0.8, 0.2], [0.4, 0.6], [0.7, 0.3]]))
    p.label = np.array(["lo", "hi", "lo"], dtype=object)
    np.testing.assert_allclose(residuals(np.array(["lo", "lo", None], dtype=object), p), [1 - 0.8, 0 - 0.6, np.nan])


def test_chain_feeds_each_link_to_the_next() -> None:
    from interchange.ir.combine.chain import Chain, ChainSegment, Link

    first = Regression(("x",), np.array([[2.0]]), np.array([1.0]))  # a = 2x + 1
    second = Regression(("a", "x"), np.array([[3.0, -1.0]]), np.array([0.0]))  # 3a - x
    chain = Chain((ChainSegment(first, links=(Link("a"),)), ChainSegment(second)))
    assert chain.inputs == ("x",)
    np.testing.assert_allclose(chain.predict(X).value, [-2.0, 5.5, 13.0, np.nan])
    # the second segment only where x > 0: elsewhere the first's value; its link is missing where it did not fire
    when = Compare("x", "greaterThan", 0.0)
    third = Regression(("a",), np.array([[1.0]]), np.array([0.0]))
    gated = Chain((ChainSegment(first, links=(Link("a"),)), ChainSegment(first, when, (Link("b"),)), ChainSegment(third, when)))
    np.testing.assert_allclose(gated.predict(X).value, [-1.0, 2.0, 5.0, np.nan])


def test_anomaly_score() -> None:
    from interchange.ir.models.outlier import AnomalyScore

    paths = Regression(("x",), np.array([[1.0]]), np.array([2.0]))  # h = x + 2
    got = AnomalyScore(paths, 4.0).predict(X).value
    np.testing.assert_allclose(got, 2.0 ** (-np.array([1.0, 2.5, 4.0, np.nan]) / 4.0))


def test_multiway_tree_with_node_ids() -> None:
    from interchange.ir.derive.predicates import Always
    from interchange.ir.trees.multiway import MultiwayTreeModel
    from interchange.ir.trees.strategies import MultiwayTree

    # root -> [x < 0: 1.0 (id "neg"), TRUE: 2.0 (id "rest")]; lastPrediction: a missing x ends at the root (0.5)
    kids = ((1, 2), (), ())
    preds = (Always(True), Compare("x", "lessThan", 0.0), Always(True))
    tree = MultiwayTree(kids, "lastPrediction", False, (-1, -1, -1), np.full(3, np.nan))
    step = MultiwayTreeModel(preds, tree, np.array([0.5, 1.0, 2.0]), ("root", "neg", "rest"), entity=("node",))
    pred = step.predict(X)
    np.testing.assert_allclose(pred.value, [1.0, 2.0, 2.0, 0.5])
    assert list(pred.extra["node"]) == ["neg", "rest", "rest", "root"]
    assert step.inputs == ("x",)
