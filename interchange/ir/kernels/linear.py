"""The linear kernel and the link from raw scores to class probabilities, below every IR step.

``affine`` is the one linear product (IR regressions, projections and tree-ensemble links
included); ``Link`` / ``apply_link`` name how raw scores become outputs. They live here, not in
``interchange.ir.models.linear``, so the preprocessing steps (``ir.derive``) and the tree
ensembles (``ir.trees``) use them without importing a model family above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

import numpy as np

from interchange.ir.kernels.scores import link_probabilities

__all__ = ["Link", "affine", "apply_link"]


class Link(str, Enum):
    """How raw scores become outputs (PMML normalizationMethod, PFA m.link.*)."""

    IDENTITY = "identity"  # regression, or decision values only
    LOGISTIC = "logistic"  # binary: one score for the second class, p1 = 1/(1+exp(-s))
    SOFTMAX = "softmax"  # one score per class
    OVR = "ovr"  # one score per class, each logistic, then divided by their sum


def affine(X: np.ndarray | Sequence[np.ndarray], weights: np.ndarray, bias: np.ndarray | float) -> np.ndarray:
    """``X @ weights.T + bias``: the one linear kernel (IR regressions and projections, PMML's
    RegressionModel / GeneralRegressionModel, PFA's model.reg.linear). ``weights`` (k x d) gives
    (rows x k); a vector (d,) gives one score per row.

    ``X`` is a (rows x d) matrix, or the d columns themselves (what an evaluator over named
    columns holds): then each score is ``bias + w_1 * x_1 + ... + w_d * x_d`` summed column by
    column, in that order, with no (rows x d) matrix. Stacking the columns costs more than the
    arithmetic: a fresh multi-MB buffer per batch (about 5,300 page faults for 100k rows x 20
    columns) and OpenBLAS's worker threads, which spin after a large gemv, ran PMML regression
    4x slower in CPU time. A missing (NaN) input makes every score of its row missing either
    way, as ``0 * NaN`` does in the product.
    """
    if isinstance(X, np.ndarray):
        return X @ np.asarray(weights, dtype=np.float64).T + np.asarray(bias, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    vector = w.ndim == 1
    w2 = w[None, :] if vector else w
    b = np.broadcast_to(np.asarray(bias, dtype=np.float64), (len(w2),))
    n = len(X[0]) if len(X) else 0
    if n <= _FEW_ROWS:  # a record or a few: the same products and sums in Python floats, no ufunc calls
        cols = [np.asarray(x, dtype=np.float64).tolist() for x in X]
        scores = [[_sum(float(b[j]), row.tolist(), [c[r] for c in cols]) for j, row in enumerate(w2)] for r in range(n)]
        few = np.array(scores, dtype=np.float64).reshape(n, len(w2))
        return few[:, 0] if vector else few
    out = np.empty((len(w2), n))  # scores as rows: each is written in place, then seen transposed
    term = np.empty(n)
    for j, row in enumerate(w2):
        acc = out[j]
        acc.fill(b[j])
        for x, c in zip(X, row.tolist(), strict=True):
            np.multiply(x, c, out=term)
            acc += term
    return out[0] if vector else out.T


_FEW_ROWS = 4


def _sum(bias: float, weights: list[float], values: list[float]) -> float:
    """``bias + w_1 * x_1 + ...`` left to right: IEEE double products and sums, as the ufuncs do."""
    total = bias
    for c, x in zip(weights, values, strict=True):
        total += c * x
    return total


def apply_link(scores: np.ndarray, link: Link) -> np.ndarray:
    """Class probabilities from raw scores (rows x k): the kernel interchange.ir.kernels.scores.link_probabilities."""
    return link_probabilities(scores, link.value)
