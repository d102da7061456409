"""Tree ensembles (decision trees, forests, boosting) as flat node arrays.

All trees are evaluated at once: every row holds one node index per tree and all of them
descend one level per numpy step, so a 100-tree ensemble costs depth x a few array ops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.kernels.linear import Link, apply_link
from interchange.ir.kernels.trees import BLOCK, PRECISIONS, float_scores, forest_leaf_values, self_looped, walk_forest

__all__ = ["Tree", "TreeEnsemble", "FlatForest"]


@dataclass(frozen=True)
class Tree:
    """One binary tree. Node ``i`` is a leaf when ``feature[i] < 0``.

    A row goes left when ``x <= threshold`` (``op="<="``, scikit-learn, LightGBM) or
    ``x < threshold`` (``op="<"``, XGBoost); a missing ``x`` goes left where ``missing_left``.
    ``value`` is (nodes x k): leaf values, or class probabilities/counts for a forest.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    missing_left: np.ndarray
    op: Literal["<=", "<"] = "<="

    @property
    def depth(self) -> int:
        depth = np.zeros(len(self.feature), dtype=int)
        for i in range(len(self.feature)):  # parents precede children in every writer we read
            if self.feature[i] >= 0:
                depth[self.left[i]] = depth[self.right[i]] = depth[i] + 1
        return int(depth.max()) if len(depth) else 0


@dataclass(frozen=True)
class FlatForest:
    """Binary numeric splits packed for the tree-walk kernel (interchange.ir.kernels.trees.walk_forest): its fast case.

    The IR's TreeEnsemble (and with it PMML's flat trees) and PFA's ``model.tree.simpleWalk``
    all run on it. Node i's children sit at ``children[2i]`` (left / pass) and
    ``children[2i + 1]`` (right / fail); a leaf points at itself twice, so every row can take
    ``depth`` steps without a test for having arrived.
    """

    roots: np.ndarray  # (trees,) int32
    feature: np.ndarray  # (nodes,) int32, 0 at leaves
    threshold: np.ndarray  # (nodes,) float64
    children: np.ndarray  # (2 * nodes,) int32
    missing_right: np.ndarray  # (nodes,) bool: where a missing input goes right
    strict: np.ndarray  # (nodes,) bool: ``x < threshold`` goes left (else ``x <= threshold``)
    depth: int

    @classmethod
    def pack(
        cls,
        *,
        roots: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        missing_left: np.ndarray,
        strict: np.ndarray,
        depth: int,
    ) -> FlatForest:
        """Pack node tables (a leaf has ``feature < 0``; ``left`` / ``right`` are node indices)."""
        feature = np.asarray(feature)
        leaf = feature < 0
        children = self_looped(np.column_stack([np.asarray(left), np.asarray(right)]), leaf)
        return cls(
            np.asarray(roots, dtype=np.int32),
            np.where(leaf, 0, feature).astype(np.int32),
            np.asarray(threshold, dtype=np.float64),
            children,
            ~np.asarray(missing_left, dtype=bool),
            np.asarray(strict, dtype=bool),
            int(depth),
        )

    @property
    def tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """The tables in the order the kernels read them (``walk_forest`` after the rows)."""
        return self.roots, self.feature, self.threshold, self.children, self.missing_right, self.strict, self.depth

    def walk_block(self, X: np.ndarray) -> np.ndarray:
        """The node each row of ``X`` (rows x features, at most a few thousand rows) ends at, per tree
        (interchange.ir.kernels.trees.walk_forest)."""
        return walk_forest(X, *self.tables)

    def walk(self, X: np.ndarray) -> np.ndarray:
        """:meth:`walk_block` over any number of rows, 4,096 at a time: (rows x trees) int32."""
        if X.shape[0] <= BLOCK:
            return self.walk_block(X)
        return np.concatenate([self.walk_block(X[i : i + BLOCK]) for i in range(0, X.shape[0], BLOCK)])


