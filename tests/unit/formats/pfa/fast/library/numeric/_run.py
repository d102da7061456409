"""Run one ``prob.dist.*`` function fast over a column of first arguments, constant parameters."""

from __future__ import annotations

import numpy as np

from tests.unit.formats.pfa.fast._documents import document, fast


def dist(function: str, x: np.ndarray, *params: float, count: bool = False) -> tuple[np.ndarray, set[int]]:
    fields = {"x": "int" if count else "double"}
    return fast(document({f"prob.dist.{function}": ["input.x", *params]}, fields=fields), {"x": x})
