"""PMML 4.4 §TreeModel lifted into the IR's binary Tree, beyond the fast path's flat subset.

Children tested in order (the if / else-if chains converters write, with or without a final
<True/>) become one binary split per test; a node whose tests all fail ends at a leaf holding
what noTrueChildStrategy gives (the node's own score, or no prediction: NaN). A missing value
is routed as missingValueStrategy says: "none" makes the test false, "nullPrediction" and
"lastPrediction" put a guard split before the test (``x <= +inf``: every number passes, a
missing value goes to a leaf with no prediction / the node's score), "defaultChild" follows the
default child of a two-way split. Every split is a numeric comparison of one field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import current
from interchange.formats.pmml.fast.trees.model import _general_tree, _nodes, target_classes
from interchange.formats.pmml.fast.trees.tables import SPLITS as _SPLITS
from interchange.formats.pmml.fast.trees.walk import STRATEGIES, TreeNode
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import Ctx
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.formats.pmml.read.ir.predicates import lift_predicate
from interchange.ir.derive.predicates import Always
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.ir.trees.multiway import MultiwayTreeModel
from interchange.ir.trees.nodes import NodeFigures

__all__ = ["lift_tree", "node_figures", "lift_multiway"]

_STRATEGIES = ("none", "nullPrediction", "lastPrediction", "defaultChild")
_NAN = float("nan")


def lift_tree(
    model: etree._Element, column: Callable[[etree._Element], str] | None = None
) -> tuple[TreeEnsemble, list[TreeNode | None]]:
    """A TreeModel as a one-tree TreeEnsemble, or Unliftable naming what has no IR form; with,
    per node of the tree, the PMML Node whose figures a row ending there reports (None: none).

    ``column(predicate)`` names a 0 / 1 / missing column computing a predicate that is not a
    numeric comparison (a category, a set, a compound predicate); without it such splits are refused.
    """
    path = path_of(model)
    strategy = model.get("missingValueStrategy", "none")
    no_true = model.get("noTrueChildStrategy", "returnNullPrediction")
    if strategy not in _STRATEGIES or no_true not in ("returnNullPrediction", "returnLastPrediction"):
        raise Unliftable(path, f"missingValueStrategy={strategy} / noTrueChildStrategy={no_true} has no IR form yet")
    nodes = _nodes(model, model.get("splitCharacteristic") == "binarySplit")
    if local(nodes[0].pred) != "True":
        raise Unliftable(path, "a tree root without a True predicate")
    classes: tuple[str, ...] | None = None
    if model.get("functionName") == "classification":
        found = list(target_classes(model))
        for n in nodes:
            for c in [*n.dist, n.score]:
                if c is not None and c not in found:
                    found.append(c)
        classes = tuple(found)
    builder = _Builder(nodes, strategy, no_true, classes, path, column)
    builder.build(0)
    b = builder
    threshold = np.array(b.threshold)
    if len(b.ops) > 1:  # x < t is x <= the double just below t: one operator for the whole tree
        strict = np.array([op == "<" for op in b.split_ops])
        threshold[strict] = np.nextafter(threshold[strict], -np.inf)
        b.ops = {"<="}
    tree = Tree(
        np.array(b.feature),
        threshold,
        np.array(b.left),
        np.array(b.right),
        np.array(b.values, dtype=np.float64),
        np.array(b.missing_left, dtype=bool),
        "<" if b.ops == {"<"} else "<=",
    )
    return TreeEnsemble(tuple(b.features), (tree,), "sum", classes=classes), [nodes[k] if k >= 0 else None for k in b.node_of]


def node_figures(model: etree._Element, tree: TreeEnsemble, nodes: list[TreeNode | None]) -> ModelStep:
    """``tree`` with the Output entityId / confidence of the Node each row ends in (PMML 4.4
    §Output), when the TreeModel's Output asks for them (ir.tree_nodes)."""
    output = child(model, "Output")
    asked = [(of.get("name"), of.get("feature")) for of in children(output, "OutputField")] if output is not None else []
    entity = tuple(name for name, feature in asked if feature == "entityId")
    confidence = tuple(name for name, feature in asked if feature == "confidence")
    if not entity and not confidence:
        return tree
    path = path_of(output)
    if confidence and tree.classes is None:
        raise Unliftable(path, "OutputField confidence of a regression tree")
    if confidence and float(model.get("missingValuePenalty", "1")) != 1.0:
        raise Unliftable(
            path, "OutputField confidence under a missingValuePenalty (the IR's tree does not count penalised steps)"
        )
    ids = tuple(None if n is None else n.el.get("id") for n in nodes)
    if entity and any(n is not None and i is None for n, i in zip(nodes, ids, strict=True)):
        raise Unliftable(path, "OutputField entityId of a tree whose Nodes have no id")
    conf = tuple(np.nan if n is None or n.score is None else n.confidence.get(n.score, np.nan) for n in nodes)
    return NodeFigures(tree, ids, conf, entity, confidence)


