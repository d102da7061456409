"""What the ONNX lifter holds for a tensor while it runs a graph symbolically (see ``lift.lifter``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx

from interchange.ir.graph import ModelStep

__all__ = ["Cols", "Lin", "Pred", "Several", "_Label", "_scalar", "_where"]


@dataclass
class Cols:
    """A per-row tensor: one IR column per tensor column."""

    names: list[str]
    single: bool  # float32 values
    whole: bool = False  # whole numbers (codes from a LabelEncoder): integer casts keep them


@dataclass
class Lin:
    """``columns @ coef.T + intercept`` not yet turned into a model."""

    inputs: tuple[str, ...]
    coef: np.ndarray  # (k, n)
    intercept: np.ndarray  # (k,)
    link: str = "none"  # "sigmoid" once Sigmoid was applied
    negated: Any = None  # the scores this map is the negation of (the start of 1 / (1 + exp(-s)))


@dataclass
class Pred:
    """An ML operator's output (or a linear model's): the IR model step."""

    model: ModelStep


@dataclass
class Several:
    """A multi-target regressor's values, the columns of one ``[N, k]`` tensor: one model per target."""

    parts: tuple[ModelStep, ...]


class _Label:
    """A label computed from scores (ArgMax, a class look-up): the IR's label is its argmax too."""


def _scalar(v: Any) -> float | None:
    """A one-element numeric constant's value, else None."""
    if isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "fiu":
        return float(v.reshape(-1)[0])
    return None


def _where(node: onnx.NodeProto) -> str:
    return f"node {node.name or node.output[0]!r} ({node.domain or 'ai.onnx'}.{node.op_type})"
