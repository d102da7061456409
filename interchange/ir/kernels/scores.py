"""The IR's kernels from a model's raw scores to its figures: a linear model's link to class
probabilities (interchange.ir.kernels.linear.apply_link), a network layer's activation
(interchange.ir.models.neural) and an SVM's kernel (interchange.ir.models.svm), on plain arrays,
copied verbatim into generated Python. The IR's steps check the names against their own lists
(a ModelError); these raise ValueError for a name they do not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.ir.distances import distances
from interchange.ir.links import logistic, relu, softmax

__all__ = ["link_probabilities", "activate", "apply_kernel", "kernel_matrix"]


def link_probabilities(scores: np.ndarray, link: str) -> np.ndarray:
    """Class probabilities from raw scores (rows x k): logistic (binary, one column: the second class's),
    softmax, ovr (each class's logistic over their sum), identity (the scores)."""
    if link == "logistic":
        p1 = logistic(scores[:, 0])
        return np.column_stack([1.0 - p1, p1])
    if link == "softmax":
        return softmax(scores)
    if link == "ovr":
        p = logistic(scores)
        return p / p.sum(axis=1, keepdims=True)
    return scores


def activate(z: np.ndarray, name: str) -> np.ndarray:
    """One layer's activation, from the shared link functions."""
    if name == "identity":
        return z
    if name == "logistic":
        with np.errstate(over="ignore"):
            return logistic(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return relu(z)
    raise ValueError(f"unknown activation {name!r}")


def apply_kernel(
    kernel: str,
    inner: np.ndarray,
    gamma: float | np.ndarray,
    coef0: float | np.ndarray,
    degree: float | np.ndarray,
    *,
    exp: Callable[[np.ndarray], np.ndarray] = np.exp,
    power: Callable[[np.ndarray, Any], np.ndarray] = np.power,
) -> np.ndarray:
    """K from ``inner``: the dot product x.v (linear, poly, sigmoid) or the squared distance (rbf).

    The one copy of the kernel formulas (IR, PMML SupportVectorMachineModel, PFA m.kernel.*);
    PFA passes titus2's checked ``exp`` and Java-like ``power``.
    """
    if kernel == "rbf":
        return exp(-gamma * inner)
    if kernel == "linear":
        return inner
    if kernel == "poly":
        return power(gamma * inner + coef0, degree)
    if kernel == "sigmoid":
        return np.tanh(gamma * inner + coef0)
    raise ValueError(f"unknown SVM kernel {kernel!r}")


def kernel_matrix(X: np.ndarray, V: np.ndarray, kernel: str, gamma: float, coef0: float, degree: float) -> np.ndarray:
    """K(x, v) for every row x of X and vector v of V: (rows x vectors).

    rbf: exp(-gamma * ||x - v||^2), summed over coordinate differences (not the
    ||x||^2 - 2xv + ||v||^2 expansion, which loses digits near a support vector).
    """
    inner = distances(X[:, None, :], V[None, :, :], "squaredEuclidean") if kernel == "rbf" else X @ V.T
    return apply_kernel(kernel, inner, gamma, coef0, degree)
