"""ONNX for tree ensembles: ``ai.onnx.ml`` TreeEnsemble (opset 5) in double precision.

TreeEnsemble-5 takes double inputs, double split values and double leaf weights and computes
in double (measured with onnxruntime 1.32), unlike the float-only TreeEnsembleClassifier /
Regressor that skl2onnx writes. The IR's thresholds already hold the source's float32 input
rounding (``extract.trees.float32_split``), so comparing doubles takes the branch the source
took. Each leaf of TreeEnsemble-5 feeds one target: a tree whose leaves hold k values is
written once per target it contributes to. Averaging, base scores and links are written as
ordinary double ops after the ensemble, in the IR's order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import numpy_helper

from interchange.formats.onnx.emit.builder import INT64, Builder, refuse
from interchange.formats.onnx.emit.models.linear import probabilities
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter
from interchange.ir.kernels.trees import FLOAT_MATH
from interchange.ir.models.linear import Link
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["leaf_sums"]

BRANCH_LEQ, BRANCH_LT = 0, 1
SUM = 1


class _Nodes:
    """TreeEnsemble-5's node and leaf tables, filled tree by tree."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("feature", "split", "mode", "true", "true_leaf", "false", "false_leaf", "missing_true")
        }
        self.roots: list[int] = []
        self.targets: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.n_nodes = 0
        self.n_leaves = 0

    def add(self, tree: Tree, weights: np.ndarray, target: int) -> None:
        feature = np.asarray(tree.feature)
        leaf = feature < 0
        interior, leaves = np.flatnonzero(~leaf), np.flatnonzero(leaf)
        pos = np.empty(len(feature), dtype=np.int64)
        pos[leaves] = self.n_leaves + np.arange(len(leaves))
        self.targets.append(np.full(len(leaves), target, dtype=np.int64))
        self.weights.append(np.asarray(weights, dtype=np.float64)[leaves])
        self.roots.append(self.n_nodes)
        if leaf[0]:  # a tree that is one leaf: a node whose branches both end there
            one = np.array([pos[0]])
            self._append(np.zeros(1), np.zeros(1), BRANCH_LEQ, one, np.ones(1), one, np.ones(1), np.zeros(1))
        else:
            pos[interior] = self.n_nodes + np.arange(len(interior))
            left, right = np.asarray(tree.left)[interior], np.asarray(tree.right)[interior]
            mode = BRANCH_LT if tree.op == "<" else BRANCH_LEQ
            self._append(
                feature[interior],
                np.asarray(tree.threshold, dtype=np.float64)[interior],
                mode,
                pos[left],
                leaf[left],
                pos[right],
                leaf[right],
                np.asarray(tree.missing_left, dtype=bool)[interior],  # the true branch is the left one
            )
        self.n_leaves += len(leaves)

    def _append(self, *columns: Any) -> None:
        n = len(np.atleast_1d(columns[0]))
        for key, col in zip(self.cols, columns, strict=True):
            self.cols[key].append(np.broadcast_to(np.asarray(col), (n,)))
        self.n_nodes += n

    def attributes(self, n_targets: int) -> dict[str, object]:
        c = {k: np.concatenate(v) for k, v in self.cols.items()}
        names = ("feature", "true", "true_leaf", "false", "false_leaf", "missing_true")
        ints = {k: c[k].astype(np.int64).tolist() for k in names}
        return {
            "aggregate_function": SUM,
            "post_transform": 0,
            "n_targets": n_targets,
            "tree_roots": self.roots,
            "nodes_featureids": ints["feature"],
            "nodes_splits": numpy_helper.from_array(c["split"].astype(np.float64)),
            "nodes_modes": numpy_helper.from_array(c["mode"].astype(np.uint8)),
            "nodes_truenodeids": ints["true"],
            "nodes_trueleafs": ints["true_leaf"],
            "nodes_falsenodeids": ints["false"],
            "nodes_falseleafs": ints["false_leaf"],
            "nodes_missing_value_tracks_true": ints["missing_true"],
            "leaf_targetids": np.concatenate(self.targets).tolist(),
            "leaf_weights": numpy_helper.from_array(np.concatenate(self.weights)),
        }


def _leaf_values(step: TreeEnsemble) -> list[np.ndarray]:
    values = [np.asarray(t.value, dtype=np.float64).reshape(len(t.feature), -1) for t in step.trees]
    if step.normalize_leaves:
        values = [v / np.where(v.sum(axis=1, keepdims=True) == 0, 1, v.sum(axis=1, keepdims=True)) for v in values]
    return values


