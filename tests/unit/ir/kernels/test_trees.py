"""The IR's tree-walk kernel: level-by-level descent, and PMML's strategies as its parameters.

Expected ends are worked out by hand from PMML 4.4 §TreeModel's rules for a root with three
leaf children a, b, c (Nodes 1, 2, 3) and four rows whose predicates are set directly.
"""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.kernels.trees import descend, self_looped
from interchange.ir.trees.strategies import NULL, VIRTUAL, MultiwayTree

# per row, the truth of a, b, c: T(rue), F(alse), U(nknown)
ROWS = ["TFF", "FUT", "FFF", "UFF"]


class _Fixed:
    def of(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.at(k, np.arange(len(ROWS)))

    def at(self, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        got = np.array([ROWS[r][k - 1] for r in rows.tolist()])
        return got == "T", got == "U", np.zeros(len(rows), dtype=bool)


def _tree(strategy: str, return_last: bool = False) -> MultiwayTree:
    conf = np.array([[np.nan, np.nan], [0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    counts = np.array([[0, 0], [6, 0], [1, 3], [0, 0]], dtype=float)
    return MultiwayTree(((1, 2, 3), (), (), ()), strategy, return_last, (3, -1, -1, -1), np.array([10, 6, 4, 0.0]), conf, counts)


@pytest.mark.parametrize(
    ("strategy", "return_last", "final", "missed"),
    [
        ("lastPrediction", False, [1, 0, NULL, 0], [0, 0, 0, 0]),  # an UNKNOWN child ends the walk at its parent
        ("nullPrediction", True, [1, NULL, 0, NULL], [0, 0, 0, 0]),
        ("defaultChild", False, [1, 3, NULL, 3], [0, 1, 0, 1]),  # the default child c, counted for the penalty
        ("none", True, [1, 3, 0, 0], [0, 0, 0, 0]),  # UNKNOWN is FALSE
        ("weightedConfidence", False, [1, 3, NULL, VIRTUAL], [0, 0, 0, 0]),  # a later TRUE child still wins
        ("aggregateNodes", False, [1, 3, NULL, VIRTUAL], [0, 0, 0, 0]),
    ],
)
def test_strategies_end_rows_where_pmml_says(strategy: str, return_last: bool, final: list[int], missed: list[int]) -> None:
    got = _tree(strategy, return_last).walk(_Fixed(), len(ROWS))
    assert got.final.tolist() == final
    assert got.missed.tolist() == missed


class _Alternative(_Fixed):
    """Node a is a surrogate that an alternative decides wherever it is not UNKNOWN."""

    def at(self, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t, u, _ = super().at(k, rows)
        return t, u, ~u if k == 1 else np.zeros(len(rows), dtype=bool)


@pytest.mark.parametrize(
    ("strategy", "final", "missed"),
    [
        # row 0: a TRUE (entered); row 1: a FALSE, then b UNKNOWN, c TRUE; row 2: a FALSE, b and c FALSE;
        # row 3: a UNKNOWN (no alternative decided it)
        ("none", [1, 3, 0, 0], [1, 1, 1, 0]),
        ("lastPrediction", [1, 0, 0, 0], [1, 1, 1, 0]),  # row 1 stops at b, a FALSE by its alternative still counts
    ],
)
def test_a_surrogate_decided_by_an_alternative_counts_true_or_false(strategy: str, final: list[int], missed: list[int]) -> None:
    """missingValuePenalty as JPMML-Evaluator reads it: every Node tested whose surrogate an alternative
    decided is one missing-value handling, whether the walk enters it or not."""
    got = _tree(strategy, True).walk(_Alternative(), len(ROWS))
    assert got.final.tolist() == final
    assert got.missed.tolist() == missed


def test_virtual_results() -> None:
    weighted = _tree("weightedConfidence").walk(_Fixed(), len(ROWS))
    # row 3: only a is UNKNOWN: a's confidences weighted by its 6 of the root's 10 records
    assert weighted.v_label[3] == 0
    assert weighted.v_conf[3] == pytest.approx(0.9 * 6 / 10)
    aggregate = _tree("aggregateNodes").walk(_Fixed(), len(ROWS))
    # row 3: a (UNKNOWN) is followed, then b and c are FALSE: a's counts alone
    assert aggregate.v_probs[3].tolist() == [1.0, 0.0]
    assert aggregate.v_conf[3] == pytest.approx(1.0)


def test_descend_follows_the_chosen_branch_and_stays_at_ends() -> None:
    # node 0: three branches to 1, 2, 3 (ends); rows choose 0, 1, 2
    children = self_looped(np.array([[1, 2, 3], [0, 0, 0], [0, 0, 0], [0, 0, 0]]), np.array([False, True, True, True]))
    node = np.zeros(3, dtype=np.int32)
    descend(node, children, 3, 5, lambda at: np.where(at == 0, np.arange(3), 0))
    assert node.tolist() == [1, 2, 3]
