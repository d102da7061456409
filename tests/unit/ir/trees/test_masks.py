"""ir.multiway_masks.mask_walk against ir.tree_strategies.MultiwayTree.walk on random trees and truths."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.trees.masks import mask_walk
from interchange.ir.trees.strategies import NULL, MultiwayTree


class _Numpy:
    def both(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a & b

    def either(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a | b

    def negate(self, a: np.ndarray) -> np.ndarray:
        return ~a


class _Truths:
    def __init__(self, table: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        self.table = table

    def of(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.table[k]

    def at(self, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t, u, a = self.table[k]
        return t[rows], u[rows], a[rows]


def _random_tree(rng: np.random.Generator, strategy: str, return_last: bool) -> MultiwayTree:
    kids: list[list[int]] = [[]]
    frontier = [0]
    while len(kids) < 14 and frontier:
        parent = frontier.pop(0)
        for _ in range(int(rng.integers(2, 4))):
            kids.append([])
            kids[parent].append(len(kids) - 1)
            frontier.append(len(kids) - 1)
    defaults = tuple(int(rng.choice(ks)) if ks else -1 for ks in kids)
    return MultiwayTree(tuple(tuple(k) for k in kids), strategy, return_last, defaults, np.full(len(kids), np.nan))


@pytest.mark.parametrize("strategy", ["none", "lastPrediction", "nullPrediction", "defaultChild"])
@pytest.mark.parametrize("return_last", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_masks_end_each_row_where_the_walk_does(strategy: str, return_last: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    tree = _random_tree(rng, strategy, return_last)
    n = 400
    table = []
    for _ in tree.kids:
        draw = rng.random(n)
        t, u = draw < 0.4, (draw >= 0.4) & (draw < 0.6)
        table.append((t, u, ~u & (rng.random(n) < 0.3)))  # some decided (TRUE or FALSE) by a surrogate's alternative
    walk = tree.walk(_Truths(table), n)
    ends, events = mask_walk(tree, lambda k: table[k], _Numpy())
    final = np.full(n, NULL)
    for i, end in enumerate(ends):
        mask = np.broadcast_to(np.asarray(end), (n,))
        assert not (mask & (final != NULL)).any(), "a row ends at two Nodes"
        final[mask] = i
    np.testing.assert_array_equal(final, walk.final)
    missed = sum((np.broadcast_to(np.asarray(e), (n,)).astype(np.int64) for e in events), np.zeros(n, dtype=np.int64))
    reached = walk.final >= 0  # (the penalty is read where a row ends at a Node)
    np.testing.assert_array_equal(missed[reached], walk.missed[reached])


def test_alternative_is_where_the_first_part_is_unknown_and_the_whole_is_not() -> None:
    from interchange.ir.derive.predicates import Compare, Compound
    from interchange.ir.trees.masks import ARRAYS, alternative

    first, second = Compare("a", "lessThan", 0.0), Compare("b", "lessThan", 0.0)
    surrogate = Compound("surrogate", (first, second))
    unknown_first = np.array([True, True, True, False])
    whole_unknown = np.array([True, False, False, False])  # rows 1, 2: b decided (TRUE or FALSE)
    unknown_of = lambda q: unknown_first if q is first else None  # noqa: E731
    got = alternative(surrogate, whole_unknown, unknown_of, ARRAYS)
    assert got.tolist() == [False, True, True, False]
    assert alternative(first, whole_unknown, unknown_of, ARRAYS) is False
    assert alternative(surrogate, False, lambda q: True, _Numpy()) is True  # constant masks fold


def test_a_virtual_result_is_not_masks() -> None:
    tree = MultiwayTree(((1,), ()), "weightedConfidence", True, (-1, -1), np.ones(2), np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="virtual result"):
        mask_walk(tree, lambda k: (True, False, False), _Numpy())


@pytest.mark.parametrize("strategy", ["weightedConfidence", "aggregateNodes"])
@pytest.mark.parametrize("return_last", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_virtual_masks_give_the_walks_virtual_results(strategy: str, return_last: bool, seed: int) -> None:
    """Candidates, their scores (weighted confidences, or the gathered leaves' counts) and winners, from the
    masks, as the IR's walk gives them."""
    from interchange.ir.trees.masks import virtual_walk
    from interchange.ir.trees.strategies import VIRTUAL

    rng = np.random.default_rng(seed)
    shape = _random_tree(rng, strategy, return_last)
    nodes, width, n = len(shape.kids), 3, 400
    counts = rng.integers(0, 5, (nodes, width)).astype(np.float64)
    conf = rng.random((nodes, width))
    records = rng.integers(1, 50, nodes).astype(np.float64)
    tree = MultiwayTree(shape.kids, strategy, return_last, shape.defaults, records, conf, counts)
    table = []
    for _ in tree.kids:
        draw = rng.random(n)
        table.append((draw < 0.4, (draw >= 0.4) & (draw < 0.7), np.zeros(n, dtype=bool)))
    walk = tree.walk(_Truths(table), n)
    ends, _, candidates, gathered = virtual_walk(tree, lambda k: table[k], _Numpy())
    rows = lambda m: np.broadcast_to(np.asarray(m), (n,))  # noqa: E731
    scores = np.zeros((n, width))
    for i, kids in enumerate(tree.kids):
        if strategy == "weightedConfidence":
            for k in kids:
                scores += np.where((rows(candidates[i]) & table[k][1])[:, None], conf[k] * records[k] / records[i], 0.0)
        elif not kids:
            scores += np.where(rows(gathered[i])[:, None], counts[i], 0.0)
    candidate = np.logical_or.reduce([rows(c) for c in candidates])
    won = candidate & (scores.max(axis=1) > 0)
    np.testing.assert_array_equal(won, walk.final == VIRTUAL)
    np.testing.assert_array_equal(np.argmax(scores, axis=1)[won], walk.v_label[won])
    final = np.full(n, NULL)
    for i, (end, c) in enumerate(zip(ends, candidates, strict=True)):
        final[rows(end)] = i
        if return_last:
            final[rows(c) & ~won] = i
    final[won] = VIRTUAL
    np.testing.assert_array_equal(final, walk.final)
