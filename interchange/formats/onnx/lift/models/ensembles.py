"""The ONNX lifter's reading of graphs that combine whole models, as skl2onnx and onnxmltools write them.

* a link on a regression's value (onnxmltools' XGBoost / LightGBM Poisson: ``Exp`` of the tree
  sum, times a constant): a ``Chain`` (ir.chain) whose model passes its value on as a column, the
  link an expression over it, and an identity regression reading the result. ``Exp`` of a
  ``LinearRegressor`` is the log-link ``GeneralizedLinear`` itself;
* stacking (``Concat`` of regressions' values along axis 1, read by a final model): a Chain of the
  models, each passing its value on, ending in the final model;
* bagging (each regression reshaped to ``[1, N, 1]``, concatenated along axis 0, ``ReduceMean`` over
  axis 0): one averaging TreeEnsemble when each part is one tree summed without a base (the mean of
  the parts is then the average over all trees), else the ``average`` Segmentation of the parts;
* AdaBoost's weighted median of the estimators' values (lift.median);
* soft voting (each classifier's probabilities times a constant weight, then ``Sum``): the
  ``weightedAverage`` Segmentation (ir.segmentation) of the classifiers with those weights (skl2onnx
  writes them normalised, so they sum to one).

Anything else applied to these values is refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.models.median import Median, median, plain_models
from interchange.formats.onnx.lift.values import Cols, Pred, _scalar, _where
from interchange.ir.combine.chain import Chain, ChainSegment
from interchange.ir.combine.chain import Link as ChainLink
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.derive.predicates import Always
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.general import GeneralizedLinear
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import TreeEnsemble

__all__ = ["EnsembleOps", "Stacked"]

_UNARY = {"Exp": "exp", "Log": "ln", "Neg": "neg", "Sqrt": "sqrt", "Abs": "abs"}
_BINARY = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/"}


@dataclass
class Stacked:
    """Per-row columns made by models: a chain's segments so far, each passing values on, and the columns."""

    segments: tuple[ChainSegment, ...]
    names: list[str]

    def with_link(self, name: str, expr: Expr) -> Stacked:
        """One more column: ``expr`` over the columns so far, computed after the last segment."""
        last = self.segments[-1]
        links = (*last.links, ChainLink(name, "expression", expression=expr))
        return Stacked((*self.segments[:-1], replace(last, links=links)), [name])


@dataclass
class ChainedPred(Pred):
    """A Chain ending in the identity regression over one made column (``stack.names[0]``)."""

    stack: Stacked | None = None


@dataclass
class _Layer:
    """Regressions' values stacked along a new leading axis (``[parts, N, 1]``)."""

    parts: tuple[ModelStep, ...]


@dataclass
class _Weighted:
    """A classifier's probabilities times a constant weight."""

    model: ModelStep
    weight: float


def _regression(v: Any) -> bool:
    """A model's value (a regression's; not an isolation score, which the outlier reader takes)."""
    return isinstance(v, Pred) and getattr(v.model, "classes", None) is None and not isinstance(v.model, IsolationScore)


def _classifier(v: Any) -> bool:
    return isinstance(v, Pred) and getattr(v.model, "classes", None) is not None


def _finish(stack: Stacked) -> ChainedPred:
    """The chain reading its one made column back as the value."""
    if len(stack.names) != 1:
        raise Unliftable("graph outputs", "several columns made by models as one value")
    tail = ChainSegment(Regression((stack.names[0],), np.ones((1, 1)), np.zeros(1)))
    return ChainedPred(Chain((*stack.segments, tail)), stack)


