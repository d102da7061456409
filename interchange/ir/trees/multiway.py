"""A PMML TreeModel as it stands: multiway Nodes, three-valued predicates, every missing-value strategy.

The lift's binary ``Tree`` holds the trees whose routing is numeric splits and guard splits; this
step holds the rest (PMML 4.4 §TreeModel weightedConfidence and aggregateNodes as pypmml reads
them, missingValuePenalty on the confidence, Nodes whose ScoreDistribution lacks a category) on
the IR's one multiway walk (``tree_strategies.MultiwayTree``), each Node's predicate an IR
``Predicate``. Per row: the Node it ends in gives the value (regression) or the label,
probabilities and confidence (classification; the confidence multiplied by the penalty for every
defaultChild taken and every Node tested whose surrogate an alternative decided, TRUE or FALSE, as
JPMML-Evaluator counts; pypmml counts only a surrogate whose alternative is TRUE); a row ending in no Node has no prediction, no
entity id and no confidence; a virtual result (weightedConfidence / aggregateNodes) a label,
probabilities and confidence but no Node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import num_rows
from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.trees.masks import ARRAYS, alternative
from interchange.ir.trees.strategies import VIRTUAL, MultiwayTree, Truth3

__all__ = ["MultiwayTreeModel"]


@dataclass(frozen=True)
class MultiwayTreeModel(ModelStep):
    """``tree``'s walk over ``predicates`` (one per Node, pre-order; the root's is not read).

    ``scores``: per Node the value (regression, NaN: none) or the label (classification, None:
    none); ``probabilities`` and ``confidences`` (classification): per Node and class, and the
    confidence of its score; ``ids`` the Nodes' ids. ``entity`` / ``confidence`` name the outputs
    reporting the Node's id and the prediction's confidence.
    """

    predicates: tuple[Predicate, ...]
    tree: MultiwayTree
    scores: np.ndarray
    ids: tuple[Any, ...]
    classes: tuple[Any, ...] | None = None
    probabilities: np.ndarray | None = None  # (nodes x classes)
    confidences: np.ndarray | None = None  # (nodes,): the ScoreDistribution confidence of each Node's score
    penalty: float = 1.0
    entity: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.predicates) != len(self.tree.kids) or len(self.ids) != len(self.tree.kids):
            raise ValueError("a multiway tree needs one predicate and one id per Node")
        if self.classes is not None and (self.probabilities is None or self.confidences is None):
            raise ValueError("a classification tree needs each Node's probabilities and confidence")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(f for p in self.predicates[1:] for f in predicate_fields(p)))

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives beside the prediction."""
        return (*self.entity, *self.confidence)

    def predict(self, env: Env) -> Prediction:
        n = num_rows(env)
        walk = self.tree.walk(_Truths(self.predicates, env, n), n)
        ok = walk.final >= 0
        at = np.where(ok, walk.final, 0)
        ids = np.asarray(self.ids, dtype=object)[at]
        ids[~ok] = None
        if self.classes is None:
            pred = Prediction(value=np.where(ok, np.asarray(self.scores, dtype=np.float64)[at], np.nan))
            conf = np.full(n, np.nan)
        else:
            assert self.probabilities is not None and self.confidences is not None
            label = np.asarray(self.scores, dtype=object)[at]
            label[~ok] = None
            probs = np.where(ok[:, None], self.probabilities[at], np.nan)
            conf = np.where(ok, self.confidences[at] * self.penalty ** walk.missed.astype(np.float64), np.nan)
            rows = np.flatnonzero(walk.final == VIRTUAL)
            if rows.size:
                label[rows] = np.asarray(self.classes, dtype=object)[walk.v_label[rows]]
                probs[rows] = walk.v_probs[rows]
                conf[rows] = walk.v_conf[rows]
            pred = Prediction(classes=self.classes, probabilities=probs, label=label)
        for name in self.entity:
            pred.extra[name] = ids
        for name in self.confidence:
            pred.extra[name] = conf
        return pred


class _Truths:
    """The Nodes' predicates over one batch (what the multiway walk asks), each evaluated once
    over the whole batch, or alone over a few rows."""

    def __init__(self, predicates: tuple[Predicate, ...], env: Env, n: int) -> None:
        self.predicates, self.env, self.n = predicates, env, n
        self.done: dict[int, Truth3] = {}

    def _eval(self, k: int, env: Env, n: int) -> Truth3:
        p = self.predicates[k]
        t, u = truth(p, env, n)
        alt = alternative(p, u, lambda q: truth(q, env, n)[1], ARRAYS)  # decided by a surrogate's alternative
        return t, u, np.zeros(n, dtype=bool) if alt is False else alt

    def of(self, k: int) -> Truth3:
        if k not in self.done:
            self.done[k] = self._eval(k, self.env, self.n)
        return self.done[k]

    def at(self, k: int, rows: np.ndarray) -> Truth3:
        if k in self.done or 4 * len(rows) >= self.n:
            t, u, alt = self.of(k)
            return t[rows], u[rows], alt[rows]
        sub = {f: np.asarray(self.env[f])[rows] for f in predicate_fields(self.predicates[k])}
        return self._eval(k, sub, len(rows))