@dataclass(frozen=True)
class TreeEnsemble(ModelStep):
    """``scores = base + aggregate(tree leaf values)``, then ``link``.

    ``aggregation="sum"`` for boosting, ``"average"`` for forests. Classification sets
    ``classes``; with ``Link.IDENTITY`` the averaged leaf values are the probabilities
    (forests). Regression leaves ``classes`` None and reads column 0.

    ``precision="float"``: JPMML-Evaluator's arithmetic under PMML ``x-mathContext="float"``
    (JPMML-SkLearn's XGBoost / LightGBM documents): each leaf a float32, the trees added one by one
    in float32 (ir.kernels.trees.float_tree_sum), the base added in float32 after them, a softmax
    in float32 (float_softmax); the result is that float32 value. Links other than identity and
    softmax are refused there (ValueError).
    """

    inputs: tuple[str, ...]
    trees: tuple[Tree, ...]
    aggregation: Literal["sum", "average"] = "sum"
    base: np.ndarray | None = None  # (k,)
    link: Link = Link.IDENTITY
    classes: tuple[Any, ...] | None = None
    normalize_leaves: bool = False  # forests storing class counts: divide each leaf by its total
    source_rounding: str | None = None  # why the source's own outputs are less precise than float64
    precision: str = "double"  # the sum's arithmetic: "double", or "float" (x-mathContext="float")

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision {self.precision!r}: one of {PRECISIONS}")
        if self.precision == "float" and self.link not in (Link.IDENTITY, Link.SOFTMAX):
            raise ValueError(f"a float tree sum under the link {self.link.value!r} (identity and softmax only)")

    def _packed(self) -> tuple[FlatForest, np.ndarray]:
        cache = self.__dict__.get("_pack")
        if cache is not None:
            return cache
        offsets = np.cumsum([0] + [len(t.feature) for t in self.trees]).astype(np.int32)
        values = [np.asarray(t.value, dtype=np.float64).reshape(len(t.feature), -1) for t in self.trees]
        if self.normalize_leaves:
            values = [v / np.where(v.sum(axis=1, keepdims=True) == 0, 1, v.sum(axis=1, keepdims=True)) for v in values]
        flat = FlatForest.pack(
            roots=offsets[:-1],
            feature=np.concatenate([t.feature for t in self.trees]),
            threshold=np.concatenate([t.threshold for t in self.trees]),
            left=np.concatenate([t.left + o for t, o in zip(self.trees, offsets, strict=False)]),
            right=np.concatenate([t.right + o for t, o in zip(self.trees, offsets, strict=False)]),
            missing_left=np.concatenate([t.missing_left for t in self.trees]),
            strict=np.concatenate([np.full(len(t.feature), t.op == "<") for t in self.trees]),
            depth=max((t.depth for t in self.trees), default=0),
        )
        pack = (flat, np.concatenate(values))
        object.__setattr__(self, "_pack", pack)
        return pack

    def leaf_values(self, X: np.ndarray) -> np.ndarray:
        """Sum or average of the leaf values reached by each row: (rows x k)."""
        flat, value = self._packed()
        return forest_leaf_values(X, flat.tables, value, len(self.trees), self.aggregation == "average", self.precision)

    def leaves(self, X: np.ndarray) -> np.ndarray:
        """The node each row of ``X`` ends at in each tree, as that tree's own node index: (rows x trees)."""
        flat, _ = self._packed()
        offsets = np.cumsum([0] + [len(t.feature) for t in self.trees[:-1]]).astype(np.int32)
        return flat.walk(X) - offsets

    def predict(self, env: Env) -> Prediction:
        return self.predict_matrix(matrix(env, self.inputs))

    def predict_matrix(self, X: np.ndarray) -> Prediction:
        """The prediction for the input columns already stacked as ``X`` (rows x inputs)."""
        scores = self.leaf_values(X)
        if self.precision == "float":  # float32 sums: the base and the softmax in float32 too
            scores = float_scores(scores, self.base, self.link is Link.SOFTMAX)
            if self.classes is None:
                return Prediction(value=scores[:, 0])
            return Prediction(classes=self.classes, probabilities=scores)
        if self.base is not None:
            scores = scores + np.asarray(self.base, dtype=np.float64)
        if self.classes is None:
            return Prediction(value=scores[:, 0])
        return Prediction(classes=self.classes, probabilities=apply_link(scores, self.link))
