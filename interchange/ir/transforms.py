"""Preprocessing steps: imputation, scaling, one-hot encoding, linear projection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.errors import RecordError
from interchange.ir.graph import Env, Step, matrix

__all__ = ["Impute", "Scale", "OneHot", "Project"]


@dataclass(frozen=True)
class Impute(Step):
    """Replace missing values of each input column by a constant (mean, median, mode...)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    values: tuple[Any, ...]

    def apply(self, env: Env) -> None:
        for name, out, value in zip(self.inputs, self.outputs, self.values, strict=False):
            col = env[name]
            env[out] = np.where(missing_mask(col), value, col).astype(col.dtype if col.dtype.kind == "f" else object)


@dataclass(frozen=True)
class Scale(Step):
    """``y = (x - offset) / divisor * factor + shift`` per column.

    Four parameters so that every scikit-learn scaler is written with the very operations it
    performs (StandardScaler divides, MinMaxScaler multiplies and adds): reordered arithmetic
    differs in the last bits, which cancellation in a later linear model can magnify.
    Identity parameters (0, 1, 1, 0) leave values bit-for-bit unchanged.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    offset: tuple[float, ...]
    divisor: tuple[float, ...]
    factor: tuple[float, ...]
    shift: tuple[float, ...]

    def operations(self, i: int) -> list[tuple[str, float]]:
        """Column ``i``'s arithmetic in order, identities left out: what writers emit."""
        steps = (("-", self.offset[i], 0.0), ("/", self.divisor[i], 1.0), ("*", self.factor[i], 1.0), ("+", self.shift[i], 0.0))
        return [(op, value) for op, value, identity in steps if value != identity]

    def apply(self, env: Env) -> None:
        for i, (name, out) in enumerate(zip(self.inputs, self.outputs, strict=True)):
            x = np.asarray(env[name], dtype=np.float64)
            env[out] = (x - self.offset[i]) / self.divisor[i] * self.factor[i] + self.shift[i]


@dataclass(frozen=True)
class OneHot(Step):
    """One 0/1 column per category of ``inputs[0]``.

    ``unknown``: ``"ignore"`` gives all zeros for an unseen category, ``"error"`` makes the
    record bad. Missing input gives all zeros unless ``None`` is itself a category.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    categories: tuple[Any, ...]
    unknown: str = "ignore"

    def apply(self, env: Env) -> None:
        col = env[self.inputs[0]]
        keys = np.array([category_key(v) for v in col], dtype=object)
        cats = [category_key(c) for c in self.categories]
        hit = np.zeros(len(col), dtype=bool)
        for out, cat in zip(self.outputs, cats, strict=False):
            eq = keys == cat
            hit |= eq
            env[out] = eq.astype(np.float64)
        if self.unknown == "error" and not hit.all():
            bad = col[np.flatnonzero(~hit)[0]]
            raise RecordError(f"unknown category {bad!r} for field {self.inputs[0]!r}", field=self.inputs[0])


@dataclass(frozen=True)
class Project(Step):
    """``y = matrix @ x + bias``: PCA, polynomial-free linear maps, fitted projections."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    matrix: np.ndarray  # (len(outputs), len(inputs))
    bias: np.ndarray  # (len(outputs),)

    def apply(self, env: Env) -> None:
        y = matrix(env, self.inputs) @ np.asarray(self.matrix).T + np.asarray(self.bias)
        for j, out in enumerate(self.outputs):
            env[out] = y[:, j]
