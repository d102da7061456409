"""The ONNX lifter's reading of isolation forests: ``score = -(2 ** (-mean_path / normaliser)) - offset``.

Two spellings, recognised by structure and constants (the base 2, a positive normaliser, a zero
threshold, the labels -1 / 1):

* the double IR writer's (``emit.trees.isolation``): an averaging opset-5 TreeEnsemble of path
  lengths, then ``Where(score < 0, -1, 1)`` as the label;
* skl2onnx's: per tree, a TreeEnsembleRegressor giving the leaf's node id, LabelEncoders mapping it
  to the leaf's sample count and depth, and elementwise arithmetic on those (the expected length
  of the unbuilt subtree); ``Sum`` over the trees, ``Div``, ``Neg``, ``Pow(2, .)``, ``Neg``, ``Add``;
  the label ``1 - 2 * (score < 0)``. Anything computed from one tree's leaf ids is a function of
  the leaf alone, so the lifter carries it as one value per node of that tree (``_Leaf``) and
  folds each operator into that table, in double; the tables become the path-length trees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.double import Trees, _Chain
from interchange.formats.onnx.lift.values import Pred, _Label, _scalar, _where
from interchange.ir.lifted import Unliftable
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["OutlierOps"]


@dataclass
class _Iso:
    """A stage of the isolation score over mean path lengths."""

    trees: Trees
    normaliser: float
    stage: str  # "exponent" (-mean / c), "power", "negated"


@dataclass
class _Outlier:
    """``score < 0`` of an isolation score (then, in skl2onnx's label, cast and times -2)."""

    of: Pred
    stage: str = "less"  # "less", "cast", "times-2"


@dataclass
class _Leaf:
    """One value per node of one tree (only the leaves' matter), computed from its leaf ids."""

    tree: Tree
    inputs: tuple[str, ...]
    values: np.ndarray  # (nodes,) float64
    source: int  # id() of the ensemble whose leaf ids these came from: two tables of one tree combine


@dataclass
class _Paths:
    """A sum of per-tree leaf values over distinct trees, on its way to an isolation score."""

    leaves: tuple[_Leaf, ...]
    divisor: float = 1.0
    stage: str = "sum"  # "sum", "divided", "negated", "power", "score"


_UNARY = {"Log": np.log, "Neg": np.negative, "Abs": np.abs, "Exp": np.exp, "Sqrt": np.sqrt, "Reciprocal": np.reciprocal}
_BINARY = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Div": np.divide,
    "Pow": np.power,
    "Max": np.maximum,
    "Min": np.minimum,
    "Equal": np.equal,
    "Greater": np.greater,
    "Less": np.less,
    "GreaterOrEqual": np.greater_equal,
    "LessOrEqual": np.less_equal,
}
_INTEGERS = {onnx.TensorProto.INT64, onnx.TensorProto.INT32}


