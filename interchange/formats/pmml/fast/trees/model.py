"""PMML 4.4 §TreeModel on the fast path.

Plain binary trees over numeric splits (what our writer and most converters produce) become
the flat IR TreeEnsemble, which moves every row down one level per numpy step; rows with
missing inputs take the general evaluator unless the tree routes them by defaultChild. Every
other tree, and trees whose Output asks for entityId or confidence, run on the general
evaluator (fast_tree_walk), which implements every missingValueStrategy. The plainest trees
(every inner Node a two-way split) are read in bulk (fast_tree_tables) and get their general
evaluator only when a batch first needs it; the others are walked Node by Node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.fast.expressions.predicates import PREDICATES
from interchange.formats.pmml.fast.trees.tables import (
    COMPLEMENT,
    SPLITS,
    NodeTables,
    flat_from_tables,
    read_nodes,
    tree_classes,
)
from interchange.formats.pmml.fast.trees.walk import STOPPING, STRATEGIES, GeneralTree, TreeNode
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import Ctx, elements
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.graph import ModelStep, Prediction, Step, label_of, matrix
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["FlatTree", "GeneralTree", "tree_step", "target_classes"]

_NODE_CHILDREN = {"Node", "ScoreDistribution", "Partition", *PREDICATES}
_NAN = float("nan")


def target_classes(model: etree._Element) -> list[str]:
    """The target DataField's valid categories in DataDictionary order (may be empty)."""
    comp = current()
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            if df is not None:
                return [v.get("value") for v in children(df, "Value") if v.get("property", "valid") == "valid"]
    return []


