"""Preprocessing steps: imputation, scaling, encoding, binning, normalising, projecting.

Numeric steps propagate missing (NaN) values, as PMML's expressions do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.errors import RecordError
from interchange.ir.graph import Env, Step, matrix
from interchange.ir.kernels.linear import affine

__all__ = ["Impute", "Scale", "OneHot", "Ordinal", "Threshold", "Bin", "Normalize", "Polynomial", "Project", "Validate"]


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
class Ordinal(Step):
    """Each category of column i becomes its index in ``categories[i]``; others ``unknown``.

    ``unknown`` None makes an unseen category a bad record; a missing input that is not
    itself a category gives NaN.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    categories: tuple[tuple[Any, ...], ...]
    unknown: float | None = None

    def apply(self, env: Env) -> None:
        for name, out, cats in zip(self.inputs, self.outputs, self.categories, strict=True):
            col = env[name]
            index = {category_key(c): float(i) for i, c in enumerate(cats)}
            missing = missing_mask(col)
            values = []
            for v, m in zip(col.tolist(), missing, strict=True):
                key = category_key(v)
                if key in index:
                    values.append(index[key])
                elif m:
                    values.append(np.nan)
                elif self.unknown is None:
                    raise RecordError(f"unknown category {v!r} for field {name!r}", field=name)
                else:
                    values.append(self.unknown)
            env[out] = np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class Threshold(Step):
    """``y = 1 if x > threshold else 0`` per column (Binarizer)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    threshold: float

    def apply(self, env: Env) -> None:
        for name, out in zip(self.inputs, self.outputs, strict=True):
            x = np.asarray(env[name], dtype=np.float64)
            env[out] = np.where(np.isnan(x), np.nan, (x > self.threshold).astype(np.float64))


@dataclass(frozen=True)
class Bin(Step):
    """Bin index of ``x`` among ``edges`` (interior edges; bin i is [e(i-1), e(i))).

    ``one_hot``: the outputs are one 0/1 column per bin and input, in input order;
    otherwise one index column per input.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    edges: tuple[tuple[float, ...], ...]
    one_hot: bool = False

    def apply(self, env: Env) -> None:
        k = 0
        for name, edges in zip(self.inputs, self.edges, strict=True):
            x = np.asarray(env[name], dtype=np.float64)
            index = np.searchsorted(np.asarray(edges), x, side="right").astype(np.float64)
            index[np.isnan(x)] = np.nan
            if not self.one_hot:
                env[self.outputs[k]] = index
                k += 1
                continue
            for b in range(len(edges) + 1):
                env[self.outputs[k]] = np.where(np.isnan(index), np.nan, (index == b).astype(np.float64))
                k += 1


@dataclass(frozen=True)
class Normalize(Step):
    """Each row divided by its ``norm`` ("l1", "l2" or "max"); a zero norm leaves it as is."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    norm: str

    def apply(self, env: Env) -> None:
        x = matrix(env, self.inputs)
        if self.norm == "l1":
            n = np.abs(x).sum(axis=1)
        elif self.norm == "l2":
            n = np.sqrt((x * x).sum(axis=1))
        else:
            n = np.abs(x).max(axis=1)
        n = np.where(n == 0, 1.0, n)
        for j, out in enumerate(self.outputs):
            env[out] = x[:, j] / n


@dataclass(frozen=True)
class Polynomial(Step):
    """``y_j = prod_i x_i ** powers[j, i]`` (PolynomialFeatures); a zero row is the bias 1."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    powers: np.ndarray  # (len(outputs), len(inputs)) non-negative integers

    def apply(self, env: Env) -> None:
        x = matrix(env, self.inputs)
        for j, out in enumerate(self.outputs):
            y = np.ones(len(x))
            for i, p in enumerate(self.powers[j]):
                for _ in range(int(p)):
                    y = y * x[:, i]
            env[out] = y


@dataclass(frozen=True)
class Project(Step):
    """``y = matrix @ x + bias``: PCA (after centring), fitted linear projections."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    matrix: np.ndarray  # (len(outputs), len(inputs))
    bias: np.ndarray  # (len(outputs),)

    def apply(self, env: Env) -> None:
        y = affine(matrix(env, self.inputs), self.matrix, self.bias)
        for j, out in enumerate(self.outputs):
            env[out] = y[:, j]


@dataclass(frozen=True)
class Validate(Step):
    """A present value of column i outside ``values[i]`` makes the record bad (PMML returnInvalid).

    Writes nothing; ``outputs`` is empty. Missing values pass (a later step decides on them).
    """

    inputs: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    outputs: tuple[str, ...] = ()

    def apply(self, env: Env) -> None:
        for name, allowed in zip(self.inputs, self.values, strict=True):
            col = env[name]
            ok = {category_key(v) for v in allowed}
            missing = missing_mask(col)
            for i, v in enumerate(col.tolist()):
                if not missing[i] and category_key(v) not in ok:
                    raise RecordError(f"value {v!r} of field {name!r} is not among its valid values", field=name, row=i)
