"""The ONNX lifter's reading of the double IR writer's isolation forest (``emit.trees.isolation``).

``score = -(2 ** (-mean_path / normaliser)) - offset`` over an averaging opset-5 TreeEnsemble of
path lengths, then ``Where(score < 0, -1, 1)`` as the label: recognised by that structure and
its constants (the base 2, a positive normaliser, a zero threshold, the labels -1 / 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.double import Trees, _Chain
from interchange.formats.onnx.lift.values import Pred, _Label, _where
from interchange.ir.lifted import Unliftable
from interchange.ir.outlier import IsolationScore

__all__ = ["OutlierOps"]


@dataclass
class _Iso:
    """A stage of the isolation score over mean path lengths."""

    trees: Trees
    normaliser: float
    stage: str  # "exponent" (-mean / c), "power", "negated"


@dataclass
class _Outlier:
    """``score < 0`` of an isolation score."""

    of: Pred


def _scalar(v: Any) -> float | None:
    if isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "fiu":
        return float(v.reshape(-1)[0])
    return None


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
        if op == "Less" and isinstance(a, Pred) and isinstance(a.model, IsolationScore) and _scalar(b) == 0.0:
            return _Outlier(a)
        if op == "Where" and isinstance(a, _Outlier):
            if [_scalar(v) for v in ins[1:]] != [-1.0, 1.0]:
                raise Unliftable(where, "outlier labels other than -1 (score < 0) and 1")
            return _Label()
        if any(isinstance(v, (_Iso, _Outlier)) for v in ins):
            raise Unliftable(where, f"{op} of an isolation score in a pattern the IR has no form for")
        return None
