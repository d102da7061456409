"""The ONNX lifter's reading of distance models: k-means, k-nearest neighbours.

Two spellings are recognised by their structure and constants (never by node names):

* the double IR writer's (``emit.distance``): per input column ``(x_j - points[:, j])`` as a
  ``[N, points]`` broadcast, squared (``Mul(d, d)``), absolute or raised to ``p``, summed left to
  right over the columns, then ``Sqrt`` / ``Pow(1/p)``; ``ArgMin`` (+ the ids ``Gather``) is a
  nearest center, ``TopK`` (smallest, sorted) + a targets ``Gather`` a neighbour vote or mean;
* skl2onnx's k-means: ``|x|^2 + (-2 x C^T + 0 * |x|^2) + |C|^2`` (ReduceSumSquare, Gemm with
  alpha -2, Add of the centers' squared norms), then ``ArgMin``. The constants must say exactly
  that (alpha -2, the norms of the Gemm's centers to 1e-9, 1e-6 when written as float32), else the node is refused;
* skl2onnx's k-NN: a ``Scan`` over the stored points whose body is ``ReduceSumSquare(rows - point)``
  (euclidean, then ``Sqrt``) or ``ReduceSum(Abs(rows - point))`` (manhattan), transposed, ``TopK``,
  the targets read with ``ArrayFeatureExtractor``, then a ``ReduceMean`` or one ``Equal`` / ``ReduceSum``
  per class index, concatenated in class order. Distances are the IR's, in double.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from interchange.formats.onnx.lift.values import Cols, Lin, Pred, Several, _Label, _scalar, _where
from interchange.ir.lifted import Unliftable
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.neighbors import NearestNeighbors

__all__ = ["DistanceOps", "Dist", "Kernel"]


@dataclass
class _Diff:
    """``x_col - pts``: one input column against every stored point (``[N, points]``)."""

    col: str
    pts: np.ndarray  # (points,)
    absolute: bool = False


@dataclass
class Dist:
    """Distances ``[N, points]`` from the rows of ``inputs`` to ``points`` (``ir.distances``)."""

    inputs: tuple[str, ...]
    points: np.ndarray  # (points, len(inputs))
    term: str  # "square", "abs", "pow": the per-coordinate term still being summed
    p: float = 2.0
    metric: str | None = None  # set once the sum is finished (Sqrt / Pow(1/p) / used as is)

    def finished(self) -> str:
        if self.metric is not None:
            return self.metric
        return {"square": "squaredEuclidean", "abs": "manhattan"}.get(self.term, "")


@dataclass
class Kernel:
    """``exp(-gamma * d^2)``: the radial basis kernel of every row against the stored vectors."""

    dist: Dist
    gamma: float
    stage: str = "scaled"  # "scaled" (-gamma d^2), then "exp"


@dataclass
class _SqNorm:
    """ReduceSumSquare of the input columns (skl2onnx's |x|^2)."""

    cols: tuple[str, ...]
    zero: bool = False  # multiplied by 0 (skl2onnx's Gemm bias)


@dataclass
class _Expanded:
    """``|x|^2 - 2 x C^T`` (centers still to be confirmed by ``+ |C|^2``)."""

    cols: tuple[str, ...]
    centers: np.ndarray


@dataclass
class _Neighbours:
    """TopK's outputs: the ``k`` nearest points' distances or indices."""

    dist: Dist
    k: int
    part: str  # "distance" or "index"


@dataclass
class _Targets:
    """The nearest points' targets (a Gather of the stored targets at TopK's indices)."""

    near: _Neighbours
    targets: np.ndarray
    # "gathered", "unsqueezed", "onehot", "sum" (regression), "votes", "vote-total"; several targets:
    # "by-target", "stacked", "per-row"
    stage: str = "gathered"


@dataclass
class _Scanned:
    """skl2onnx's pairwise distances before their Transpose: one stacked row per stored point."""

    dist: Dist


@dataclass
class _Hit:
    """``Equal(targets, c)`` of the nearest points' targets (skl2onnx's one-hot of class index ``c``)."""

    of: _Targets
    c: int
    counted: bool = False  # summed over the neighbours


def _axes(ins: list[Any], at: dict[str, Any]) -> list[int]:
    if len(ins) > 1 and isinstance(ins[1], np.ndarray):
        return [int(a) for a in np.asarray(ins[1]).reshape(-1)]
    return [int(a) for a in at.get("axes", [])]


class DistanceOps:
    """Mixin for the lifter: ``distance`` returns the value of a node it recognises, else None."""

    values: dict[str, Any]
    classes: tuple[Any, ...] | None

    def distance(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        op = node.op_type
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        where = _where(node)
        # --- the IR writer's per-column accumulation ---------------------------------
        if op == "Sub" and isinstance(a, Cols) and len(a.names) == 1 and isinstance(b, np.ndarray):
            if b.ndim == 2 and b.shape[0] == 1 and b.shape[1] > 1 and b.dtype.kind == "f":
                return _Diff(a.names[0], np.asarray(b, dtype=np.float64).reshape(-1))
        if op == "Mul" and isinstance(a, _Diff) and b is a and not a.absolute:
            return Dist((a.col,), a.pts[:, None], "square")
        if op == "Abs" and isinstance(a, _Diff) and not a.absolute:
            return replace(a, absolute=True)
        if op == "Pow" and isinstance(a, _Diff) and a.absolute and _scalar(b) is not None:
            return Dist((a.col,), a.pts[:, None], "pow", float(_scalar(b)))  # type: ignore[arg-type]
        if isinstance(a, _Diff) and a.absolute and op == "Add" and isinstance(b, (_Diff, Dist)):
            a = Dist((a.col,), a.pts[:, None], "abs")
        if isinstance(b, _Diff) and b.absolute and op == "Add" and isinstance(a, Dist):
            b = Dist((b.col,), b.pts[:, None], "abs")
        if op == "Add" and isinstance(a, Dist) and isinstance(b, Dist):
            if a.metric or b.metric or a.term != b.term or a.p != b.p or len(a.points) != len(b.points):
                raise Unliftable(where, "a sum of distances that are not one running sum over the columns")
            return Dist(a.inputs + b.inputs, np.hstack([a.points, b.points]), a.term, a.p)
        if op == "Sqrt" and isinstance(a, Dist) and a.finished() == "squaredEuclidean":
            return replace(a, metric="euclidean")
        if op == "Pow" and isinstance(a, Dist) and a.term == "pow" and a.metric is None:
            if _scalar(b) is None or abs(float(_scalar(b)) - 1.0 / a.p) > 1e-15:  # type: ignore[arg-type]
                raise Unliftable(where, f"Pow of a sum of |d|^{a.p} by other than 1/{a.p}")
            return replace(a, metric="minkowski")
        if op == "Mul" and isinstance(b, Dist) and _scalar(a) is not None:
            a, b = b, a
        if op == "Mul" and isinstance(a, Dist) and a.finished() == "squaredEuclidean" and _scalar(b) is not None:
            if float(_scalar(b)) >= 0:  # type: ignore[arg-type]
                raise Unliftable(where, "a squared distance scaled by other than -gamma")
            return Kernel(a, -float(_scalar(b)))  # type: ignore[arg-type]
        if op == "Exp" and isinstance(a, Kernel) and a.stage == "scaled":
            return replace(a, stage="exp")
        # --- skl2onnx's k-means: |x|^2 - 2 x C^T + |C|^2 -----------------------------------
        if op == "ReduceSumSquare" and isinstance(a, Cols):
            if _axes(ins, at) not in ([1], [-1]) or not at.get("keepdims", 1):
                raise Unliftable(where, "ReduceSumSquare other than across columns")
            return _SqNorm(tuple(a.names))
        if op == "Mul" and isinstance(a, _SqNorm) and _scalar(b) == 0.0:
            return replace(a, zero=True)
        if op == "Gemm" and isinstance(a, Cols) and len(ins) > 2 and isinstance(ins[2], _SqNorm) and ins[2].zero:
            w = np.asarray(self.values.get(node.input[1]), dtype=np.float64)
            w = w.T if at.get("transB", 0) else w
            if at.get("transA", 0) or at.get("alpha", 1.0) != -2.0 or w.shape[0] != len(a.names):
                raise Unliftable(where, "Gemm other than -2 x C^T (the cross term of squared distances)")
            return Lin(tuple(a.names), -2.0 * w.T, np.zeros(w.shape[1]))
        if op == "Add" and isinstance(a, _SqNorm) and not a.zero and isinstance(b, Lin) and b.inputs == a.cols:
            if np.any(b.intercept != 0.0):
                raise Unliftable(where, "|x|^2 plus an affine map with a bias")
            return _Expanded(a.cols, -0.5 * b.coef)
        if op == "Add" and isinstance(b, _Expanded) and isinstance(a, np.ndarray):
            a, b = b, a
        if op == "Add" and isinstance(a, _Expanded) and isinstance(b, np.ndarray):
            norms = (a.centers**2).sum(axis=1)
            given = np.asarray(b, dtype=np.float64).reshape(-1)
            rtol = 1e-6 if b.dtype == np.float32 else 1e-9  # float32 norms: rounded from the double ones
            if given.shape != norms.shape or not np.allclose(given, norms, rtol=rtol, atol=1e-12):
                raise Unliftable(where, "|x|^2 - 2 x C^T plus other than the centers' squared norms")
            return Dist(a.cols, a.centers, "square")
        # --- skl2onnx's k-NN: cdist as a Scan over the stored points ---------------------------
        if op == "Scan":
            return self._cdist(node, ins, at)
        if op == "Transpose" and isinstance(a, _Scanned):
            if list(at.get("perm", [1, 0])) != [1, 0]:
                raise Unliftable(where, "a Transpose of pairwise distances other than [1, 0]")
            return a.dist
        # --- nearest center ------------------------------------------------------------------
        if op == "ArgMin" and isinstance(a, Dist):
            if at.get("axis", 0) not in (1, -1) or at.get("select_last_index", 0):
                raise Unliftable(where, "ArgMin other than the first smallest distance per row")
            model = NearestCenter(a.inputs, a.points, tuple(range(len(a.points))), a.finished() or "minkowski", a.p)
            return Pred(model)
        if op in ("Gather", "ArrayFeatureExtractor") and isinstance(b, Pred) and isinstance(b.model, NearestCenter):
            ids = np.asarray(a).reshape(-1)
            if not isinstance(a, np.ndarray) or len(ids) != len(b.model.centers):
                raise Unliftable(where, "cluster ids that are not one constant per center")
            return Pred(replace(b.model, ids=tuple(x.item() if hasattr(x, "item") else x for x in ids)))
        # --- k nearest neighbours ------------------------------------------------------------
        if op == "TopK" and isinstance(a, Dist):
            k = _scalar(b)
            if k is None or at.get("largest", 1) != 0 or at.get("axis", -1) not in (1, -1) or not at.get("sorted", 1):
                raise Unliftable(where, "TopK other than the k smallest distances per row, sorted")
            return _Neighbours(a, int(k), "distance"), _Neighbours(a, int(k), "index")
        if op == "Flatten" and isinstance(a, _Neighbours) and a.part == "index" and at.get("axis", 1) == 1:
            return a
        if (
            op in ("Gather", "ArrayFeatureExtractor")
            and isinstance(a, np.ndarray)
            and isinstance(b, _Neighbours)
            and b.part == "index"
        ):
            if op == "ArrayFeatureExtractor" and a.ndim == 2 and a.shape[1] == len(b.dist.points) and len(a) > 1:
                return _Targets(b, np.asarray(a), "by-target")  # several targets (a [targets, points] table)
            if (op == "Gather" and at.get("axis", 0) != 0) or a.ndim != 1 or len(a) != len(b.dist.points):
                raise Unliftable(where, "Gather of other than one stored target per point")
            return _Targets(b, np.asarray(a))
        if isinstance(a, _Targets):
            return self._vote(node, a, ins, at)
        if isinstance(a, _Hit) or (op == "Concat" and ins and all(isinstance(v, _Hit) for v in ins)):
            return self._counted(node, ins, at)
        if any(isinstance(v, (_Diff, Dist, Kernel, _SqNorm, _Expanded, _Neighbours, _Targets, _Scanned, _Hit)) for v in ins):
            kinds = sorted({type(v).__name__.strip("_") for v in ins if v is not None})
            raise Unliftable(where, f"{op} of {kinds} in a distance pattern the IR has no form for")
        return None

    def _vote(self, node: onnx.NodeProto, t: _Targets, ins: list[Any], at: dict[str, Any]) -> Any:
        """The neighbours' mean (regression) or class votes (classification), uniform weights."""
        op, where = node.op_type, _where(node)
        b = ins[1] if len(ins) > 1 else None
        if op == "Reshape" and t.stage == "gathered" and isinstance(b, np.ndarray) and b.reshape(-1).tolist() == [-1, t.near.k]:
            return t
        if op == "Cast" and t.stage in ("gathered", "per-row"):
            return t
        if t.stage in ("by-target", "stacked", "per-row"):
            return self._several(node, t, ins, at)
        if op == "ReduceMean" and t.stage == "gathered" and _axes(ins, at) in ([1], [-1]):
            return Pred(self._neighbours(t, None))
        if op == "Equal" and t.stage == "gathered" and _scalar(b) is not None:
            return _Hit(t, int(_scalar(b)))  # type: ignore[arg-type]
        if op == "Unsqueeze" and t.stage == "gathered" and _axes(ins, at) == [2]:
            return replace(t, stage="unsqueezed")
        if op == "Equal" and t.stage == "unsqueezed" and isinstance(b, np.ndarray):
            k = len(self.classes or ())
            if not np.array_equal(np.asarray(b, dtype=np.float64).reshape(-1), np.arange(k)):
                raise Unliftable(where, "class indices compared with other than 0..classes-1")
            return replace(t, stage="onehot")
        if op == "Cast" and t.stage == "onehot":
            return t
        if op == "ReduceSum" and _axes(ins, at) in ([1], [-1]):
            if t.stage == "onehot" and not at.get("keepdims", 1):
                return replace(t, stage="votes")
            if t.stage == "gathered" and at.get("keepdims", 1):
                return replace(t, stage="sum")
            if t.stage == "votes" and at.get("keepdims", 1):
                return replace(t, stage="vote-total")
        if op == "Div" and t.stage == "sum" and _scalar(b) == float(t.near.k):
            return Pred(self._neighbours(t, None))
        if op == "Div" and t.stage == "votes" and isinstance(b, _Targets) and b.stage == "vote-total" and b.near is t.near:
            return Pred(self._neighbours(t, self.classes))
        if op == "ArgMax" and t.stage == "votes":
            return _Label()
        raise Unliftable(where, f"{op} of the neighbours' targets ({t.stage}) in a pattern the IR has no form for")

    def _several(self, node: onnx.NodeProto, t: _Targets, ins: list[Any], at: dict[str, Any]) -> Any:
        """A multi-target regressor's neighbours' means: the targets gathered as ``[targets, N * k]``, reshaped to
        ``[targets, N, k]``, transposed to ``[N, targets, k]`` and averaged over the k neighbours."""
        op, b = node.op_type, ins[1] if len(ins) > 1 else None
        width = len(t.targets)
        if op == "Reshape" and t.stage == "by-target" and isinstance(b, np.ndarray):
            if b.reshape(-1).tolist() == [width, -1, t.near.k]:
                return replace(t, stage="stacked")
        if op == "Transpose" and t.stage == "stacked" and list(at.get("perm", [])) == [1, 0, 2]:
            return replace(t, stage="per-row")
        if op == "ReduceMean" and t.stage == "per-row" and _axes(ins, at) in ([2], [-1]) and not at.get("keepdims", 1):
            each = [replace(t, targets=t.targets[i], stage="gathered") for i in range(width)]
            return Several(tuple(self._neighbours(one, None) for one in each))
        raise Unliftable(_where(node), f"{op} of the neighbours' targets ({t.stage}) in a pattern the IR has no form for")

    def _cdist(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        """``Scan(rows; points)`` whose body is one distance from every row to one stored point."""
        where = _where(node)
        body = at.get("body")
        rows, points = (ins + [None, None])[:2]
        if (
            at.get("num_scan_inputs") != 1
            or len(ins) != 2
            or not isinstance(rows, Cols)
            or not isinstance(points, np.ndarray)
            or points.ndim != 2
            or points.shape[1] != len(rows.names)
            or any(at.get(k) for k in ("scan_input_directions", "scan_output_directions"))
            or any(list(at.get(k) or [0]) != [0] for k in ("scan_input_axes", "scan_output_axes"))
            or not isinstance(body, onnx.GraphProto)
        ):
            raise Unliftable(where, "a Scan other than skl2onnx's pairwise distances (rows as state, stored points scanned)")
        state, point = (i.name for i in body.input)
        kept, dist = (o.name for o in body.output)
        ops = [n for n in body.node if n.op_type != "Identity"]
        alias = {n.output[0]: n.input[0] for n in body.node if n.op_type == "Identity"}
        term = None
        if ops and ops[0].op_type == "Sub" and list(ops[0].input) == [state, point] and alias.get(kept) == state:
            last = ops[-1]
            a = {x.name: onnx.helper.get_attribute_value(x) for x in last.attribute}
            inner = {t.name: numpy_helper.to_array(t) for t in body.initializer}
            axes = inner.get(last.input[1], self.values.get(last.input[1])) if len(last.input) > 1 else a.get("axes")
            if (
                alias.get(dist, dist) == last.output[0]
                and axes is not None
                and _axes([None, np.asarray(axes)], {}) in ([1], [-1])
                and a.get("keepdims", 1) == 0
            ):
                term = {("ReduceSumSquare",): "square", ("Abs", "ReduceSum"): "abs"}.get(tuple(n.op_type for n in ops[1:]))
        if term is None:
            raise Unliftable(where, "a Scan body other than ReduceSumSquare(rows - point) or ReduceSum(Abs(rows - point))")
        return rows, _Scanned(Dist(tuple(rows.names), np.asarray(points, dtype=np.float64), term))

    def _counted(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        """skl2onnx's votes: per class index ``Equal``, ``Cast``, ``ReduceSum`` over the neighbours, ``Concat``."""
        op, where, h = node.op_type, _where(node), ins[0]
        if op == "Cast" and not h.counted:
            return h
        if op == "ReduceSum" and not h.counted and _axes(ins, at) in ([1], [-1]) and at.get("keepdims", 1):
            return replace(h, counted=True)
        if op == "Concat" and at.get("axis") in (1, -1) and all(v.counted and v.of is h.of for v in ins):
            if [v.c for v in ins] != list(range(len(self.classes or ()))):
                raise Unliftable(where, "class votes concatenated in other than class index order 0..classes-1")
            return replace(h.of, stage="votes")
        raise Unliftable(where, f"{op} of a class's neighbour votes in a pattern the IR has no form for")

    def _neighbours(self, t: _Targets, classes: tuple[Any, ...] | None) -> NearestNeighbors:
        d = t.near.dist
        metric = d.finished()
        if metric not in ("euclidean", "manhattan", "minkowski"):
            raise Unliftable("graph outputs", f"neighbours by the {metric or d.term!r} distance")
        if classes is None:
            return NearestNeighbors(d.inputs, d.points, np.asarray(t.targets, dtype=np.float64), t.near.k, metric, d.p)
        return NearestNeighbors(d.inputs, d.points, np.asarray(t.targets).astype(int), t.near.k, metric, d.p, classes=classes)
