"""PMML 4.4 §TreeModel on the fast path.

Plain binary trees over numeric splits (what our writer and most converters produce) become
the flat IR TreeEnsemble, which moves every row down one level per numpy step. Everything
else runs on the general evaluator here: each node's predicate is a three-valued mask over the
batch, and rows are routed top-down (children in document order, the first TRUE one wins), with
missingValueStrategy none / lastPrediction / nullPrediction / defaultChild and
noTrueChildStrategy returnNullPrediction / returnLastPrediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import INERT, compiler, current
from interchange.formats.pmml.fast_expressions import elements
from interchange.formats.pmml.fast_outputs import ENTITY
from interchange.formats.pmml.fast_predicates import PREDICATES, Truth, predicate
from interchange.formats.pmml.fast_scope import Scope
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step, matrix
from interchange.ir.trees import Tree, TreeEnsemble

__all__ = ["GeneralTree", "tree_step", "target_classes"]

_NODE_CHILDREN = {"Node", "ScoreDistribution", "Partition", *PREDICATES}


def target_classes(model: etree._Element) -> list[str]:
    """The target DataField's valid categories in DataDictionary order (may be empty)."""
    comp = current()
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            if df is not None:
                return [v.get("value") for v in children(df, "Value") if v.get("property", "valid") == "valid"]
    return []


@dataclass
class _Node:
    el: etree._Element
    pred: etree._Element
    parent: int
    kids: list[int]
    score: Any
    dist: dict[str, float]


def _nodes(model: etree._Element) -> list[_Node]:
    nodes: list[_Node] = []

    def visit(el: etree._Element, parent: int) -> int:
        found: dict[str, list[etree._Element]] = {"Node": [], "ScoreDistribution": [], "predicate": []}
        for c in elements(el):  # one pass per node: documents of 100k nodes load in about a second
            name = local(c)
            if name not in _NODE_CHILDREN:
                raise NotCovered(f"<{name}> in a tree Node")
            found.setdefault("predicate" if name in PREDICATES else name, []).append(c)
        if not found["predicate"]:
            raise NotCovered("<Node> without a predicate")
        sd = found["ScoreDistribution"]
        if any(len(d) and elements(d) for d in sd):
            raise NotCovered("ScoreDistribution with child elements")
        if sd and all(d.get("probability") is not None for d in sd):
            dist = {d.get("value"): float(d.get("probability")) for d in sd}
        else:
            counts = {d.get("value"): float(d.get("recordCount")) for d in sd}
            total = sum(counts.values())
            dist = {k: (v / total if total else 0.0) for k, v in counts.items()}
        i = len(nodes)
        nodes.append(_Node(el, found["predicate"][0], parent, [], el.get("score"), dist))
        for k in found["Node"]:
            nodes[i].kids.append(visit(k, i))
        return i

    roots = children(model, "Node")
    if len(roots) != 1:
        raise NotCovered("TreeModel without exactly one root Node")
    visit(roots[0], -1)
    return nodes


