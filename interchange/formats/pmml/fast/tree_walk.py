"""PMML 4.4 §TreeModel on the general evaluator: any tree, every missingValueStrategy.

Each Node's predicate is a three-valued mask over the batch (and / or / surrogate combine
UNKNOWN the way the specification says), and rows move down the tree one node at a time. A
Node's children are tried in document order. Under lastPrediction, nullPrediction and
defaultChild the first child that is not FALSE decides: TRUE descends, UNKNOWN meets the
strategy at once (PMML 4.4 §TreeModel: "If a Node's predicate evaluates to UNKNOWN while
traversing the tree, evaluation is stopped ..." / "abort the scoring process" / "evaluate the
attribute defaultChild", and for none: "In contrast to lastPrediction, evaluation is carried
on instead of stopping immediately upon first discovery of a Node who's predicate value cannot
be determined"; JPMML-Evaluator does the same). pypmml 1.5.8 instead lets a later TRUE child
win over an earlier UNKNOWN one. Under none (UNKNOWN is FALSE), weightedConfidence and
aggregateNodes (pypmml's reading: JPMML-Evaluator has neither) the first TRUE child wins and
rows with no TRUE child but an UNKNOWN one meet the strategy; rows with neither meet the
noTrueChildStrategy. weightedConfidence and aggregateNodes end a row in a virtual result (a
label, a confidence, no Node).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.expressions import Ctx, elements
from interchange.formats.pmml.fast.outputs import CONFIDENCE, ENTITY
from interchange.formats.pmml.fast.predicates import predicate
from interchange.formats.pmml.fast.scope import Scope
from interchange.formats.pmml.parse import local
from interchange.ir.graph import ModelStep, Prediction

__all__ = ["TreeNode", "GeneralTree", "tree_predicate", "STRATEGIES", "STOPPING"]

STRATEGIES = ("none", "lastPrediction", "nullPrediction", "defaultChild", "weightedConfidence", "aggregateNodes")
STOPPING = ("lastPrediction", "nullPrediction", "defaultChild")  # the first UNKNOWN child ends the search
NULL, MOVING, VIRTUAL = -1, -2, -3  # row ends: no prediction, not yet, a weightedConfidence / aggregateNodes result
# true, unknown, and true only through a surrogate's alternative (counted by missingValuePenalty)
Truth3 = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass
class TreeNode:
    """One Node: its predicate element, place in the tree and ScoreDistribution facts."""

    el: etree._Element
    pred: etree._Element
    parent: int
    kids: list[int]
    score: Any
    dist: dict[str, float]  # value -> probability (NaN when the document does not give one)
    confidence: dict[str, float] = field(default_factory=dict)  # value -> ScoreDistribution confidence
    counts: dict[str, float] = field(default_factory=dict)  # value -> recordCount
    records: float = np.nan  # the Node's recordCount


def tree_predicate(el: etree._Element, ctx: Ctx) -> Callable[[Scope], Truth3]:
    """A Node's predicate as (true, unknown, true through a surrogate's alternative)."""
    fn = predicate(el, ctx)
    surrogate = local(el) == "CompoundPredicate" and el.get("booleanOperator") == "surrogate"
    first = predicate(elements(el)[0], ctx) if surrogate else None

    def truth(s: Scope) -> Truth3:
        t, u = fn(s)
        alt = t & first(s)[1] if first is not None else np.zeros(s.n, dtype=bool)
        return t, u, alt

    return truth


@dataclass(frozen=True)
class GeneralTree(ModelStep):
    """Any tree: rows routed top-down over three-valued predicates (see the module docstring)."""

    nodes: tuple[TreeNode, ...]
    ctx: Ctx
    strategy: str
    no_true_child: str
    defaults: tuple[int, ...]  # defaultChild index per node (-1: none)
    classes: tuple[str, ...] | None
    ids: tuple[Any, ...]
    penalty: float = 1.0
    inputs: tuple[str, ...] = ()

    @cached_property
    def preds(self) -> tuple[Callable[[Scope], Truth3], ...]:
        """The Nodes' predicates (compiled on first use: a FlatTree may never need them)."""
        return tuple(tree_predicate(n.pred, self.ctx) for n in self.nodes)

    @cached_property
    def fields(self) -> tuple[tuple[str, ...], ...]:
        """The fields each Node's predicate reads (to evaluate it on the rows at its parent only)."""
        return tuple(tuple({e.get("field") for e in n.pred.iter() if e.get("field")}) for n in self.nodes)

    @cached_property
    def _tables(self) -> dict[str, np.ndarray]:
        """Per-node arrays, built on first use (a FlatTree may never need its general form)."""
        nodes, classes = self.nodes, self.classes or ()
        out = {"records": np.array([n.records for n in nodes], dtype=np.float64)}
        if self.classes is None:
            out["score"] = np.array([np.nan if n.score is None else float(n.score) for n in nodes])
            return out
        out["probs"] = np.array([[n.dist.get(c, np.nan) for c in classes] for n in nodes]).reshape(len(nodes), len(classes))
        out["conf"] = np.array([[n.confidence.get(c, np.nan) for c in classes] for n in nodes]).reshape(len(nodes), len(classes))
        out["counts"] = np.array([[n.counts.get(c, 0.0) for c in classes] for n in nodes]).reshape(len(nodes), len(classes))
        out["score_conf"] = np.array([n.confidence.get(n.score, np.nan) if n.score is not None else np.nan for n in nodes])
        out["labels"] = np.array([n.score for n in nodes], dtype=object)
        return out

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        walk = _Walk(self, env)
        final, missed = walk.run()
        ok = final >= 0
        safe = np.where(ok, final, 0)
        ids = np.array(self.ids, dtype=object)[safe]
        ids[~ok] = ""  # pypmml: the entityId of a row that ends in no Node is the empty text
        tab = self._tables
        if self.classes is None:
            return Prediction(value=np.where(ok, tab["score"][safe], np.nan), extra={ENTITY: ids})
        labels = tab["labels"][safe]
        labels[~ok] = None
        probs = np.where(ok[:, None], tab["probs"][safe], np.nan)
        # PMML 4.4: the confidence is multiplied by missingValuePenalty for every defaultChild or
        # surrogate alternative taken on the way (pypmml: not for virtual results)
        conf = np.where(ok, tab["score_conf"][safe] * self.penalty ** missed.astype(np.float64), np.nan)
        rows = np.flatnonzero(final == VIRTUAL)
        if rows.size:
            labels[rows] = np.asarray(self.classes, dtype=object)[walk.v_label[rows]]
            probs[rows] = walk.v_probs[rows]
            conf[rows] = walk.v_conf[rows]
        return Prediction(classes=self.classes, probabilities=probs, label=labels, extra={ENTITY: ids, CONFIDENCE: conf})


