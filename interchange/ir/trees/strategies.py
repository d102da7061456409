"""Multiway trees with three-valued predicates on the one tree-walk kernel (``tree_walk.descend``).

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

The format supplies the predicates' masks (:class:`Truths`): true, unknown, and true only
through a surrogate's alternative, over the whole batch or a subset of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from interchange.ir.trees.walk import descend, self_looped

__all__ = ["STRATEGIES", "STOPPING", "NULL", "VIRTUAL", "Truth3", "Truths", "MultiwayTree", "WalkResult"]

STRATEGIES = ("none", "lastPrediction", "nullPrediction", "defaultChild", "weightedConfidence", "aggregateNodes")
STOPPING = ("lastPrediction", "nullPrediction", "defaultChild")  # the first UNKNOWN child ends the search
NULL, VIRTUAL = -1, -3  # row ends: no prediction, a weightedConfidence / aggregateNodes result
TRUE, FALSE, UNKNOWN = 0, 1, 2  # the branches of a chain position
Truth3 = tuple[np.ndarray, np.ndarray, np.ndarray]  # true, unknown, true through a surrogate's alternative


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
    """Where each row ended (a Node, NULL or VIRTUAL), the surrogate / default steps it took,
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
    def _chain(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """Walk positions: (children table, the child each position tests (-1: an end), the Node
        each end stands for (NULL; -2 - i: node i's virtual result), each Node's entry, depth)."""
        n = len(self.kids)
        flagged = self.strategy in ("weightedConfidence", "aggregateNodes") and self.counts is not None
        copies = 2 if flagged else 1  # the chain again, for rows that met an UNKNOWN child
        chain_at = np.full(n, -1, dtype=np.int64)
        total = 0
        for i, ks in enumerate(self.kids):
            if ks:
                chain_at[i] = total
                total += copies * len(ks)
        ends = total
        null, end = ends, ends + 1  # then one end per Node, then (flagged) one virtual end per Node
        size = end + n * (2 if flagged else 1)
        entry = np.where(chain_at >= 0, chain_at, end + np.arange(n))
        fallback = end + np.arange(n) if self.return_last else np.full(n, null)
        test = np.full(size, -1, dtype=np.int64)
        ended = np.full(size, NULL, dtype=np.int64)
        ended[end : end + n] = np.arange(n)
        if flagged:
            ended[end + n :] = -2 - np.arange(n)
        targets = np.zeros((size, 3), dtype=np.int64)
        for i, ks in enumerate(self.kids):
            m = len(ks)
            for f in range(copies):
                for j, k in enumerate(ks):
                    p = chain_at[i] + f * m + j
                    test[p] = k
                    last = j == m - 1
                    nxt = (fallback[i] if not f else end + n + i) if last else p + 1
                    targets[p, TRUE], targets[p, FALSE] = entry[k], nxt
                    if self.strategy == "lastPrediction":
                        targets[p, UNKNOWN] = end + i
                    elif self.strategy == "nullPrediction":
                        targets[p, UNKNOWN] = null
                    elif self.strategy == "defaultChild":
                        targets[p, UNKNOWN] = entry[self.defaults[i]] if self.defaults[i] >= 0 else null
                    elif flagged:  # go on in the flagged copy of the chain
                        targets[p, UNKNOWN] = (end + n + i) if last else chain_at[i] + m + j + 1
                    else:  # none (and the two virtual strategies of a regression): UNKNOWN is FALSE
                        targets[p, UNKNOWN] = nxt
        children = self_looped(targets, test < 0)
        steps = np.zeros(n, dtype=np.int64)  # the longest walk from each Node, children first
        for i in range(n - 1, -1, -1):
            ks = self.kids[i]
            if ks:
                below = max(steps[k] for k in ks)
                if self.strategy == "defaultChild" and self.defaults[i] >= 0:
                    below = max(below, steps[self.defaults[i]])
                steps[i] = copies * len(ks) + below
        return children, test, ended, entry, int(steps[0]) if n else 0

    def walk(self, truths: Truths, n: int) -> WalkResult:
        """Route ``n`` rows from the root (whose predicate is taken as TRUE)."""
        children, test, ended, entry, depth = self._chain
        missed = np.zeros(n, dtype=np.int64)
        default = self.strategy == "defaultChild"

        def choose(node: np.ndarray) -> np.ndarray | None:
            kid = test[node]
            rows = np.flatnonzero(kid >= 0)
            if not rows.size:
                return None
            branch = np.zeros(n, dtype=np.int32)
            order = np.argsort(kid[rows], kind="stable")
            rows, kids = rows[order], kid[rows][order]
            cut = np.flatnonzero(np.diff(kids)) + 1
            for part in np.split(np.arange(len(rows)), cut):
                at = rows[part]
                t, u, alt = truths.at(int(kids[part[0]]), at)
                branch[at] = np.where(t, TRUE, np.where(u, UNKNOWN, FALSE))
                missed[at[t & alt]] += 1
                if default:
                    missed[at[u & ~t]] += 1
            return branch

        node = np.full(n, entry[0] if len(entry) else 0, dtype=np.int32)
        descend(node, children, 3, depth + 1, choose)
        final = ended[node]
        width = 0 if self.counts is None else self.counts.shape[1]
        result = WalkResult(final, missed, np.zeros(n, dtype=np.int64), np.full((n, width), np.nan), np.full(n, np.nan))
        virtual = np.flatnonzero(final <= -2)
        # (grouped before any is marked: node 1's virtual end, -3, is VIRTUAL itself, so a row marked VIRTUAL at
        # the root was evaluated again at node 1)
        groups = [(i, virtual[final[virtual] == -2 - i]) for i in np.unique(-2 - final[virtual]).tolist()]
        for i, rows in groups:
            self._virtual(i, rows, truths, result)
        return result

    def _virtual(self, i: int, rows: np.ndarray, truths: Truths, out: WalkResult) -> None:
        """weightedConfidence / aggregateNodes at Node i for ``rows`` (no TRUE child, an UNKNOWN one);
        rows without a winner meet the noTrueChildStrategy."""
        weighted = self.strategy == "weightedConfidence"
        scores, probs = self._weighted(i, rows, truths) if weighted else self._aggregate(i, rows, truths)
        valued = np.where(np.isnan(scores), -np.inf, scores)
        best = np.argmax(valued, axis=1)  # the first class with the highest score
        top = valued[np.arange(len(rows)), best]
        won = top > 0  # pypmml: a winner needs a positive score
        chosen = rows[won]
        out.final[chosen] = VIRTUAL
        out.v_label[chosen] = best[won]
        out.v_probs[chosen] = probs[won]
        out.v_conf[chosen] = top[won] if weighted else top[won] / scores[won].sum(axis=1)
        out.final[rows[~won]] = i if self.return_last else NULL

    def _weighted(self, i: int, rows: np.ndarray, truths: Truths) -> tuple[np.ndarray, np.ndarray]:
        """Per class: the UNKNOWN children's ScoreDistribution confidences weighted by their
        recordCount over node i's (pypmml: the children's own confidences, not a walk below
        them; a missing confidence or recordCount leaves no winner). No probabilities."""
        assert self.conf is not None
        total = np.zeros((len(rows), self.conf.shape[1]))
        for k in self.kids[i]:
            share = self.conf[k] * (0.0 if np.isnan(self.records[k]) else self.records[k]) / self.records[i]
            total += np.where(truths.of(k)[1][rows][:, None], share, 0.0)
        return total, np.full(total.shape, np.nan)

    def _aggregate(self, i: int, rows: np.ndarray, truths: Truths) -> tuple[np.ndarray, np.ndarray]:
        """recordCounts summed over every leaf reachable by following UNKNOWN children (and the
        first TRUE one) from node i; PMML 4.4: the probabilities of that virtual Node."""
        assert self.counts is not None
        counts = np.zeros((len(rows), self.counts.shape[1]))
        self._gather(i, rows, np.arange(len(rows)), counts, truths)
        total = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return counts, np.where(total > 0, counts / total, np.nan)

    def _gather(self, j: int, rows: np.ndarray, at: np.ndarray, counts: np.ndarray, truths: Truths) -> None:
        assert self.counts is not None
        if not self.kids[j]:
            counts[at] += self.counts[j]
            return
        scanning = np.ones(len(at), dtype=bool)
        for k in self.kids[j]:
            t, u, _ = truths.of(k)
            t, u = t[rows[at]], u[rows[at]]
            take = scanning & (t | u)
            if take.any():
                self._gather(k, rows, at[take], counts, truths)
            scanning &= ~t
