"""Rows without a prediction in double ONNX: where an input the model reads is missing (NaN), the
IR gives no prediction (``Prediction.blank``: numbers NaN, labels and ids missing), and so do the
graphs, NaN for numbers and the empty string for text (an ONNX string tensor has no null)."""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder
from interchange.formats.onnx.emit.registry import argmax_label

__all__ = ["missing_rows", "blank_rows", "blank_label", "probability_label"]


def missing_rows(b: Builder, inputs: tuple[str, ...]) -> str:
    """``[N, 1]`` bool: some numeric input of ``inputs`` is missing."""
    nan = b.op("Cast", [b.op("IsNaN", [b.matrix(inputs)])], to=DOUBLE)
    return b.op("Greater", [b.op("ReduceMax", [nan, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)], "missing")


def blank_rows(b: Builder, x: str, rows: str, elem: int = DOUBLE) -> str:
    """``x`` (``[N, k]``) with the ``rows`` mask (``[N, 1]``) set missing: NaN, or "" for text."""
    empty = b.const(np.array([[""]], dtype=object), object, "empty") if elem == STRING else b.const(np.nan)
    out = b.op("Where", [rows, empty, x])
    b.types[out] = elem
    return out


def blank_label(b: Builder, label: str, rows: str) -> str:
    """A ``[N]`` label with the ``rows`` mask (``[N, 1]``) set to "" (no label), keeping its declared type."""
    flat = b.op("Reshape", [rows, b.const([-1], np.int64, "shape")])
    elem = b.types.get(label, STRING)
    if elem != STRING:  # a numeric label has no missing value in an int64 / bool tensor
        return label
    out = b.op("Where", [flat, b.const(np.array([""], dtype=object), object, "empty"), label], "label")
    b.types[out] = elem
    return out


def probability_label(b: Builder, classes: tuple[Any, ...], probabilities: str) -> str:
    """``ir.graph.label_of``: the first class of largest probability, none ("") where a probability is NaN."""
    nan = b.op("Cast", [b.op("IsNaN", [probabilities])], to=DOUBLE)
    unknown = b.op("Greater", [b.op("ReduceMax", [nan, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)])
    return blank_label(b, argmax_label(b, classes, probabilities), unknown)