class EnsembleOps:
    """Mixin for the lifter: ``ensemble`` returns the value of a node it recognises, else None."""

    def _fresh(self, name: str) -> str:  # (the lifter's)
        raise NotImplementedError

    def _stacked(self, v: Any) -> Stacked:
        if isinstance(v, Stacked):
            return v
        if isinstance(v, ChainedPred) and v.stack is not None:
            return v.stack
        name = self._fresh(f"{type(v.model).__name__}:value")
        return Stacked((ChainSegment(v.model, None, (ChainLink(name),)),), [name])

    def ensemble(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        op, where = node.op_type, _where(node)
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        if op in ("Cast", "Identity") and isinstance(a, (Stacked, _Layer, _Weighted)):
            if op == "Cast" and at.get("to") not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
                raise Unliftable(where, f"a Cast of models' values to type {at.get('to')}")
            return a
        if op in _UNARY and _regression(a):
            m = a.model  # type: ignore[union-attr]
            if op == "Exp" and isinstance(m, Regression) and m.link is Link.IDENTITY and len(m.coef) == 1:
                return Pred(GeneralizedLinear(m.inputs, np.asarray(m.coef[0]), float(m.intercept[0]), "log"))
            stack = self._stacked(a)
            return _finish(stack.with_link(self._fresh(node.output[0]), Call(_UNARY[op], (Ref(stack.names[0]),))))
        if op in _BINARY and len(ins) == 2 and (_regression(a) or _regression(b)):
            const = _scalar(b) if _regression(a) else _scalar(a)
            if const is None:
                raise Unliftable(where, f"{op} of a regression's value and other than one constant")
            stack = self._stacked(a if _regression(a) else b)
            x: Expr = Ref(stack.names[0])
            expr = Call(_BINARY[op], (x, Const(const)) if _regression(a) else (Const(const), x))
            return _finish(stack.with_link(self._fresh(node.output[0]), expr))
        if op == "Concat" and ins and all(_regression(v) or isinstance(v, Stacked) for v in ins):
            if at.get("axis") not in (1, -1):
                raise Unliftable(where, "Concat of models' values other than along axis 1")
            stacks = [self._stacked(v) for v in ins]
            return Stacked(tuple(s for st in stacks for s in st.segments), [n for st in stacks for n in st.names])
        if isinstance(a, Stacked) and op in (
            "LinearRegressor",
            "TreeEnsembleRegressor",
            "LinearClassifier",
            "TreeEnsembleClassifier",
        ):
            fn = getattr(self, f"op_{op}")
            out = fn(node, [Cols(a.names, False), *ins[1:]], at)
            outs = out if isinstance(out, tuple) else (out,)
            chained = [
                Pred(Chain((*a.segments, ChainSegment(v.model)), getattr(v.model, "classes", None)))
                for v in outs
                if isinstance(v, Pred)
            ]
            return tuple(chained[0] if isinstance(v, Pred) else v for v in outs) if isinstance(out, tuple) else chained[0]
        if isinstance(a, Stacked) or any(isinstance(v, Median) for v in ins):  # AdaBoost's weighted median
            found = median(node, ins, at, plain_models(a.segments) if isinstance(a, Stacked) else None)
            if found is not None:
                return found
        if isinstance(a, Stacked):
            raise Unliftable(where, f"{op} of models' values in a pattern the IR has no form for")
        return self._layers(node, ins, at)

    def _layers(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        """Bagging (``[1, N, 1]`` layers averaged) and soft voting (weighted probabilities summed)."""
        op, where = node.op_type, _where(node)
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        if op == "Reshape" and _regression(a) and isinstance(b, np.ndarray) and b.reshape(-1).tolist() == [1, -1, 1]:
            return _Layer((a.model,))  # type: ignore[union-attr]
        if op == "Concat" and ins and all(isinstance(v, _Layer) for v in ins):
            if at.get("axis") != 0:
                raise Unliftable(where, "Concat of models' value layers other than along axis 0")
            return _Layer(tuple(m for v in ins for m in v.parts))
        if op == "ReduceMean" and isinstance(a, _Layer):
            axes = np.asarray(b).reshape(-1).tolist() if isinstance(b, np.ndarray) else at.get("axes")
            if axes != [0] or at.get("keepdims", 1):
                raise Unliftable(where, "ReduceMean of models' value layers other than over them (axis 0, keepdims 0)")
            return Pred(_average(a.parts))
        if op == "Mul" and len(ins) == 2 and (_classifier(a) or _classifier(b)):
            pred, const = (a, b) if _classifier(a) else (b, a)
            if isinstance(const, np.ndarray) and const.size and const.ndim <= 1 and np.all(const == 1):
                return pred  # x * 1 (onnxmltools multiplies a classifier's probabilities by one)
            w = _scalar(const)
            if w is None:
                raise Unliftable(where, "a classifier's probabilities times other than one constant weight")
            return _Weighted(pred.model, w)  # type: ignore[union-attr]
        if op in ("Sum", "Add") and len(ins) > 1 and any(isinstance(v, _Weighted) for v in ins):
            parts = [_Weighted(v.model, 1.0) if _classifier(v) else v for v in ins]
            if not all(isinstance(v, _Weighted) for v in parts):
                raise Unliftable(where, f"{op} of weighted probabilities and other than a classifier's")
            ins = parts
            models = tuple(v.model for v in ins)
            classes = [tuple(str(c) for c in getattr(m, "classes", ())) for m in models]
            if len(set(classes)) != 1:
                raise Unliftable(where, "weighted probabilities of classifiers with different classes")
            weights = tuple(v.weight for v in ins)
            always = tuple(Always(True) for _ in models)
            return Pred(Segmentation("weightedAverage", always, weights, models, getattr(models[0], "classes", None)))
        if any(isinstance(v, (_Layer, _Weighted)) for v in ins):
            raise Unliftable(where, f"{op} of models' values in a pattern the IR has no form for")
        return None


def _average(parts: tuple[ModelStep, ...]) -> ModelStep:
    """The mean of regressions' values: one averaging ensemble of single summed trees, else a Segmentation."""
    ones = all(
        isinstance(m, TreeEnsemble)
        and len(m.trees) == 1
        and m.base is None
        and m.aggregation == "sum"
        and m.link is Link.IDENTITY
        and m.inputs == parts[0].inputs
        for m in parts
    )
    if ones:
        trees = tuple(m.trees[0] for m in parts)  # type: ignore[attr-defined]
        return TreeEnsemble(parts[0].inputs, trees, "average")
    return Segmentation("average", tuple(Always(True) for _ in parts), (1.0,) * len(parts), parts)