class _Walk:
    """One batch moving down one tree."""

    def __init__(self, tree: GeneralTree, s: Scope) -> None:
        self.tree, self.s = tree, s
        self.truth: dict[int, Truth3] = {}
        self.final = np.full(s.n, MOVING, dtype=np.int64)
        self.missed = np.zeros(s.n, dtype=np.int64)
        width = len(tree.classes or ())
        self.v_label = np.zeros(s.n, dtype=np.int64)
        self.v_probs = np.full((s.n, width), np.nan)
        self.v_conf = np.full(s.n, np.nan)

    def of(self, k: int) -> Truth3:
        if k not in self.truth:
            self.truth[k] = self.tree.preds[k](self.s)
        return self.truth[k]

    def at(self, k: int, rows: np.ndarray) -> Truth3:
        """Node k's predicate over ``rows``: a few rows are evaluated alone, many over the batch."""
        if k in self.truth or 4 * len(rows) >= self.s.n:
            return self.of(k)[0][rows], self.of(k)[1][rows], self.of(k)[2][rows]
        sub = Scope({f: self.s[f][rows] for f in self.tree.fields[k]}, len(rows))
        return self.tree.preds[k](sub)

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        tree = self.tree
        waiting: dict[int, list[np.ndarray]] = {0: [np.arange(self.s.n)]}  # the root's predicate is True
        for i, node in enumerate(tree.nodes):  # document order: parents before children
            parts = waiting.pop(i, None)
            if parts is None:
                continue
            rows = np.concatenate(parts) if len(parts) > 1 else parts[0]
            if not node.kids:
                self.final[rows] = i
                continue
            todo = np.ones(len(rows), dtype=bool)
            unknown = np.zeros(len(rows), dtype=bool)
            stopping = tree.strategy in STOPPING
            for k in node.kids:
                t, u, alt = self.at(k, rows)
                hit = todo & t
                if hit.any():
                    waiting.setdefault(k, []).append(rows[hit])
                    self.missed[rows[hit & alt]] += 1
                unknown |= todo & u
                todo &= ~hit
                if stopping:
                    todo &= ~unknown  # an UNKNOWN child ends the search: later TRUE ones are not tried
            stuck = rows[:0] if tree.strategy == "none" else rows[unknown] if stopping else rows[todo & unknown]
            lost = [rows[todo & ~unknown] if tree.strategy != "none" else rows[todo]]
            if stuck.size:
                lost.append(self.missing(i, stuck, waiting))
            for r in lost:
                self.final[r] = i if tree.no_true_child == "returnLastPrediction" else NULL
        return self.final, self.missed

    def missing(self, i: int, rows: np.ndarray, waiting: dict[int, list[np.ndarray]]) -> np.ndarray:
        """Apply the missingValueStrategy at node i; returns the rows left for noTrueChildStrategy."""
        tree = self.tree
        if tree.strategy == "lastPrediction":
            self.final[rows] = i
        elif tree.strategy == "nullPrediction":
            # PMML 4.4: no prediction (pypmml returns the last prediction when noTrueChildStrategy
            # is returnLastPrediction; test_pmml_trees.py checks these rows against the spec)
            self.final[rows] = NULL
        elif tree.strategy == "defaultChild":
            waiting.setdefault(tree.defaults[i], []).append(rows)
            self.missed[rows] += 1
        elif tree.classes is not None:  # pypmml: in a regression both act as strategy none
            scores, probs = self.weighted(i, rows) if tree.strategy == "weightedConfidence" else self.aggregate(i, rows)
            valued = np.where(np.isnan(scores), -np.inf, scores)
            best = np.argmax(valued, axis=1)  # the first class with the highest score
            top = valued[np.arange(len(rows)), best]
            won = top > 0  # pypmml: a winner needs a positive score
            chosen = rows[won]
            self.final[chosen] = VIRTUAL
            self.v_label[chosen] = best[won]
            self.v_probs[chosen] = probs[won]
            self.v_conf[chosen] = top[won] if tree.strategy == "weightedConfidence" else top[won] / scores[won].sum(axis=1)
            return rows[~won]
        else:
            return rows
        return rows[:0]

    def weighted(self, i: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per class: the UNKNOWN children's ScoreDistribution confidences weighted by their
        recordCount over node i's (pypmml: the children's own confidences, not a walk below
        them; a missing confidence or recordCount leaves no winner). No probabilities."""
        tab = self.tree._tables
        total = np.zeros((len(rows), tab["conf"].shape[1]))
        for k in self.tree.nodes[i].kids:
            share = tab["conf"][k] * (0.0 if np.isnan(tab["records"][k]) else tab["records"][k]) / tab["records"][i]
            total += np.where(self.of(k)[1][rows][:, None], share, 0.0)
        return total, np.full(total.shape, np.nan)

    def aggregate(self, i: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """recordCounts summed over every leaf reachable by following UNKNOWN children (and the
        first TRUE one) from node i; PMML 4.4: the probabilities of that virtual Node."""
        counts = np.zeros((len(rows), self.v_probs.shape[1]))
        self._gather(i, rows, np.arange(len(rows)), counts)
        total = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return counts, np.where(total > 0, counts / total, np.nan)

    def _gather(self, j: int, rows: np.ndarray, at: np.ndarray, counts: np.ndarray) -> None:
        node = self.tree.nodes[j]
        if not node.kids:
            counts[at] += self.tree._tables["counts"][j]
            return
        scanning = np.ones(len(at), dtype=bool)
        for k in node.kids:
            t, u, _ = self.of(k)
            t, u = t[rows[at]], u[rows[at]]
            take = scanning & (t | u)
            if take.any():
                self._gather(k, rows, at[take], counts)
            scanning &= ~t