@dataclass(frozen=True)
class GeneralTree(ModelStep):
    """Any tree: predicates as three-valued masks, rows routed top-down in document order."""

    nodes: tuple[_Node, ...]
    preds: tuple[Any, ...]
    strategy: str
    no_true_child: str
    defaults: tuple[int, ...]  # defaultChild index per node (-1: none)
    classes: tuple[str, ...] | None
    ids: tuple[Any, ...]
    inputs: tuple[str, ...] = ()

    def leaves(self, s: Scope) -> np.ndarray:
        """The node each row ends in (-1: null prediction)."""
        truth: dict[int, Truth] = {}
        at = np.zeros(s.n, dtype=np.int64)  # the root's predicate is True (checked when compiling)
        final = np.full(s.n, -2, dtype=np.int64)  # -2: still moving
        for i, node in enumerate(self.nodes):
            rows = np.flatnonzero((at == i) & (final == -2))
            if not len(rows):
                continue
            if not node.kids:
                final[rows] = i
                continue
            todo = np.ones(len(rows), dtype=bool)
            for k in node.kids:
                if k not in truth:
                    truth[k] = self.preds[k](s)
                t, u = truth[k][0][rows], truth[k][1][rows]
                if self.strategy == "none":
                    u = np.zeros_like(u)  # PMML 4.4: comparisons with missing values are FALSE
                hit, unknown = todo & t & ~u, todo & u
                at[rows[hit]] = k
                if unknown.any():
                    if self.strategy == "lastPrediction":
                        final[rows[unknown]] = i
                    elif self.strategy == "nullPrediction":
                        final[rows[unknown]] = -1
                    else:  # defaultChild
                        at[rows[unknown]] = self.defaults[i]
                todo &= ~hit & ~unknown
            stuck = rows[todo]
            final[stuck] = i if self.no_true_child == "returnLastPrediction" else -1
        return final

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        leaf = self.leaves(env)
        ok = leaf >= 0
        safe = np.where(ok, leaf, 0)
        ids = np.array(self.ids, dtype=object)[safe]
        ids[~ok] = None
        extra = {ENTITY: ids}
        if self.classes is None:
            scores = np.array([np.nan if n.score is None else float(n.score) for n in self.nodes])
            return Prediction(value=np.where(ok, scores[safe], np.nan), extra=extra)
        probs = np.array([[n.dist.get(c, 0.0) for c in self.classes] for n in self.nodes])
        labels = np.array([_label(n, self.classes) for n in self.nodes], dtype=object)[safe]
        labels[~ok] = None
        p = np.where(ok[:, None], probs[safe], np.nan)
        return Prediction(classes=self.classes, probabilities=p, label=labels, extra=extra)


def _label(node: _Node, classes: tuple[str, ...]) -> Any:
    if node.score is not None:
        return node.score
    if not node.dist:
        return None
    best = max(node.dist.values())
    return next(c for c in classes if node.dist.get(c) == best)


def _binary_split(nodes: list[_Node], i: int) -> tuple[str, str, float] | None:
    """(field, op, threshold) when node i splits into two complementary numeric comparisons."""
    if len(nodes[i].kids) != 2:
        return None
    a, b = (nodes[k].pred for k in nodes[i].kids)
    if local(a) != "SimplePredicate" or local(b) != "SimplePredicate":
        return None
    if a.get("field") != b.get("field") or a.get("value") != b.get("value"):
        return None
    pair = (a.get("operator"), b.get("operator"))
    if pair not in (("lessOrEqual", "greaterThan"), ("lessThan", "greaterOrEqual")):
        return None
    return a.get("field"), "<=" if pair[0] == "lessOrEqual" else "<", float(a.get("value"))


@dataclass(frozen=True)
class FlatTree(ModelStep):
    """A plain binary tree on the flat evaluator; rows with missing inputs and no default child
    go to the general evaluator (PMML: the comparisons are UNKNOWN there)."""

    flat: TreeEnsemble
    general: GeneralTree
    needs_general_for_missing: bool
    labels: tuple[Any, ...] | None
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        X = matrix(env, self.flat.inputs) if self.flat.inputs else np.empty((env.n, 0))  # a tree that is one leaf
        if self.needs_general_for_missing and np.isnan(X).any():
            return self.general.predict(env)
        pred = self.flat.predict_matrix(X)
        if pred.probabilities is not None:
            pred.label = np.asarray(self.flat.classes, dtype=object)[np.argmax(pred.probabilities, axis=1)]
        return pred


