"""PMML 4.4 §TreeModel on the general evaluator: any tree, every missingValueStrategy.

Each Node's predicate is a three-valued mask over the batch (and / or / surrogate combine
UNKNOWN the way the specification says): what this module compiles. The rows move down the
tree on the IR's tree walk (``interchange.ir.trees.strategies``), the strategies as its
parameters. A Node's children are tried in document order. Under lastPrediction, nullPrediction and
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

from interchange.formats.pmml.fast.expressions.predicates import predicate
from interchange.formats.pmml.fast.outputs import CONFIDENCE, ENTITY
from interchange.formats.pmml.parse import local
from interchange.formats.pmml.read.compile import Ctx, elements
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.graph import ModelStep, Prediction
from interchange.ir.trees.strategies import STOPPING, STRATEGIES, VIRTUAL, MultiwayTree, Truth3

__all__ = ["TreeNode", "GeneralTree", "tree_predicate", "STRATEGIES", "STOPPING"]


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
    """A Node's predicate as (true, unknown, decided by a surrogate's alternative: its first part UNKNOWN,
    the whole not; ir.trees.masks.alternative)."""
    fn = predicate(el, ctx)
    surrogate = local(el) == "CompoundPredicate" and el.get("booleanOperator") == "surrogate"
    first = predicate(elements(el)[0], ctx) if surrogate else None

    def truth(s: Scope) -> Truth3:
        t, u = fn(s)
        alt = first(s)[1] & ~u if first is not None else np.zeros(s.n, dtype=bool)
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

    @cached_property
    def kernel(self) -> MultiwayTree:
        """The tree on the IR's tree walk, the strategies as its parameters."""
        tab = self._tables
        return MultiwayTree(
            tuple(tuple(n.kids) for n in self.nodes),
            self.strategy,
            self.no_true_child == "returnLastPrediction",
            self.defaults,
            tab["records"],
            tab.get("conf"),
            tab.get("counts"),
        )

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        walk = self.kernel.walk(_Batch(self, env), env.n)
        final, missed = walk.final, walk.missed
        ok = final >= 0
        safe = np.where(ok, final, 0)
        ids = np.array(self.ids, dtype=object)[safe]
        ids[~ok] = None  # a row that ends in no Node has no entityId (JPMML-Evaluator; pypmml 1.5.8 gives the empty text)
        tab = self._tables
        if self.classes is None:
            return Prediction(value=np.where(ok, tab["score"][safe], np.nan), extra={ENTITY: ids})
        labels = tab["labels"][safe]
        labels[~ok] = None
        probs = np.where(ok[:, None], tab["probs"][safe], np.nan)
        # PMML 4.4: the confidence is multiplied by missingValuePenalty for every defaultChild taken and
        # every Node tested whose surrogate an alternative decided, TRUE or FALSE (JPMML-Evaluator's
        # reading; pypmml counts a TRUE one taken only); not for virtual results (pypmml)
        conf = np.where(ok, tab["score_conf"][safe] * self.penalty ** missed.astype(np.float64), np.nan)
        rows = np.flatnonzero(final == VIRTUAL)
        if rows.size:
            labels[rows] = np.asarray(self.classes, dtype=object)[walk.v_label[rows]]
            probs[rows] = walk.v_probs[rows]
            conf[rows] = walk.v_conf[rows]
        return Prediction(classes=self.classes, probabilities=probs, label=labels, extra={ENTITY: ids, CONFIDENCE: conf})


class _Batch:
    """The Nodes' predicates over one batch (the ``Truths`` the IR's tree walk asks), each
    evaluated once over the whole batch, or alone over a few rows."""

    def __init__(self, tree: GeneralTree, s: Scope) -> None:
        self.tree, self.s = tree, s
        self.truth: dict[int, Truth3] = {}

    def of(self, k: int) -> Truth3:
        if k not in self.truth:
            self.truth[k] = self.tree.preds[k](self.s)
        return self.truth[k]

    def at(self, k: int, rows: np.ndarray) -> Truth3:
        """Node k's predicate over ``rows``: a few rows are evaluated alone, many over the batch."""
        if k in self.truth or 4 * len(rows) >= self.s.n:
            t, u, alt = self.of(k)
            return t[rows], u[rows], alt[rows]
        sub = Scope({f: self.s[f][rows] for f in self.tree.fields[k]}, len(rows))
        return self.tree.preds[k](sub)