def _distribution(sd: list[etree._Element]) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(probabilities, confidences, recordCounts) by value. pypmml: a ScoreDistribution without
    a probability gets recordCount / total, or NaN when the total is not positive."""
    counts: dict[str, float] = {}
    attrs = []
    for d in sd:
        if len(d) and elements(d):
            raise NotCovered("ScoreDistribution with child elements")
        a = dict(d.attrib)
        if a.get("recordCount") is None or a.get("value") in counts:
            raise NotCovered("ScoreDistribution without recordCount, or a value twice")
        counts[a["value"]] = float(a["recordCount"])
        attrs.append(a)
    total = sum(counts.values())
    dist = {}
    confidence = {}
    for a in attrs:
        p, value = a.get("probability"), a["value"]
        dist[value] = float(p) if p is not None else (counts[value] / total if total > 0 else _NAN)
        if a.get("confidence") is not None:
            confidence[value] = float(a["confidence"])
    return dist, confidence, counts


def _nodes(model: etree._Element, binary: bool) -> list[TreeNode]:
    """The Nodes in pre-order. One pass over each Node's children, reading each tag once: the
    hot loop of a cold load (a 100-tree forest has some 30k Nodes)."""
    nodes: list[TreeNode] = []
    predicates = frozenset(PREDICATES)

    def visit(el: etree._Element, parent: int) -> int:
        kids: list[etree._Element] = []
        scores: list[etree._Element] = []
        pred = None
        for c in el:
            tag = c.tag
            if not isinstance(tag, str):
                continue
            name = tag[tag.rfind("}") + 1 :]
            if name == "Node":
                kids.append(c)
            elif name == "ScoreDistribution":
                scores.append(c)
            elif name in predicates:
                pred = c if pred is None else pred
            elif name != "Extension":
                raise NotCovered(f"<{name}> in a tree Node")
        if pred is None:
            raise NotCovered("<Node> without a predicate")
        if binary and len(kids) not in (0, 2):
            # PMML 4.4 §TreeModel: under binarySplit each Node has either 0 or 2 child Nodes, so the
            # document is invalid; pypmml and JPMML-Evaluator ignore the attribute and walk the Node as
            # multiSplit (measured: fallback_tree_binary_split), which is a guess at what the producer meant
            raise NotCovered(
                f"splitCharacteristic=binarySplit with a Node of {len(kids)} children: an invalid document "
                "(PMML 4.4 allows 0 or 2; pypmml and JPMML-Evaluator ignore the attribute)"
            )
        dist, confidence, counts = _distribution(scores) if scores else ({}, {}, {})
        attrib = el.attrib
        count = attrib.get("recordCount")
        i = len(nodes)
        nodes.append(
            TreeNode(el, pred, parent, [], attrib.get("score"), dist, confidence, counts, _NAN if count is None else float(count))
        )
        mine = nodes[i].kids
        for k in kids:
            mine.append(visit(k, i))
        return i

    roots = children(model, "Node")
    if len(roots) != 1:
        raise NotCovered("TreeModel without exactly one root Node")
    visit(roots[0], -1)
    return nodes


Split = tuple[str, Literal["<=", "<"], float, int, bool]  # field, flat op, threshold, the child it selects, that child goes left


def _splits(nodes: list[TreeNode], i: int, strategy: str) -> tuple[list[Split], int] | None:
    """Node i as binary numeric splits and the child taken when none of them holds, or None.

    Two complementary SimplePredicates are one split; children ``p1, p2, ..., <True/>`` (the
    if / else-if chains of JPMML-SkLearn's compact trees) are one split per comparison. Rows
    with a missing value never take the flat path unless defaultChild routes them (pairs only).
    """
    kids = nodes[i].kids
    preds = [nodes[k].pred for k in kids]
    if len(kids) < 2 or any(local(p) != "SimplePredicate" or p.get("operator") not in SPLITS for p in preds[:-1]):
        return None
    a, last = preds[0], preds[-1]
    pair = len(kids) == 2 and local(last) == "SimplePredicate"
    if pair and (last.get("field"), last.get("value"), last.get("operator")) != (
        a.get("field"),
        a.get("value"),
        COMPLEMENT[a.get("operator")],
    ):
        return None
    if not pair and (local(last) != "True" or strategy == "defaultChild"):
        return None
    splits = []
    for k, p in zip(kids[:-1], preds[:-1], strict=True):
        op, goes_left = SPLITS[p.get("operator")]
        splits.append((p.get("field"), op, current().ctx.constant(p.get("field"), p.get("value")), k, goes_left))
    return splits, kids[-1]


@dataclass(frozen=True)
class FlatTree(ModelStep):
    """Binary trees (one TreeModel, or a MiningModel's packed sum / average) on the flat walk.

    A batch with a missing input goes to ``general`` when the walk cannot route it: a
    complementary pair without a default child (both comparisons UNKNOWN: the
    missingValueStrategy decides), and every split under lastPrediction / nullPrediction (an
    UNKNOWN child stops the walk); else-if chains under the other strategies route it on."""

    flat: TreeEnsemble
    general: ModelStep
    needs_general_for_missing: bool
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        X = matrix(env, self.flat.inputs) if self.flat.inputs else np.empty((env.n, 0))  # a tree that is one leaf
        if self.needs_general_for_missing and np.isnan(X).any():
            return self.general.predict(env)
        pred = self.flat.predict_matrix(X)
        if pred.probabilities is not None and self.flat.classes is not None:
            pred.label = label_of(pred.probabilities, self.flat.classes)
        return pred


class _NotFlat(Exception):
    pass


def _flat(nodes: list[TreeNode], strategy: str, classes: tuple[str, ...] | None) -> tuple[TreeEnsemble, bool] | None:
    """The flat IR form when every split is a numeric comparison with one op; else None. Nodes
    are numbered in pre-order (parents before children), else-if chains adding inner nodes."""
    numeric = current().ctx.numeric
    features: list[str] = []
    slot: dict[str, int] = {}  # field -> its index in features
    ops: set[str] = set()
    unrouted: list[int] = []  # splits the flat walk cannot route a missing value through
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    missing_left: list[bool] = []
    values: list[list[float]] = []

    def row() -> int:
        feature.append(-1)
        threshold.append(0.0)
        left.append(-1)
        right.append(-1)
        missing_left.append(True)
        values.append([0.0] * (1 if classes is None else len(classes)))
        return len(feature) - 1

    def build(i: int) -> int:
        n, r = nodes[i], row()
        if not n.kids:
            if classes is None:
                if n.score is None:
                    raise _NotFlat
                values[r] = [float(n.score)]
            else:
                if not _argmax_leaf(n, classes):
                    raise _NotFlat
                values[r] = [n.dist.get(c, 0.0) for c in classes]
            return r
        found = _splits(nodes, i, strategy)
        if found is None:
            raise _NotFlat
        splits, last = found
        pair = local(nodes[last].pred) != "True"
        default = n.el.get("defaultChild") if strategy == "defaultChild" else None
        if strategy == "defaultChild" and default not in [nodes[k].el.get("id") for k in n.kids]:
            raise _NotFlat
        at = r
        for j, (field, op, value, kid, goes_left) in enumerate(splits):
            if not numeric(field):
                raise _NotFlat
            ops.add(op)
            if field not in slot:
                slot[field] = len(features)
                features.append(field)
            mine = build(kid)
            other = build(last) if j == len(splits) - 1 else row()
            feature[at], threshold[at] = slot[field], value
            left[at], right[at] = (mine, other) if goes_left else (other, mine)
            if strategy == "defaultChild":  # (pairs only) missing values go to the default child's side
                missing_left[at] = (default == nodes[kid].el.get("id")) == goes_left
            elif pair or strategy in STOPPING:  # the strategy decides, on the general evaluator
                unrouted.append(r)
            else:  # none & co: an UNKNOWN comparison in an else-if chain is not TRUE, so go on
                missing_left[at] = not goes_left
            at = other
        return r

    try:
        build(0)
    except _NotFlat:
        return None
    if len(ops) > 1:
        return None
    tree = Tree(
        np.array(feature),
        np.array(threshold),
        np.array(left),
        np.array(right),
        np.array(values, dtype=np.float64),
        np.array(missing_left, dtype=bool),
        "<" if ops == {"<"} else "<=",  # one comparison for the whole tree (none: a single leaf)
    )
    return TreeEnsemble(tuple(features), (tree,), "sum", classes=classes), bool(unrouted)


def _argmax_leaf(n: TreeNode, classes: tuple[str, ...]) -> bool:
    """A leaf the flat form reproduces: a probability for every class, the score the first most probable."""
    probs = [n.dist.get(c, _NAN) for c in classes]
    if n.score is None or any(p != p for p in probs):  # pypmml: no score, no label; absent class, missing probability
        return False
    return classes[probs.index(max(probs))] == n.score


def tree_step(model: etree._Element) -> ModelStep:
    """The compiled TreeModel (flat when plain binary, else general)."""
    strategy = model.get("missingValueStrategy", "none")
    if strategy not in STRATEGIES:
        raise NotCovered(f"TreeModel missingValueStrategy={strategy}")
    no_true = model.get("noTrueChildStrategy", "returnNullPrediction")
    if no_true not in ("returnNullPrediction", "returnLastPrediction"):
        raise NotCovered(f"TreeModel noTrueChildStrategy={no_true}")
    split = model.get("splitCharacteristic", "multiSplit")
    if split not in ("multiSplit", "binarySplit"):
        raise NotCovered(f"TreeModel splitCharacteristic={split}")
    try:
        penalty = float(model.get("missingValuePenalty", "1.0"))
    except ValueError:
        penalty = -1.0
    if not 0.0 <= penalty <= 1.0:  # PMML 4.4: a PROB-NUMBER
        raise NotCovered(f"TreeModel missingValuePenalty={model.get('missingValuePenalty')}")
    for el in elements(model):
        if local(el) not in INERT | {"Node"}:
            raise NotCovered(f"<{local(el)}> in <TreeModel>")
    wanted = _wanted(model)
    fast = None if wanted else _from_tables(model, strategy, no_true, penalty)
    if fast is not None:
        return fast
    general = _general_tree(model, strategy, no_true, split == "binarySplit", penalty, current().ctx)
    if "entityId" in wanted and None in general.ids:
        raise NotCovered("entityId of tree nodes without id")
    flat = None if wanted else _flat(list(general.nodes), strategy, general.classes)
    if flat is None:
        general.preds  # noqa: B018 -- compiled now: a predicate the fast path lacks sends the document to pypmml
        return general
    return FlatTree(flat[0], general, flat[1])  # binary numeric splits: the predicates compile


def _general_tree(model: etree._Element, strategy: str, no_true: str, binary: bool, penalty: float, ctx: Ctx) -> GeneralTree:
    """The general evaluator of a TreeModel whose attributes tree_step has checked."""
    nodes, ids, defaults = _walked(model, strategy, binary)
    classes: tuple[str, ...] | None = None
    if model.get("functionName") == "classification":
        # each category once (a Node's new value used to come twice when it was both a
        # ScoreDistribution value and the score: an extra, empty probability column)
        found = list(dict.fromkeys([*target_classes(model), *(c for n in nodes for c in [*n.dist, n.score] if c is not None)]))
        _check_classes(model, strategy, found)
        classes = tuple(found)
    return GeneralTree(nodes, ctx, strategy, no_true, defaults, classes, ids, penalty)


def _walked(model: etree._Element, strategy: str, binary: bool) -> tuple[tuple[TreeNode, ...], tuple[Any, ...], tuple[int, ...]]:
    """The Nodes, their ids and each one's defaultChild index (-1: none)."""
    nodes = _nodes(model, binary)
    if local(nodes[0].pred) != "True":  # pypmml never evaluates the root's predicate
        raise NotCovered("tree root without a True predicate")
    ids = tuple(n.el.get("id") for n in nodes)
    defaults = []
    for n in nodes:
        d = n.el.get("defaultChild")
        if d is None and not (n.kids and strategy == "defaultChild"):
            defaults.append(-1)
            continue
        kid_ids = [ids[k] for k in n.kids]
        if n.kids and strategy == "defaultChild" and d not in kid_ids:
            raise NotCovered("defaultChild strategy with a node lacking a valid defaultChild")
        defaults.append(n.kids[kid_ids.index(d)] if d in kid_ids else -1)
    return tuple(nodes), ids, tuple(defaults)


def _check_classes(model: etree._Element, strategy: str, found: list[str]) -> None:
    """pypmml picks the winner of weightedConfidence and aggregateNodes among the target's
    declared categories only."""
    if strategy not in ("weightedConfidence", "aggregateNodes"):
        return
    if found != target_classes(model) or child(model, "Targets") is not None:
        raise NotCovered(f"missingValueStrategy={strategy} without the target's categories declared")


def _from_tables(model: etree._Element, strategy: str, no_true: str, penalty: float) -> FlatTree | None:
    """The flat tree read in bulk (fast_tree_tables), or None: then the element walk decides,
    as it did before there were tables. The general evaluator is built on first need."""
    roots = children(model, "Node")
    if len(roots) != 1:
        return None
    tables = read_nodes(model, roots[0], ids=strategy == "defaultChild")
    if tables is None:
        return None
    classes: tuple[str, ...] | None = None
    if model.get("functionName") == "classification":
        found = tree_classes(tables, target_classes(model))
        _check_classes(model, strategy, found)
        classes = tuple(found)
    ctx = current().ctx
    flat = flat_from_tables(tables, ctx, strategy, classes)
    if flat is None:
        return None
    binary = model.get("splitCharacteristic", "multiSplit") == "binarySplit"

    def build() -> GeneralTree:  # at predict time: no compilation is current, the classes are known
        nodes, ids, defaults = _walked(model, strategy, binary)
        return GeneralTree(nodes, ctx, strategy, no_true, defaults, classes, ids, penalty)

    return FlatTree(flat[0], _Deferred(build, tables), flat[1])


@dataclass(frozen=True)
class _Deferred(ModelStep):
    """A flat tree's general evaluator, built from the elements when a batch first needs it
    (most never do: a cold load reads the Nodes in bulk only)."""

    build: Callable[[], GeneralTree]
    tables: NodeTables
    inputs: tuple[str, ...] = ()

    @cached_property
    def tree(self) -> GeneralTree:
        return self.build()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        return self.tree.predict(env)


def _wanted(model: etree._Element) -> set[str]:
    """The Output features only the general evaluator provides."""
    out = child(model, "Output")
    features = {of.get("feature") for of in children(out, "OutputField")} if out is not None else set()
    return features & {"entityId", "confidence"}


@compiler("TreeModel")
def _tree_model(model: etree._Element, steps: list[Step]) -> ModelStep:
    return tree_step(model)