def _complementary(step: TreeEnsemble, values: list[np.ndarray]) -> bool:
    """A two-class forest whose every leaf holds probabilities summing to 1: p1 = 1 - p0.

    TreeEnsemble-5 leaves feed one target each, so k classes walk each tree k times; for two
    classes the second is ``1 - p0``, half the work, differing from the mean of its leaves by
    rounding only (~1e-16); an exact tie (p0 = 0.5) stays a tie, so labels do not move. With
    three or more classes ``1 - sum`` could round above a class it truly ties with and take
    the label, so every class is walked there (measured: 0.5x skl2onnx's float32 rate at k=3).
    """
    if step.classes is None or len(step.classes) != 2 or step.link is not Link.IDENTITY or step.base is not None:
        return False
    k = len(step.classes)
    return all(
        v.shape[1] == k and np.all(np.abs(v[np.asarray(t.feature) < 0].sum(axis=1) - 1.0) <= 1e-12)
        for t, v in zip(step.trees, values, strict=True)
    )


def leaf_sums(step: TreeEnsemble, b: Builder, *, columns: tuple[int, ...] | None = None) -> str:
    """``[N, len(columns)]``: the IR's ``leaf_values`` (sum, or average over its trees) for ``columns`` (all by default)."""
    if not step.trees:
        raise refuse("a tree ensemble without trees")
    values = _leaf_values(step)
    columns = tuple(range(values[0].shape[1])) if columns is None else columns
    k = len(columns)
    nodes = _Nodes()
    for tree, v in zip(step.trees, values, strict=True):
        leaf = np.asarray(tree.feature) < 0
        for target, j in enumerate(columns):
            if np.any(v[leaf, j] != 0):  # adding zeros changes no sum: leave such copies out
                nodes.add(tree, v[:, j], target)
    if not nodes.roots:
        nodes.add(step.trees[0], np.zeros(len(step.trees[0].feature)), 0)
    X = b.matrix(step.inputs) if step.inputs else None
    if X is None:
        raise refuse("a tree ensemble that reads no input")
    total = b.op("TreeEnsemble", [X], "trees", domain="ai.onnx.ml", **nodes.attributes(k))
    if step.aggregation == "average":
        total = b.op("Div", [total, b.const(float(len(step.trees)))], "average")
    b.declare(total, k)
    return total


@emitter(TreeEnsemble)
def tree_ensemble(step: TreeEnsemble, b: Builder) -> Emitted:
    if step.precision == "float":  # ai.onnx.ml sums trees in an order of its own, and has no JPMML float exp
        raise refuse(f"a tree ensemble in {FLOAT_MATH}")
    if step.classes is not None and _complementary(step, _leaf_values(step)):
        others = leaf_sums(step, b, columns=tuple(range(len(step.classes) - 1)))
        last = b.op("Sub", [b.const(1.0), b.op("ReduceSum", [others, b.const([1], np.int64, "axes")], keepdims=1)])
        p = b.op("Concat", [others, last], "probabilities", axis=1)
        return Emitted(label=argmax_label(b, step.classes, p), probabilities=p)
    scores = leaf_sums(step, b)
    if step.base is not None:
        width = b.widths[scores]
        scores = b.op("Add", [scores, b.const(np.asarray(step.base, dtype=np.float64))], "scores")
        b.declare(scores, width)
    if step.classes is None:
        return Emitted(value=scores)
    p = scores if step.link is Link.IDENTITY else probabilities(b, scores, step.link)
    return Emitted(label=argmax_label(b, step.classes, p), probabilities=p)


@emitter(IsolationScore)
def isolation(step: IsolationScore, b: Builder) -> Emitted:
    """``score = -2 ** (-mean_path / normaliser) - offset``; label -1 where the score is negative."""
    mean = leaf_sums(step.paths, b)
    power = b.op("Pow", [b.const(2.0), b.op("Div", [b.op("Neg", [mean]), b.const(float(step.normaliser))])])
    score = b.op("Sub", [b.op("Neg", [power]), b.const(float(step.offset))], "score")
    label = b.op("Where", [b.op("Less", [score, b.const(0.0)]), b.const(-1, np.int64), b.const(1, np.int64)])
    flat = b.op("Reshape", [label, b.const([-1], np.int64, "shape")], "label")
    b.types[flat] = INT64
    return Emitted(label=flat, score=score)