class OutlierOps:
    """Mixin for the lifter: ``outlier`` returns the value of a node it recognises, else None."""

    def outlier(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        op, where = node.op_type, _where(node)
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        if op == "Div" and isinstance(a, _Chain) and a.stage == "neg" and isinstance(a.of, Trees) and _scalar(b) is not None:
            t = a.of
            if t.model.aggregation != "average" or t.model.base is not None or t.link != "none" or float(_scalar(b)) <= 0:  # type: ignore[arg-type]
                raise Unliftable(where, "minus a tree ensemble over other than a positive normaliser of mean path lengths")
            return _Iso(t, float(_scalar(b)), "exponent")  # type: ignore[arg-type]
        if op == "Pow" and _scalar(a) == 2.0 and isinstance(b, _Iso) and b.stage == "exponent":
            return _Iso(b.trees, b.normaliser, "power")
        if op == "Neg" and isinstance(a, _Iso) and a.stage == "power":
            return _Iso(a.trees, a.normaliser, "negated")
        if op == "Sub" and isinstance(a, _Iso) and a.stage == "negated" and _scalar(b) is not None:
            m = a.trees.model
            width = np.asarray(m.trees[0].value).reshape(len(m.trees[0].feature), -1).shape[1] if m.trees else 1
            if width != 1:
                raise Unliftable(where, "path lengths with several targets")
            return Pred(IsolationScore(m.inputs, m, a.normaliser, float(_scalar(b))))  # type: ignore[arg-type]
        if op == "LabelEncoder" and isinstance(a, Pred) and isinstance(a.model, TreeEnsemble):
            return _leaf_ids(a.model, at, where)
        if any(isinstance(v, _Leaf) for v in ins):
            return _per_leaf(node, ins, at)
        if isinstance(a, _Paths) or (op == "Pow" and isinstance(b, _Paths)):
            return _paths(node, ins)
        if op == "Less" and isinstance(a, Pred) and isinstance(a.model, IsolationScore) and _scalar(b) == 0.0:
            return _Outlier(a)
        if isinstance(a, _Outlier) and (a.stage, op) in (("less", "Cast"), ("cast", "Mul"), ("times-2", "Add")):
            if op == "Cast" and at.get("to") not in _INTEGERS | {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE}:
                raise Unliftable(where, "an outlier flag cast to other than a number")
            if op == "Mul" and _scalar(b) != -2.0 or op == "Add" and _scalar(b) != 1.0:
                raise Unliftable(where, "an outlier label other than 1 - 2 * (score < 0)")
            return _Label() if op == "Add" else _Outlier(a.of, "cast" if op == "Cast" else "times-2")
        if op == "Where" and isinstance(a, _Outlier):
            if [_scalar(v) for v in ins[1:]] != [-1.0, 1.0]:
                raise Unliftable(where, "outlier labels other than -1 (score < 0) and 1")
            return _Label()
        if any(isinstance(v, (_Iso, _Outlier, _Paths)) for v in ins):
            raise Unliftable(where, f"{op} of an isolation score in a pattern the IR has no form for")
        return None


def _leaf_ids(model: TreeEnsemble, at: dict[str, Any], where: str) -> _Leaf:
    """``LabelEncoder`` of one tree's leaf values (its node ids): the mapped value per node."""
    keys = at.get("keys_int64s") or at.get("keys_floats")
    values = at.get("values_floats") or at.get("values_int64s")
    one = len(model.trees) == 1 and model.classes is None and model.base is None and model.link.name == "IDENTITY"
    if (
        not one
        or keys is None
        or values is None
        or np.asarray(model.trees[0].value).reshape(len(model.trees[0].feature), -1).shape[1] != 1
    ):
        raise Unliftable(where, "a LabelEncoder of other than one tree's leaf ids to numbers")
    table = dict(zip((float(k) for k in keys), (float(v) for v in values), strict=True))
    default = float(at.get("default_float", at.get("default_int64", -1)))
    tree = model.trees[0]
    ids = np.asarray(tree.value, dtype=np.float64).reshape(-1)
    mapped = np.array([table.get(float(i), default) for i in ids])
    return _Leaf(tree, model.inputs, mapped, id(model))


def _per_leaf(node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
    """An operator on per-leaf tables of one tree (and constants) folded into a new table; ``Sum`` (or
    ``Add``) of distinct trees' tables starts the path sum."""
    op, where = node.op_type, _where(node)
    leaves = [v for v in ins if isinstance(v, _Leaf)]
    first = leaves[0]
    if op in ("Sum", "Add") and len(leaves) == len(ins) and len({v.source for v in leaves}) == len(leaves) > 1:
        return _Paths(tuple(leaves))
    if op == "Reshape" or op == "Identity" or op == "Cast" and at.get("to") in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
        return first  # (a Reshape to [N, 1]: a per-row value either way)
    if op == "Cast" and at.get("to") == onnx.TensorProto.BOOL:
        return _Leaf(first.tree, first.inputs, (first.values != 0).astype(np.float64), first.source)
    if op == "Cast" and at.get("to") in _INTEGERS:
        return _Leaf(first.tree, first.inputs, np.trunc(first.values), first.source)
    if op == "Cast":
        raise Unliftable(where, f"a Cast of per-leaf values to type {at.get('to')}")
    if any(v.source != first.source for v in leaves) or any(not isinstance(v, _Leaf) and _scalar(v) is None for v in ins):
        raise Unliftable(where, f"{op} of per-leaf values with other than constants of the same tree")
    args: list[Any] = [v.values if isinstance(v, _Leaf) else _scalar(v) for v in ins]
    with np.errstate(all="ignore"):
        if op in _UNARY and len(args) == 1:
            out = _UNARY[op](args[0])
        elif op in _BINARY and len(args) == 2:
            out = _BINARY[op](args[0], args[1])
        else:
            raise Unliftable(where, f"{op} of per-leaf values has no IR form")
    return _Leaf(first.tree, first.inputs, np.asarray(out, dtype=np.float64), first.source)


def _paths(node: onnx.NodeProto, ins: list[Any]) -> Any:
    """``Div``, ``Neg``, ``Pow(2, .)``, ``Neg``, ``Add`` of the path sum: the isolation score."""
    op, where = node.op_type, _where(node)
    a, b = ins[0], ins[1] if len(ins) > 1 else None
    if op == "Div" and isinstance(a, _Paths) and a.stage == "sum" and (_scalar(b) or 0.0) > 0:
        return _Paths(a.leaves, float(_scalar(b)), "divided")  # type: ignore[arg-type]
    if op == "Neg" and isinstance(a, _Paths) and a.stage in ("divided", "power"):
        return _Paths(a.leaves, a.divisor, "negated" if a.stage == "divided" else "score")
    if op == "Pow" and _scalar(a) == 2.0 and isinstance(b, _Paths) and b.stage == "negated":
        return _Paths(b.leaves, b.divisor, "power")
    if op in ("Add", "Sub") and isinstance(a, _Paths) and a.stage == "score" and _scalar(b) is not None:
        offset = -float(_scalar(b)) if op == "Add" else float(_scalar(b))  # type: ignore[arg-type]
        return Pred(_isolation(a, offset))
    raise Unliftable(where, f"{op} of a sum of trees' path lengths in a pattern the IR has no form for")


def _isolation(p: _Paths, offset: float) -> IsolationScore:
    """The trees' path lengths as one averaging ensemble over the union of their inputs."""
    inputs = tuple(dict.fromkeys(name for leaf in p.leaves for name in leaf.inputs))
    trees = []
    for leaf in p.leaves:
        at = np.array([inputs.index(name) for name in leaf.inputs])
        feature = np.where(leaf.tree.feature >= 0, at[np.clip(leaf.tree.feature, 0, None)], leaf.tree.feature)
        trees.append(replace(leaf.tree, feature=feature, value=leaf.values[:, None]))
    paths = TreeEnsemble(inputs, tuple(trees), aggregation="average")
    return IsolationScore(inputs, paths, p.divisor / len(p.leaves), offset)
