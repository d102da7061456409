"""The IR's array kernel: items of each row's array as columns (the operation of interchange.ir.derive.arrays).

Plain: generated Python copies this module's source (interchange.codegen.python.kernels); the IR's
ArrayItems step turns a bad row into its RecordError, generated code into a ValueError.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["array_items"]


def array_items(col: Any, count: int, length: int | None) -> tuple[np.ndarray, int, int]:
    """Items ``0 .. count - 1`` of each row's array as a (rows x count) float64 matrix (NaN for a
    missing array), and the first row whose array is too short (or not ``length`` long, when
    ``length`` is given) with its length, or (-1, 0)."""
    out = np.full((len(col), count), np.nan)
    for row, value in enumerate(col):
        if value is None or (isinstance(value, float) and value != value):
            continue  # a missing array: missing items
        items = np.asarray(value, dtype=np.float64).reshape(-1)
        if len(items) < count or (length is not None and len(items) != length):
            return out, row, len(items)
        out[row] = items[:count]
    return out, -1, 0
