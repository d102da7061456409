"""Multiway trees with three-valued predicates on the one tree-walk kernel (interchange.ir.kernels.trees).

PMML 4.4 §TreeModel: a Node's children are tried in document order and the first TRUE one is
taken; what an UNKNOWN child does is the tree's missingValueStrategy, what happens when no child
is TRUE its noTrueChildStrategy. Both are parameters here. The Node's children become a chain of
walk positions, one per child, with three branches (TRUE: enter the child; FALSE: try the next
child; UNKNOWN: the strategy), so the whole tree descends level by level like any other:

* ``lastPrediction`` / ``nullPrediction``: end at the Node / with no prediction;
* ``defaultChild``: enter the Node's default child (counted by missingValuePenalty);
* ``none``: UNKNOWN is FALSE;
* ``weightedConfidence`` / ``aggregateNodes`` (pypmml's reading): go on as for FALSE, remembering
  the UNKNOWN; a row with no TRUE child but an UNKNOWN one ends in a virtual result (a label,
  a confidence, no Node), computed from the UNKNOWN children's ScoreDistributions.

The format supplies the predicates' masks (:class:`Truths`): true, unknown, and decided by a
surrogate's alternative (ir.trees.masks.alternative), over the whole batch or a subset of rows.
missingValuePenalty counts every defaultChild taken and every Node tested whose surrogate an
alternative decided, TRUE or FALSE (PMML 4.4 §TreeModel penalises the confidence for missing-value
handling without singling out the FALSE case; JPMML-Evaluator counts it, pypmml 1.5.8 only a TRUE one
it takes: formats/pmml/departures.py). The chain, the walk
and the virtual results are the plain kernels ``multiway_chain``, ``multiway_walk`` and
``multiway_virtual``, which generated Python copies; this step holds the tree as data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from interchange.ir.kernels.trees import multiway_chain, multiway_virtual, multiway_walk

__all__ = ["STRATEGIES", "STOPPING", "NULL", "VIRTUAL", "Truth3", "Truths", "MultiwayTree", "WalkResult"]

STRATEGIES = ("none", "lastPrediction", "nullPrediction", "defaultChild", "weightedConfidence", "aggregateNodes")
STOPPING = ("lastPrediction", "nullPrediction", "defaultChild")  # the first UNKNOWN child ends the search
NULL, VIRTUAL = -1, -3  # row ends: no prediction, a weightedConfidence / aggregateNodes result (the kernels')
Truth3 = tuple[np.ndarray, np.ndarray, np.ndarray]  # true, unknown, decided by a surrogate's alternative


class Truths(Protocol):
    """A tree's predicates over one batch, as the format compiles them."""

    def of(self, k: int) -> Truth3:
        """Node k's predicate over every row of the batch."""
        ...

    def at(self, k: int, rows: np.ndarray) -> Truth3:
        """Node k's predicate over ``rows`` only."""
        ...


@dataclass
class WalkResult:
    """Where each row ended (a Node, NULL or VIRTUAL), the surrogate / default steps it met,
    and the virtual results (class index, probabilities, confidence) where it ended VIRTUAL."""

    final: np.ndarray
    missed: np.ndarray
    v_label: np.ndarray
    v_probs: np.ndarray
    v_conf: np.ndarray


@dataclass(frozen=True)
class MultiwayTree:
    """A tree's shape and strategies (Nodes in pre-order, parents before children)."""

    kids: tuple[tuple[int, ...], ...]
    strategy: str
    return_last: bool  # noTrueChildStrategy: returnLastPrediction (else returnNullPrediction)
    defaults: tuple[int, ...]  # the default child per Node (-1: none)
    records: np.ndarray  # (nodes,) recordCount, NaN where absent
    conf: np.ndarray | None = None  # (nodes x classes) ScoreDistribution confidences (classification)
    counts: np.ndarray | None = None  # (nodes x classes) ScoreDistribution recordCounts (classification)

    @cached_property
    def chain(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """The walk positions (interchange.ir.kernels.trees.multiway_chain)."""
        flagged = self.strategy in ("weightedConfidence", "aggregateNodes") and self.counts is not None
        return multiway_chain(self.kids, self.strategy, self.return_last, self.defaults, flagged)

    def walk(self, truths: Truths, n: int) -> WalkResult:
        """Route ``n`` rows from the root (whose predicate is taken as TRUE)."""
        final, missed = multiway_walk(self.chain, truths.at, self.strategy == "defaultChild", n)
        if self.counts is None:
            return WalkResult(final, missed, np.zeros(n, dtype=np.int64), np.full((n, 0), np.nan), np.full(n, np.nan))
        weighted = self.strategy == "weightedConfidence"
        virtual = multiway_virtual(final, truths.of, self.kids, weighted, self.return_last, self.records, self.conf, self.counts)
        return WalkResult(final, missed, *virtual)
