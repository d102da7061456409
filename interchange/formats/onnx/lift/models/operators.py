"""The ONNX lifter's ML model operators (LinearRegressor / LinearClassifier, TreeEnsemble*) and the
linear model an affine map left at the graph's outputs becomes."""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.onnx.lift.columns import LifterOps
from interchange.formats.onnx.lift.models.trees import per_target, tree_ensemble
from interchange.formats.onnx.lift.values import Lin, Pred, Several, _Label, _where
from interchange.ir.derive.expressions import Call, Ref
from interchange.ir.derive.transforms import Project
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.general import GeneralizedLinear
from interchange.ir.models.linear import Link, Regression

__all__ = ["ModelOps"]


class ModelOps(LifterOps):
    """``op_*`` for ML model operators, and ``linear`` for an affine map at the outputs."""

    def linear(self, lin: Lin, classes: Any) -> ModelStep:
        if classes is None and lin.link == "exp" and len(lin.coef) == 1:  # exp of an affine score: the log link
            return GeneralizedLinear(lin.inputs, np.asarray(lin.coef[0]), float(lin.intercept[0]), "log")
        if classes is None:
            if len(lin.coef) != 1 or lin.link not in ("none", "sigmoid"):
                raise Unliftable("graph outputs", "a value output that is not one affine score (or its sigmoid)")
            if lin.link == "none":
                return Regression(lin.inputs, lin.coef, lin.intercept)
            score = "score[0]"  # the sigmoid of an affine score as a column, passed through unchanged (x * 1 + 0)
            self.steps.append(Project(lin.inputs, (score,), lin.coef, lin.intercept))
            out = self.derive("sigmoid(score)", Call("logistic", (Ref(score),)), False)
            return Regression((out,), np.ones((1, 1)), np.zeros(1))
        if lin.link == "sigmoid" and len(lin.coef) == 1:
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.LOGISTIC, tuple(classes))
        if lin.link == "softmax":
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.SOFTMAX, tuple(classes))
        if lin.link == "none" and (len(lin.coef) == len(classes) or (len(classes) == 2 and len(lin.coef) == 1)):
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.IDENTITY, tuple(classes))  # decision values
        if lin.link == "ovr":
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.OVR, tuple(classes))
        raise Unliftable("graph outputs", f"class scores with link {lin.link!r} have no IR form yet")

    # --- models --------------------------------------------------------------------------
    def op_LinearRegressor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        if at.get("post_transform", "NONE") != "NONE":
            raise Unliftable(_where(node), "LinearRegressor with a post_transform")
        k = int(at.get("targets", 1))
        coef = np.asarray(at["coefficients"], dtype=np.float64).reshape(k, -1)
        intercept = np.asarray(at.get("intercepts", [0.0] * k), dtype=np.float64)
        if k == 1:
            return Pred(Regression(tuple(v.names), coef, intercept))
        return Several(tuple(Regression(tuple(v.names), coef[i : i + 1], intercept[i : i + 1]) for i in range(k)))

    def op_LinearClassifier(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        classes = tuple(at.get("classlabels_strings") or at.get("classlabels_ints") or ())
        coef = np.asarray(at["coefficients"], dtype=np.float64).reshape(-1, len(v.names))
        intercept = np.asarray(at.get("intercepts", [0.0] * len(coef)), dtype=np.float64)
        post = at.get("post_transform", "NONE")
        binary = len(classes) == 2 and len(coef) == 2 and np.array_equal(coef[0], -coef[1]) and intercept[0] == -intercept[1]
        if len(classes) == 2 and len(coef) == 1:
            binary, coef, intercept = True, np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        if post == "NONE":
            model = Regression(
                tuple(v.names), coef[1:] if binary else coef, intercept[1:] if binary else intercept, Link.IDENTITY, classes
            )
        elif post == "LOGISTIC" and binary:
            model = Regression(tuple(v.names), coef[1:], intercept[1:], Link.LOGISTIC, classes)
        elif post == "LOGISTIC":
            model = Regression(tuple(v.names), coef, intercept, Link.LOGISTIC, classes)  # OVR once normalised
        elif post == "SOFTMAX":
            model = Regression(tuple(v.names), coef, intercept, Link.SOFTMAX, classes)
        else:
            raise Unliftable(_where(node), f"LinearClassifier post_transform={post}")
        pred = Pred(model)
        return _Label(), pred

    def op_TreeEnsembleRegressor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        names = tuple(self._cols(node, ins[0]).names)
        if node.op_type == "TreeEnsembleRegressor" and int(at.get("n_targets", 1)) > 1:  # one ensemble per target
            return Several(tuple(tree_ensemble(node, part, names, _where(node)) for part in per_target(at)))
        return Pred(tree_ensemble(node, at, names, _where(node)))

    def op_TreeEnsembleClassifier(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return _Label(), Pred(tree_ensemble(node, at, tuple(self._cols(node, ins[0]).names), _where(node)))

    op_TreeEnsemble = op_TreeEnsembleRegressor