def _flat(nodes: list[_Node], strategy: str, classes: tuple[str, ...] | None) -> tuple[TreeEnsemble, bool] | None:
    """The flat IR form when every split is binary numeric on one op; else None."""
    features: list[str] = []
    rows = []
    ops = set()
    for i, n in enumerate(nodes):
        if not n.kids:
            rows.append((-1, 0.0, -1, -1, True))
            continue
        split = _binary_split(nodes, i)
        if split is None or not current().ctx.numeric(split[0]):
            return None
        field, op, value = split
        ops.add(op)
        if field not in features:
            features.append(field)
        default = n.el.get("defaultChild")
        if strategy == "defaultChild":
            ids = [nodes[k].el.get("id") for k in n.kids]
            if default not in ids:
                return None
            missing_left = default == ids[0]
        else:
            missing_left = True  # not used: rows with missing inputs take the general evaluator
        rows.append((features.index(field), value, n.kids[0], n.kids[1], missing_left))
    if len(ops) > 1:
        return None
    if classes is None:
        if any(not n.kids and n.score is None for n in nodes):
            return None
        value = np.array([[float(n.score) if not n.kids else 0.0] for n in nodes])
    else:
        for n in nodes:
            if not n.kids and (not n.dist or _label(n, classes) != _label(_Node(n.el, n.pred, 0, [], None, n.dist), classes)):
                return None  # the node's score is not the first most probable category
        value = np.array([[n.dist.get(c, 0.0) for c in classes] for n in nodes])
    tree = Tree(
        np.array([r[0] for r in rows]),
        np.array([r[1] for r in rows]),
        np.array([r[2] for r in rows]),
        np.array([r[3] for r in rows]),
        value,
        np.array([r[4] for r in rows], dtype=bool),
        ops.pop() if ops else "<=",
    )
    return TreeEnsemble(tuple(features), (tree,), "sum", classes=classes), strategy != "defaultChild"


def tree_step(model: etree._Element) -> ModelStep:
    """The compiled TreeModel (flat when plain binary, else general)."""
    ctx = current().ctx
    strategy = model.get("missingValueStrategy", "none")
    # nullPrediction: pypmml 1.5.8 gives other answers than PMML 4.4 (declined)
    if strategy not in ("none", "lastPrediction", "defaultChild"):
        raise NotCovered(f"TreeModel missingValueStrategy={strategy}")
    no_true = model.get("noTrueChildStrategy", "returnNullPrediction")
    if no_true not in ("returnNullPrediction", "returnLastPrediction"):
        raise NotCovered(f"TreeModel noTrueChildStrategy={no_true}")
    for el in elements(model):
        if local(el) not in INERT | {"Node"}:
            raise NotCovered(f"<{local(el)}> in <TreeModel>")
    nodes = _nodes(model)
    if local(nodes[0].pred) != "True":
        raise NotCovered("tree root without a True predicate")
    if strategy != "none" and any(local(n.pred) == "SimpleSetPredicate" for n in nodes):
        # pypmml 1.5.8 goes past a SimpleSetPredicate over a missing value where PMML 4.4 says
        # UNKNOWN (measured with lastPrediction): declined outside strategy none
        raise NotCovered(f"SimpleSetPredicate with missingValueStrategy={strategy}")
    preds = tuple(predicate(n.pred, ctx) for n in nodes)
    defaults = []
    for n in nodes:
        d = n.el.get("defaultChild")
        ids = [nodes[k].el.get("id") for k in n.kids]
        if n.kids and strategy == "defaultChild" and d not in ids:
            raise NotCovered("defaultChild strategy with a node lacking a valid defaultChild")
        defaults.append(n.kids[ids.index(d)] if d in ids else -1)
    classification = model.get("functionName") == "classification"
    classes: tuple[str, ...] | None = None
    if classification:
        found = target_classes(model)
        for n in nodes:
            found += [c for c in [*n.dist, n.score] if c is not None and c not in found]
        classes = tuple(found)
    ids = tuple(n.el.get("id") for n in nodes)
    general = GeneralTree(tuple(nodes), preds, strategy, no_true, tuple(defaults), classes, ids)
    flat = _flat(nodes, strategy, classes)
    if flat is None or _wants_entity(model):
        if _wants_entity(model) and None in ids:
            raise NotCovered("entityId of tree nodes without id")
        return general
    return FlatTree(flat[0], general, flat[1], classes)


def _wants_entity(model: etree._Element) -> bool:
    out = child(model, "Output")
    return out is not None and any(of.get("feature") == "entityId" for of in children(out, "OutputField"))


@compiler("TreeModel")
def _tree_model(model: etree._Element, steps: list[Step]) -> ModelStep:
    return tree_step(model)
