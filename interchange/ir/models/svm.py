"""Kernel support vector machines: regression, binary and one-vs-one classification.

Every machine ``p`` computes ``f_p(x) = sum_i coef[p, i] * K(x, vectors[i]) + intercept[p]``
over one shared set of support vectors (a machine that does not use a vector has a zero
coefficient for it), as libsvm and PMML's SupportVectorMachineModel do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.kernels.scores import apply_kernel, kernel_matrix
from interchange.ir.models.svm_probability import svm_probabilities

__all__ = ["SupportVectorMachine", "VoteShares", "kernel_matrix", "apply_kernel", "one_vs_one"]

Kernel = Literal["linear", "rbf", "poly", "sigmoid"]
KERNELS = ("linear", "rbf", "poly", "sigmoid")


def one_vs_one(dual: np.ndarray, per_class: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """libsvm's (k-1, n) dual coefficients, vectors grouped by class, as one coefficient row per
    class pair (i, j), i < j: the pair's machine weighs class i's vectors by row j-1 and class j's
    by row i. Returns (pairs, rows)."""
    k, n = len(per_class), dual.shape[1]
    starts = np.concatenate([[0], np.cumsum(per_class)]).astype(int)
    pairs, rows = [], []
    for i in range(k):
        for j in range(i + 1, k):
            row = np.zeros(n)
            row[starts[i] : starts[i + 1]] = dual[j - 1, starts[i] : starts[i + 1]]
            row[starts[j] : starts[j + 1]] = dual[i, starts[j] : starts[j + 1]]
            pairs.append((i, j))
            rows.append(row)
    return np.array(pairs, dtype=int).reshape(-1, 2), np.array(rows).reshape(-1, n)


@dataclass(frozen=True)
class SupportVectorMachine(ModelStep):
    """Kernel machines; regression reads machine 0, classification votes machine by machine.

    Classification: machine ``p`` votes for class ``pairs[p, 0]`` when ``f_p > threshold[p]``
    (``first_when=">"``, libsvm) or ``f_p < threshold[p]`` (``"<"``, PMML's default
    maxWins="false"), otherwise for ``pairs[p, 1]``; the most votes win, ties going to the
    lowest class index. Decision values follow scikit-learn's SVC for machines in libsvm
    orientation: binary ``-f``; multiclass ``"ovr"`` votes plus confidences squashed into
    (-1/3, 1/3), or the raw ``"ovo"`` values. ``prob_a`` / ``prob_b``: libsvm's Platt
    parameters per machine; the probabilities couple the pairwise sigmoids iteratively
    (``ir/models/svm_probability.py``; even for two classes, measured: up to 5e-3 off the closed-form
    sigmoid), which the PFA and double ONNX writers and the code generators write as that loop and the PMML
    writer refuses by name (PMML 4.4's SupportVectorMachineModel has no probability output).
    """

    inputs: tuple[str, ...]
    kernel: Kernel
    vectors: np.ndarray  # (n_vectors, len(inputs))
    coef: np.ndarray  # (machines, n_vectors)
    intercept: np.ndarray  # (machines,)
    gamma: float = 1.0
    coef0: float = 0.0
    degree: float = 3.0
    classes: tuple[Any, ...] | None = None
    pairs: np.ndarray | None = None  # (machines, 2) class indices
    threshold: np.ndarray | None = None  # (machines,), zeros when None
    first_when: Literal[">", "<"] = ">"
    shape: Literal["ovr", "ovo"] = "ovr"
    prob_a: np.ndarray | None = None
    prob_b: np.ndarray | None = None

    def machine_values(self, X: np.ndarray) -> np.ndarray:
        """f_p(x) for every row and machine: (rows x machines)."""
        V = np.asarray(self.vectors, dtype=np.float64)
        if self.kernel not in KERNELS:
            raise ModelError(f"unknown SVM kernel {self.kernel!r}")
        K = kernel_matrix(X, V, self.kernel, self.gamma, self.coef0, self.degree)
        return K @ np.asarray(self.coef, dtype=np.float64).T + np.asarray(self.intercept, dtype=np.float64)

    def votes(self, f: np.ndarray) -> np.ndarray:
        """Votes per class (rows x classes) from the machine values."""
        assert self.classes is not None and self.pairs is not None
        t = np.zeros(f.shape[1]) if self.threshold is None else np.asarray(self.threshold, dtype=np.float64)
        first = f > t if self.first_when == ">" else f < t
        votes = np.zeros((f.shape[0], len(self.classes)))
        for p, (i, j) in enumerate(np.asarray(self.pairs, dtype=int)):
            votes[:, i] += first[:, p]
            votes[:, j] += ~first[:, p]
        return votes

    def decision(self, f: np.ndarray, votes: np.ndarray) -> np.ndarray:
        """scikit-learn's SVC.decision_function from libsvm-oriented machine values."""
        if len(self.classes or ()) == 2:
            return -f[:, :1]
        if self.shape == "ovo":
            return f
        confidence = np.zeros_like(votes)
        for p, (i, j) in enumerate(np.asarray(self.pairs, dtype=int)):
            confidence[:, i] += f[:, p]
            confidence[:, j] -= f[:, p]
        return votes + confidence / (3 * (np.abs(confidence) + 1))

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)  # a missing input: no prediction (PMML 4.4; sklearn refuses NaN)
        if missing.any():
            X = np.where(missing[:, None], 0.0, X)
        f = self.machine_values(X)
        if self.classes is None:
            return Prediction(value=f[:, 0]).blank(missing)
        votes = self.votes(f)
        classes = np.asarray(self.classes, dtype=object)
        pred = Prediction(classes=self.classes, label=classes[np.argmax(votes, axis=1)])
        if self.first_when == ">" and self.threshold is None:
            pred.decision = self.decision(f, votes)
        if self.prob_a is not None and self.prob_b is not None and self.pairs is not None:  # the label stays the vote's
            pred.probabilities = svm_probabilities(f, self.pairs, self.prob_a, self.prob_b, len(self.classes))
        return pred.finish().blank(missing)


@dataclass(frozen=True)
class VoteShares(ModelStep):
    """A one-vs-one classifier's prediction with each class's share of the machines' votes as its
    probabilities: what JPMML-Evaluator and pypmml 1.5.8 give as an SVM's probabilities (PMML 4.4
    defines none for SupportVectorMachineModel). A row with a missing input has none."""

    model: SupportVectorMachine

    def __post_init__(self) -> None:
        if self.model.classes is None or self.model.pairs is None:
            raise ValueError("vote shares are those of a classifier's machines")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env)
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)
        votes = self.model.votes(self.model.machine_values(np.where(missing[:, None], 0.0, X)))
        pred.probabilities = np.where(missing[:, None], np.nan, votes / len(np.asarray(self.model.pairs)))
        return pred
