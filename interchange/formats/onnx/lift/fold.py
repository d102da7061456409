"""Constant folding for the ONNX lifter: operators whose inputs are all constants are computed at lift time."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FOLD"]


def _fold_binary(fn: Any) -> Any:
    return lambda ins, at: fn(np.asarray(ins[0]), np.asarray(ins[1]))


def _fold_label_encoder(ins: list[Any], at: dict[str, Any]) -> np.ndarray:
    keys = at.get("keys_int64s") or at.get("keys_strings") or at.get("keys_floats")
    values = at.get("values_strings") or at.get("values_int64s") or at.get("values_floats")
    default = at.get("default_string", at.get("default_int64", at.get("default_float")))
    table = dict(zip(keys or [], values or [], strict=True))
    return np.array([table.get(k, default) for k in np.asarray(ins[0]).reshape(-1).tolist()], dtype=object)


FOLD: dict[str, Any] = {
    "LabelEncoder": _fold_label_encoder,
    "Add": _fold_binary(np.add),
    "Sub": _fold_binary(np.subtract),
    "Mul": _fold_binary(np.multiply),
    "Div": _fold_binary(np.divide),
    "Identity": lambda ins, at: ins[0],
    "Reshape": lambda ins, at: np.reshape(ins[0], ins[1]),
}