def lift_multiway(model: etree._Element, ctx: Ctx) -> MultiwayTreeModel:
    """A TreeModel as it stands (ir.multiway), for what the binary tree cannot hold: the fast
    path's reading of the Nodes (strategies, defaults, ScoreDistributions), each Node's predicate
    lifted; its Output entityId / confidence as figures."""
    strategy = model.get("missingValueStrategy", "none")
    no_true = model.get("noTrueChildStrategy", "returnNullPrediction")
    split = model.get("splitCharacteristic", "multiSplit")
    path = path_of(model)
    if strategy not in STRATEGIES or no_true not in ("returnNullPrediction", "returnLastPrediction"):
        raise Unliftable(path, f"missingValueStrategy={strategy} / noTrueChildStrategy={no_true}")
    if split not in ("multiSplit", "binarySplit"):
        raise Unliftable(path, f"splitCharacteristic={split}")
    penalty = float(model.get("missingValuePenalty", "1.0"))
    if not 0.0 <= penalty <= 1.0:
        raise Unliftable(path, f"missingValuePenalty={penalty}")
    try:
        general = _general_tree(model, strategy, no_true, split == "binarySplit", penalty, ctx)
    except NotCovered as exc:
        raise Unliftable(path, str(exc)) from exc
    output = child(model, "Output")
    asked = [(of.get("name"), of.get("feature")) for of in children(output, "OutputField")] if output is not None else []
    entity = tuple(name for name, feature in asked if feature == "entityId")
    confidence = tuple(name for name, feature in asked if feature == "confidence")
    if confidence and general.classes is None:
        raise Unliftable(path_of(output), "OutputField confidence of a regression tree")
    if entity and None in general.ids:
        raise Unliftable(path_of(output), "OutputField entityId of a tree whose Nodes have no id")
    tables = general._tables
    predicates = (Always(True), *(lift_predicate(n.pred, ctx) for n in general.nodes[1:]))
    scores = tables["score"] if general.classes is None else tables["labels"]
    return MultiwayTreeModel(
        predicates,
        general.kernel,
        scores,
        general.ids,
        general.classes,
        tables.get("probs"),
        tables.get("score_conf"),
        penalty,
        entity,
        confidence,
    )


