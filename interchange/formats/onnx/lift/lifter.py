"""The ONNX lifter: runs a graph symbolically, node by node, each operator read by one mixin.

A tensor of per-row values is IR columns (``values.Cols``), a constant a numpy array, an affine
map (``values.Lin``) stays symbolic until a link or the end makes it a model, and an ML
operator becomes the IR model step. Float tensors compute in float32: each elementwise result
is a Derive step rounded to float32 (exact: an IEEE float32 operation equals the double
operation rounded); sums of many terms are evaluated in double. Recognisers of whole patterns
(libsvm's probability coupling, SVM machine values, distances, naive Bayes, isolation scores,
combined models, the double writer's links) see each node first; the ``op_*`` methods of the
column, arithmetic and model mixins follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from interchange.formats.onnx.lift.arithmetic import ArithmeticOps
from interchange.formats.onnx.lift.columns import ColumnOps
from interchange.formats.onnx.lift.double import DoubleOps
from interchange.formats.onnx.lift.fold import FOLD
from interchange.formats.onnx.lift.models.distance import DistanceOps
from interchange.formats.onnx.lift.models.ensembles import EnsembleOps
from interchange.formats.onnx.lift.models.naive_bayes import NaiveBayesOps
from interchange.formats.onnx.lift.models.operators import ModelOps
from interchange.formats.onnx.lift.models.outlier import OutlierOps
from interchange.formats.onnx.lift.models.platt import PlattOps
from interchange.formats.onnx.lift.models.svm import SVMOps
from interchange.formats.onnx.lift.values import Cols, Lin, _where
from interchange.ir.derive.expressions import Derive
from interchange.ir.derive.transforms import Project
from interchange.ir.graph import Step
from interchange.ir.lifted import Unliftable

__all__ = ["Lifter", "attrs"]


def attrs(node: onnx.NodeProto) -> dict[str, Any]:
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = (
            v.decode()
            if isinstance(v, bytes)
            else [x.decode() if isinstance(x, bytes) else x for x in v]
            if isinstance(v, list)
            else v
        )
        if isinstance(v, onnx.TensorProto):
            out[a.name] = numpy_helper.to_array(v)
    return out


class Lifter(
    PlattOps, SVMOps, DistanceOps, NaiveBayesOps, OutlierOps, EnsembleOps, DoubleOps, ColumnOps, ArithmeticOps, ModelOps
):
    """Symbolic values per tensor name, the IR steps made so far, and which nodes lifted."""

    def __init__(self, proto: onnx.ModelProto, classes: tuple[Any, ...] | None = None) -> None:
        self.classes = classes
        self.empty_text: dict[str, str] = {}  # a text input's column read as "" when missing -> the input
        self.values: dict[str, Any] = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
        self.steps: list[Step] = []
        self.done: list[tuple[str, str]] = []
        self._names: set[str] = set()
        self.proto = proto
        self.claimed: set[str] = set()  # tensors a recogniser of a whole shape gave values (lift.models.platt)

    def derive(self, name: str, expr: Any, single: bool | None) -> str:
        base, k = name, 1
        while name in self._names:
            k += 1
            name = f"{base}#{k}"
        self._names.add(name)
        self.steps.append(Derive((name,), expr, "string" if single is None else "float" if single else "double"))
        return name

    def _fresh(self, name: str) -> str:
        base, k = name, 1
        while name in self._names:
            k += 1
            name = f"{base}#{k}"
        self._names.add(name)
        return name

    def _const(self, name: str, node: onnx.NodeProto) -> np.ndarray:
        v = self.values.get(name)
        if not isinstance(v, np.ndarray):
            raise Unliftable(_where(node), f"input {name!r} must be a constant here")
        return v

    def node(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        if node.output and all(o in self.claimed for o in node.output):
            self.done.append((node.name or node.output[0], op))
            return
        ins = [self.values.get(i) if i else None for i in node.input]
        if all(isinstance(v, np.ndarray) for v in ins if v is not None) and op in FOLD:
            outs = FOLD[op](ins, attrs(node))
        else:
            at = attrs(node)
            outs = self.platt(node, ins, at)  # an SVM's coupled Platt probabilities (lift.platt)
            if outs is None:
                outs = self.svm_forms(node, ins, at)  # machine values (lift.svm)
            if outs is None:
                outs = self.distance(node, ins, at)  # distance models (lift.distance)
            if outs is None:
                outs = self.naive_bayes(node, ins, at)  # naive Bayes, log-softmax (lift.naive_bayes)
            if outs is None:
                outs = self.outlier(node, ins, at)  # isolation scores (lift.outlier)
            if outs is None:
                outs = self.ensemble(node, ins, at)  # models combined: chains, stacking, bagging, voting (lift.ensembles)
            if outs is None:
                outs = self.pattern(node, ins, at)  # the double writer's shapes (lift_double)
            if outs is None:
                fn = getattr(self, f"op_{op}", None)
                if fn is None:
                    raise Unliftable(_where(node), f"operator {node.domain or 'ai.onnx'}.{op} has no IR form yet")
                outs = fn(node, ins, attrs(node))
        for name, value in zip(node.output, outs if isinstance(outs, tuple) else (outs,), strict=False):
            self.values[name] = value
        self.done.append((node.name or node.output[0], op))

    def _cols(self, node: Any, v: Any) -> Cols:
        if isinstance(v, Lin) and v.link == "none":  # an affine layer feeding more than a link: its columns
            outs = [f"{node.output[0]}[{j}]" for j in range(len(v.coef))]
            self.steps.append(Project(v.inputs, tuple(outs), v.coef, v.intercept))
            self._names.update(outs)
            return Cols(outs, False)
        if not isinstance(v, Cols):
            raise Unliftable(_where(node), f"expects per-row columns, got {type(v).__name__}")
        return v
