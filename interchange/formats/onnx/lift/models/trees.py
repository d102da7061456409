"""ai.onnx.ml TreeEnsembleRegressor / TreeEnsembleClassifier (opset 1-3) and TreeEnsemble (opset 5) as an IR TreeEnsemble.

Node modes map onto the IR's two comparisons: BRANCH_LEQ / BRANCH_LT send the true branch
left; BRANCH_GT / BRANCH_GTE are their complements (true branch right); BRANCH_EQ becomes two
comparisons of the tree's kind (``_equalities``). A missing value follows the true branch where
``missing_value_tracks_true``, else the false branch (a NaN comparison is false in onnxruntime).
BRANCH_NEQ / BRANCH_MEMBER and mixed < / <= comparisons in one tree have no IR form. A binary
classifier with one weight column gives [1 - s, s] (no link) or the logistic of s.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import onnx

from interchange.ir.lifted import Unliftable
from interchange.ir.models.linear import Link
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["per_target", "tree_ensemble"]

_MODES = {"BRANCH_LEQ": ("<=", True), "BRANCH_LT": ("<", True), "BRANCH_GT": ("<=", False), "BRANCH_GTE": ("<", False)}
_V5_MODES = {0: "BRANCH_LEQ", 1: "BRANCH_LT", 2: "BRANCH_GTE", 3: "BRANCH_GT", 4: "BRANCH_EQ"}
_LINKS = {"NONE": Link.IDENTITY, "LOGISTIC": Link.LOGISTIC, "SOFTMAX": Link.SOFTMAX}


def _floats(at: dict[str, Any], name: str) -> np.ndarray | None:
    if name in at:
        return np.asarray(at[name], dtype=np.float64)
    if f"{name}_as_tensor" in at:
        return np.asarray(at[f"{name}_as_tensor"], dtype=np.float64)
    return None


def per_target(at: dict[str, Any]) -> list[dict[str, Any]]:
    """A TreeEnsembleRegressor's attributes for each of its ``n_targets`` targets: that target's leaf
    weights (as target 0) and base value, the nodes shared."""
    ids = np.asarray(at["target_ids"], dtype=int)
    weights, base = _floats(at, "target_weights"), _floats(at, "base_values")
    out = []
    for k in range(int(at["n_targets"])):
        keep = ids == k
        part = {n: v for n, v in at.items() if not n.startswith(("target_", "base_values"))}
        part["target_treeids"] = np.asarray(at["target_treeids"])[keep].tolist()
        part["target_nodeids"] = np.asarray(at["target_nodeids"])[keep].tolist()
        part["target_ids"] = [0] * int(keep.sum())
        if weights is not None:
            part["target_weights"] = weights[keep]
        if base is not None:
            part["base_values"] = base[k : k + 1]
        part["n_targets"] = 1
        out.append(part)
    return out


def tree_ensemble(node: onnx.NodeProto, at: dict[str, Any], inputs: tuple[str, ...], where: str) -> TreeEnsemble:
    if node.op_type == "TreeEnsemble":
        return _v5(at, inputs, where)
    classifier = node.op_type == "TreeEnsembleClassifier"
    prefix = "class" if classifier else "target"
    classes = tuple(at.get("classlabels_strings") or at.get("classlabels_int64s") or ()) if classifier else None
    values = _floats(at, "nodes_values")
    weights = _floats(at, f"{prefix}_weights")
    if values is None or weights is None:
        raise Unliftable(where, "tree ensemble without node values or leaf weights")
    ids = np.asarray(at[f"{prefix}_ids"], dtype=int)
    width = int(ids.max()) + 1 if len(ids) else 1
    leaves: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(width))
    for t, n, k, w in zip(at[f"{prefix}_treeids"], at[f"{prefix}_nodeids"], ids, weights, strict=True):
        leaves[(int(t), int(n))][k] += w
    tracks = at.get("nodes_missing_value_tracks_true") or [0] * len(values)
    by_tree: dict[int, dict[int, tuple[Any, ...]]] = defaultdict(dict)
    for t, n, f, v, m, yes, no, miss in zip(
        at["nodes_treeids"], at["nodes_nodeids"], at["nodes_featureids"], values, at["nodes_modes"],
        at["nodes_truenodeids"], at["nodes_falsenodeids"], tracks, strict=True,
    ):  # fmt: skip
        by_tree[int(t)][int(n)] = (m, int(f), float(v), int(yes), int(no), bool(miss))
    trees = tuple(_tree(nodes, lambda n, t=t: leaves[(t, n)], width, where) for t, nodes in sorted(by_tree.items()))
    base = _floats(at, "base_values")
    aggregation = {"SUM": "sum", "AVERAGE": "average"}.get(at.get("aggregate_function", "SUM"))
    link = _LINKS.get(at.get("post_transform", "NONE"))
    if aggregation is None or link is None:
        raise Unliftable(where, f"aggregate_function={at.get('aggregate_function')} / post_transform={at.get('post_transform')}")
    return _finish(trees, inputs, aggregation, base, link, classes, width, where)


def _finish(
    trees: tuple[Tree, ...],
    inputs: tuple[str, ...],
    aggregation: str,
    base: np.ndarray | None,
    link: Link,
    classes: tuple[Any, ...] | None,
    width: int,
    where: str,
) -> TreeEnsemble:
    if classes is None:
        if width != 1 or link is not Link.IDENTITY:
            raise Unliftable(where, "a regressor with several targets or a post_transform")
        return TreeEnsemble(inputs, trees, aggregation, base=base, link=link)  # type: ignore[arg-type]
    if width == 1 and len(classes) == 2:
        if link is Link.LOGISTIC:
            return TreeEnsemble(inputs, trees, aggregation, base=base, link=link, classes=classes)  # type: ignore[arg-type]
        if link is Link.IDENTITY and aggregation == "sum":  # onnxruntime: [1 - s, s]
            two = tuple(
                Tree(
                    t.feature,
                    t.threshold,
                    t.left,
                    t.right,
                    np.column_stack([-t.value[:, 0], t.value[:, 0]]),
                    t.missing_left,
                    t.op,
                )
                for t in trees
            )
            b = 0.0 if base is None else float(np.asarray(base).reshape(-1)[0])
            return TreeEnsemble(inputs, two, "sum", base=np.array([1.0 - b, b]), classes=classes)
    if width != len(classes):
        raise Unliftable(where, f"{width} weight columns for {len(classes)} classes")
    if link is Link.IDENTITY and aggregation == "sum" and base is None and len(trees) > 1:
        # a forest whose converter divided each tree's probabilities by the number of trees: the IR's
        # (and PMML's, PFA's) average of per-tree probabilities
        n = len(trees)
        trees = tuple(Tree(t.feature, t.threshold, t.left, t.right, t.value * n, t.missing_left, t.op) for t in trees)
        aggregation = "average"
    return TreeEnsemble(inputs, trees, aggregation, base=base, link=link, classes=classes)  # type: ignore[arg-type]


def _tree(nodes: dict[int, tuple[Any, ...]], leaf: Any, width: int, where: str) -> Tree:
    """One tree, renumbered so parents come before children (depth-first from the root); equality
    splits become two comparisons (``_equalities``), a subtree reached twice then copied."""
    nodes = _equalities(nodes, where)
    children = {c for m, _, _, yes, no, _ in nodes.values() if m != "LEAF" for c in (yes, no)}
    roots = [n for n in nodes if n not in children]
    if len(roots) != 1:
        raise Unliftable(where, "a tree without exactly one root")
    order: list[int] = []
    links: dict[tuple[int, int], int] = {}
    stack = [(roots[0], -1, 0)]
    while stack:
        n, parent, side = stack.pop()
        if parent >= 0:
            links[(parent, side)] = len(order)
        order.append(n)
        if len(order) > 4 * len(nodes) + 64:
            raise Unliftable(where, "a tree whose equality splits share subtrees too often to copy them")
        m, _, _, yes, no, _ = nodes[n]
        if m != "LEAF":
            stack += [(no, len(order) - 1, 1), (yes, len(order) - 1, 0)]
    k = len(order)
    feature, threshold = np.full(k, -1), np.zeros(k)
    left, right = np.full(k, -1), np.full(k, -1)
    missing_left, value = np.ones(k, dtype=bool), np.zeros((k, width))
    ops = set()
    for i, n in enumerate(order):
        m, f, v, _, _, miss = nodes[n]
        if m == "LEAF":
            value[i] = leaf(n)
            continue
        if m not in _MODES:
            raise Unliftable(where, f"node mode {m} has no IR form")
        op, true_left = _MODES[m]
        ops.add(op)
        feature[i], threshold[i] = f, v
        yes, no = links[(i, 0)], links[(i, 1)]
        left[i], right[i] = (yes, no) if true_left else (no, yes)
        missing_left[i] = miss == true_left
    if len(ops) > 1:
        raise Unliftable(where, "a tree mixing < and <= comparisons")
    return Tree(feature, threshold, left, right, value, missing_left, "<" if ops == {"<"} else "<=")


def _equalities(nodes: dict[int, tuple[Any, ...]], where: str) -> dict[int, tuple[Any, ...]]:
    """``x == v`` (BRANCH_EQ: LightGBM's categorical splits) as two comparisons of the tree's own kind,
    exact on doubles: with ``<=``, ``x <= prev(v)`` sends x < v to the false branch, then ``x <= v``
    splits x == v (true) from x > v (false); with ``<``, ``x < v`` then ``x < next(v)``. A missing
    value goes on to the second node, which sends it where ``missing_value_tracks_true`` says
    (onnxruntime: NaN == v is false). The false branch is reached from both nodes."""
    if not any(m == "BRANCH_EQ" for m, *_ in nodes.values()):
        return nodes
    kinds = {_MODES[m][0] for m, *_ in nodes.values() if m in _MODES}
    strict = kinds == {"<"}
    mode = "BRANCH_LT" if strict else "BRANCH_LEQ"
    out = dict(nodes)
    fresh = max(nodes) + 1
    for n, (m, f, v, yes, no, miss) in nodes.items():
        if m != "BRANCH_EQ":
            continue
        below, upper = (v, np.nextafter(v, np.inf)) if strict else (np.nextafter(v, -np.inf), v)
        out[n] = (mode, f, float(below), no, fresh, False)
        out[fresh] = (mode, f, float(upper), yes, no, miss)
        fresh += 1
    return out


def _v5(at: dict[str, Any], inputs: tuple[str, ...], where: str) -> TreeEnsemble:
    trees, aggregation, link, width = v5_parts(at, where)
    return _finish(trees, inputs, aggregation, None, link, None, width, where)


def v5_parts(at: dict[str, Any], where: str) -> tuple[tuple[Tree, ...], str, Link, int]:
    """ai.onnx.ml opset 5 TreeEnsemble: nodes and leaves in separate tables, roots listed."""
    splits = _floats(at, "nodes_splits")
    weights = _floats(at, "leaf_weights")
    if splits is None or weights is None:
        raise Unliftable(where, "TreeEnsemble without nodes_splits or leaf_weights")
    modes = [_V5_MODES.get(int(m), f"mode {int(m)}") for m in np.asarray(at["nodes_modes"]).reshape(-1)]
    targets = np.asarray(at["leaf_targetids"], dtype=int)
    width = int(at.get("n_targets", targets.max() + 1 if len(targets) else 1))
    tracks = at.get("nodes_missing_value_tracks_true") or [0] * len(splits)
    true_leaf, false_leaf = at.get("nodes_trueleafs", [0] * len(splits)), at.get("nodes_falseleafs", [0] * len(splits))
    nodes: dict[int, tuple[Any, ...]] = {}
    leaf_of: dict[int, np.ndarray] = {}
    offset = len(splits)  # leaves get ids after the nodes

    def leaf_id(j: int) -> int:
        if offset + j not in nodes:
            v = np.zeros(width)
            v[targets[j]] = weights[j]
            leaf_of[offset + j] = v
            nodes[offset + j] = ("LEAF", -1, 0.0, -1, -1, False)
        return offset + j

    for i, (m, f, v) in enumerate(zip(modes, at["nodes_featureids"], splits, strict=True)):
        yes = leaf_id(int(at["nodes_truenodeids"][i])) if true_leaf[i] else int(at["nodes_truenodeids"][i])
        no = leaf_id(int(at["nodes_falsenodeids"][i])) if false_leaf[i] else int(at["nodes_falsenodeids"][i])
        nodes[i] = (m, int(f), float(v), yes, no, bool(tracks[i]))
    trees = []
    for r in at["tree_roots"]:
        reach, stack = {}, [int(r)]
        while stack:
            n = stack.pop()
            reach[n] = nodes[n]
            if nodes[n][0] != "LEAF":
                stack += [nodes[n][3], nodes[n][4]]
        trees.append(_tree(reach, lambda n: leaf_of[n], width, where))
    aggregation = {0: "average", 1: "sum"}.get(int(at.get("aggregate_function", 1)))  # AVERAGE 0, SUM 1
    link = {0: Link.IDENTITY, 1: Link.SOFTMAX, 2: Link.LOGISTIC}.get(int(at.get("post_transform", 0)))  # NONE, SOFTMAX, LOGISTIC
    if aggregation is None or link is None:
        raise Unliftable(where, f"aggregate_function={at.get('aggregate_function')} / post_transform={at.get('post_transform')}")
    return tuple(trees), aggregation, link, width