class _Builder:
    def __init__(
        self,
        nodes: list[TreeNode],
        strategy: str,
        no_true: str,
        classes: tuple[str, ...] | None,
        path: str,
        column: Callable[[etree._Element], str] | None,
    ) -> None:
        self.nodes, self.strategy, self.no_true, self.classes, self.path = nodes, strategy, no_true, classes, path
        self.column = column
        self.split_ops: list[str | None] = []
        self.features: list[str] = []
        self.ops: set[str] = set()
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.left: list[int] = []
        self.right: list[int] = []
        self.missing_left: list[bool] = []
        self.values: list[list[float]] = []
        self.node_of: list[int] = []  # per row: the Node whose figures a row ending there has (-1: none)

    def _row(self, value: list[float] | None = None, node: int = -1) -> int:
        width = 1 if self.classes is None else len(self.classes)
        self.feature.append(-1)
        self.split_ops.append(None)
        self.threshold.append(0.0)
        self.left.append(-1)
        self.right.append(-1)
        self.missing_left.append(True)
        self.values.append(value if value is not None else [0.0] * width)
        self.node_of.append(node)
        return len(self.feature) - 1

    def _leaf_value(self, n: TreeNode | None) -> list[float]:
        """A node's prediction as leaf values; None: no prediction (NaN)."""
        width = 1 if self.classes is None else len(self.classes)
        if n is None:
            return [_NAN] * width
        if self.classes is None:
            return [float(n.score) if n.score is not None else _NAN]
        probs = [n.dist.get(c, _NAN) if n.dist else _NAN for c in self.classes]  # (absent: missing, as the engines give it)
        if n.score is None or not n.dist or any(p != p for p in probs):
            if n.score is None and not n.dist:
                return [_NAN] * width
            raise Unliftable(path_of(n.el), "a classification Node without a probability for each category")
        if self.classes[int(np.argmax(probs))] != n.score:
            raise Unliftable(path_of(n.el), "a Node whose score is not its most probable category")
        return probs

    @staticmethod
    def _numeric(p: etree._Element) -> bool:
        """A numeric comparison the IR's tree splits hold directly."""
        ok = local(p) == "SimplePredicate" and p.get("operator") in _SPLITS
        return ok and current().ctx.numeric(p.get("field"))

    def _slot(self, field: str) -> int:
        if field in current().ctx.types and not current().ctx.numeric(field):
            raise Unliftable(self.path, f"a split on the non-numeric field {field!r}")
        if field not in self.features:
            self.features.append(field)
        return self.features.index(field)

    def build(self, i: int) -> int:
        n = self.nodes[i]
        if not n.kids:
            return self._row(self._leaf_value(n), i)
        kids = n.kids
        preds = [self.nodes[k].pred for k in kids]
        final = kids[-1] if local(preds[-1]) == "True" else None
        tests = kids[:-1] if final is not None else kids
        for k in tests:
            p = self.nodes[k].pred
            if not self._numeric(p) and self.column is None:
                raise Unliftable(path_of(p), f"a split by <{local(p)}> {p.get('operator', '')}".rstrip())
        default = self._default(n, tests, final)
        first = self._row()
        at = first
        for j, k in enumerate(tests):
            p = self.nodes[k].pred
            if self._numeric(p):
                field, value = p.get("field"), current().ctx.constant(p.get("field"), p.get("value"))
                op, goes_left = _SPLITS[p.get("operator")]
                self.ops.add(op)
            else:  # TRUE where the predicate column is 1: right of 0.5 (either operator)
                assert self.column is not None
                field, value, op, goes_left = self.column(p), 0.5, None, False
            slot = self._slot(field)
            if self.strategy in ("nullPrediction", "lastPrediction"):  # a guard: a missing value leaves here
                last_node = self.strategy == "lastPrediction"
                gone = self._row(self._leaf_value(n if last_node else None), i if last_node else -1)
                split = self._row()
                self.feature[at], self.threshold[at] = slot, float("inf")
                self.left[at], self.right[at], self.missing_left[at] = split, gone, False
                at = split
            mine = self.build(k)
            last = j == len(tests) - 1
            other = (self.build(final) if final is not None else self._no_true(n, i)) if last else self._row()
            self.feature[at], self.threshold[at], self.split_ops[at] = slot, value, op
            self.left[at], self.right[at] = (mine, other) if goes_left else (other, mine)
            if self.strategy == "defaultChild":
                self.missing_left[at] = (default == k) == goes_left
            else:  # "none": a test of a missing value is false (the guard strategies never reach here missing)
                self.missing_left[at] = not goes_left
            at = other
        return first

    def _no_true(self, n: TreeNode, i: int) -> int:
        last = self.no_true == "returnLastPrediction"
        return self._row(self._leaf_value(n if last else None), i if last else -1)

    def _default(self, n: TreeNode, tests: list[int], final: int | None) -> Any:
        if self.strategy != "defaultChild":
            return None
        ids = {self.nodes[k].el.get("id"): k for k in n.kids}
        default = ids.get(n.el.get("defaultChild"))
        if default is None or len(n.kids) != 2:
            raise Unliftable(path_of(n.el), "defaultChild strategy on a Node without two children and a valid defaultChild")
        if final is None and len(tests) == 2 and not self._one_field(tests):
            # a missing value at the second test after the first failed must still reach the default
            # child; comparisons of one field are UNKNOWN together, and the chain of splits routes a
            # missing value to the default from the first
            raise Unliftable(path_of(n.el), "defaultChild over two explicit tests of different fields")  # (or missing tests)
        return default

    def _one_field(self, tests: list[int]) -> bool:
        """Whether every test compares one and the same field (so all are UNKNOWN exactly where it is missing)."""
        preds = [self.nodes[k].pred for k in tests]
        simple = all(
            (local(p) == "SimplePredicate" and p.get("operator") not in ("isMissing", "isNotMissing"))
            or local(p) == "SimpleSetPredicate"
            for p in preds
        )
        return simple and len({p.get("field") for p in preds}) == 1
