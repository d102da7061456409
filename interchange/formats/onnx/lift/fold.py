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


def _fold_reduce_sum(ins: list[Any], at: dict[str, Any]) -> np.ndarray:
    x = np.asarray(ins[0])
    axes = ins[1] if len(ins) > 1 and ins[1] is not None else at.get("axes")
    if axes is None or not np.size(axes):
        if at.get("noop_with_empty_axes", 0):
            return x
        axes = list(range(x.ndim))
    axis = tuple(int(a) for a in np.asarray(axes).reshape(-1))
    return np.sum(x, axis=axis, keepdims=bool(at.get("keepdims", 1)), dtype=x.dtype)


FOLD: dict[str, Any] = {
    "LabelEncoder": _fold_label_encoder,
    "Add": _fold_binary(np.add),
    "Sub": _fold_binary(np.subtract),
    "Mul": _fold_binary(np.multiply),
    "Div": _fold_binary(np.divide),
    "Exp": lambda ins, at: np.exp(np.asarray(ins[0])),
    "Log": lambda ins, at: np.log(np.asarray(ins[0])),
    "Neg": lambda ins, at: np.negative(np.asarray(ins[0])),
    "ReduceSum": _fold_reduce_sum,
    "Identity": lambda ins, at: ins[0],
    "Reshape": lambda ins, at: np.reshape(ins[0], ins[1]),
}
