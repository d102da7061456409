"""The ONNX lifter's reading of skl2onnx's AdaBoostRegressor: the weighted median of its estimators.

skl2onnx writes scikit-learn's ``_get_median_predict`` as: the estimators' values concatenated along
axis 1, negated, ``TopK`` (all of them: ascending values, ties by estimator order), the estimator
weights gathered in that order, ``CumSum``, the last running weight halved, ``Less`` (running
weight below half), ``ArgMin`` (the first position reaching half), then the estimator there and its
value (``GatherElements`` twice). That is the IR's ``weightedMedian`` Segmentation (ir.segmentation:
the first value, in ascending order, at which the running weight reaches half the total). Each
stage is checked (the constants -1, 0.5, k = all, the last index, axis 1), else the node is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.values import Pred, _scalar, _where
from interchange.ir.combine.chain import ChainSegment
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.predicates import Always
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable

__all__ = ["Median", "median"]


@dataclass
class Median:
    """A stage of the weighted median over the estimators' values."""

    models: tuple[ModelStep, ...]
    stage: str  # negated, values, order, weights, running, total, half, below, first, chosen
    weights: np.ndarray | None = None


def plain_models(segments: tuple[ChainSegment, ...]) -> tuple[ModelStep, ...] | None:
    """The models of a chain whose segments each pass on only their value (columns side by side)."""
    if any(s.when is not None or len(s.links) != 1 or s.links[0].part != "value" for s in segments):
        return None
    return tuple(s.model for s in segments)


def median(node: onnx.NodeProto, ins: list[Any], at: dict[str, Any], models: tuple[ModelStep, ...] | None) -> Any:
    """The next stage (``models``: the estimators when ``ins[0]`` is their stacked values), else None."""
    op, where = node.op_type, _where(node)
    a = ins[0] if ins else None
    b = ins[1] if len(ins) > 1 else None
    staged = next((v for v in ins if isinstance(v, Median)), None)
    n = len(models) if models is not None else len(staged.models) if staged is not None else 0
    if models is not None:
        if op == "Mul" and _scalar(b) == -1.0:
            return Median(models, "negated")
        if op == "GatherElements" and isinstance(b, Median) and b.stage == "chosen" and at.get("axis") == 1:
            if len(b.models) != n or any(x is not y for x, y in zip(b.models, models, strict=True)):
                raise Unliftable(where, "a weighted median's choice applied to other models' values")
            chosen = tuple(float(w) for w in b.weights)  # type: ignore[union-attr]
            return Pred(Segmentation("weightedMedian", tuple(Always(True) for _ in models), chosen, models))
        return None
    if op == "TopK" and isinstance(a, Median) and a.stage == "negated":
        k = np.asarray(b).reshape(-1).tolist() if isinstance(b, np.ndarray) else []
        if k != [n] or at.get("largest", 1) != 1 or at.get("sorted", 1) != 1 or at.get("axis", -1) not in (1, -1):
            raise Unliftable(where, "TopK of negated estimator values other than all of them, largest first")
        return replace(a, stage="values"), replace(a, stage="order")
    if op == "ArrayFeatureExtractor" and isinstance(b, Median) and b.stage == "order" and isinstance(a, np.ndarray):
        weights = np.asarray(a, dtype=np.float64).reshape(-1)
        if len(weights) != n or np.any(weights < 0):
            raise Unliftable(where, "estimator weights that are not one non-negative weight per estimator")
        return replace(b, stage="weights", weights=weights)
    if not isinstance(a, Median):
        return None
    stage = a.stage
    if op == "Reshape" and stage == "weights" and np.asarray(b).reshape(-1).tolist() == [-1, n]:
        return a
    if op == "CumSum" and stage == "weights" and _scalar(b) in (1.0, -1.0) and not at.get("exclusive") and not at.get("reverse"):
        return replace(a, stage="running")
    if op == "ArrayFeatureExtractor" and stage == "running" and _scalar(b) in (n - 1, -1):
        return replace(a, stage="total")
    if op == "Mul" and stage == "total" and _scalar(b) == 0.5:
        return replace(a, stage="half")
    if op == "Less" and stage == "running" and isinstance(b, Median) and b.stage == "half":
        return replace(a, stage="below")
    if op == "Cast" and stage == "below":
        return a
    if op == "ArgMin" and stage == "below" and at.get("axis") in (1, -1) and not at.get("select_last_index"):
        return replace(a, stage="first")
    if op == "GatherElements" and stage == "order" and isinstance(b, Median) and b.stage == "first" and at.get("axis") == 1:
        return replace(b, stage="chosen")
    raise Unliftable(where, f"{op} of a weighted median's {stage} in a pattern the IR has no form for")
