"""Rows without a prediction in double ONNX: where an input the model reads is missing (NaN), the
IR gives no prediction (``Prediction.blank``: numbers NaN, labels and ids missing), and so do the
graphs, NaN for numbers and the empty string for text (an ONNX string tensor has no null), in Where nodes
named ``blank.*``, which the ONNX lift reads away (``formats/onnx/lift/blanks.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder
from interchange.formats.onnx.emit.registry import argmax_label

__all__ = ["BLANK", "missing_rows", "blank_rows", "blank_label", "probability_label"]

BLANK = "blank"  # the name hint of the masking Where nodes, which formats/onnx/lift/blanks.py reads away


def missing_rows(b: Builder, inputs: tuple[str, ...]) -> str:
    """``[N, 1]`` bool: some numeric input of ``inputs`` is missing."""
    nan = b.op("Cast", [b.op("IsNaN", [b.matrix(inputs)])], to=DOUBLE)
    return b.op("Greater", [b.op("ReduceMax", [nan, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)], "missing")


def blank_rows(b: Builder, x: str, rows: str, elem: int = DOUBLE) -> str:
    """``x`` (``[N, k]``) with the ``rows`` mask (``[N, 1]``) set missing: NaN, or "" for text."""
    empty = b.const(np.array([[""]], dtype=object), object, "empty") if elem == STRING else b.const(np.nan)
    out = b.op("Where", [rows, empty, x], BLANK)
    b.types[out] = elem
    return out


def blank_label(b: Builder, label: str, rows: str) -> str:
    """A ``[N]`` text label with the ``rows`` mask (``[N, 1]``) set to "" (no label). A numeric label (an int64
    or bool tensor) has no missing value and is left as it is: its row is refused by its NaN scores."""
    if b.types.get(label, STRING) != STRING:
        return label
    flat = b.op("Reshape", [rows, b.const([-1], np.int64, "shape")])
    out = b.op("Where", [flat, b.const(np.array([""], dtype=object), object, "empty"), label], BLANK)
    b.types[out] = STRING
    return out


def probability_label(b: Builder, classes: tuple[Any, ...], probabilities: str) -> str:
    """``ir.graph.label_of``: the first class of largest probability, none ("") where a probability is NaN."""
    label = argmax_label(b, classes, probabilities)
    if b.types.get(label, STRING) != STRING:
        return label
    nan = b.op("Cast", [b.op("IsNaN", [probabilities])], to=DOUBLE)
    unknown = b.op("Greater", [b.op("ReduceMax", [nan, b.const([1], np.int64, "axes")], keepdims=1), b.const(0.0)])
    return blank_label(b, label, unknown)
