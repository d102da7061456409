"""k-nearest neighbours over stored training points: vote or average of the k closest; the ids
of the neighbours found (PMML 4.4 §Output entityId with a rank: the r-th nearest instance)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.ir.distances import distances, lowest
from interchange.ir.graph import Env, ModelStep, Prediction, matrix

__all__ = ["NearestNeighbors", "NeighborIds"]


@dataclass(frozen=True)
class NearestNeighbors(ModelStep):
    """The ``k`` stored points closest to each row (ties: the earlier point), then a vote or mean.

    Classification (``classes`` set, ``targets`` holds class indices): each neighbour votes
    with weight 1 (``weights="uniform"``) or 1/distance (``"distance"``; a neighbour at distance
    0 takes all the weight, shared with other such neighbours, as scikit-learn; with a
    ``threshold`` t > 0 the weight is 1/(distance + t), PMML 4.4's weighted methods), probabilities are the vote
    shares, the label the first class with most weight (``tie="index"``, scikit-learn) or,
    as PMML 4.4 majorityVote, the tied class with most training cases, then the smallest value
    in lexical order (``tie="pmml"``). Regression: mean, weighted mean or median of targets.
    """

    inputs: tuple[str, ...]
    points: np.ndarray  # (n, len(inputs))
    targets: np.ndarray  # (n,) class indices or values
    k: int
    metric: str = "euclidean"
    p: float = 2.0
    weights: Literal["uniform", "distance", "median"] = "uniform"
    classes: tuple[Any, ...] | None = None
    tie: Literal["index", "pmml"] = "index"
    threshold: float = 0.0  # PMML's NearestNeighborModel threshold, for distance weights

    def neighbours(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = distances(X[:, None, :], np.asarray(self.points, dtype=np.float64)[None, :, :], self.metric, self.p)
        idx = lowest(d, self.k)
        return idx, np.take_along_axis(d, idx, axis=1)

    def _weights(self, dist: np.ndarray) -> np.ndarray:
        if self.weights != "distance":
            return np.ones_like(dist)
        if self.threshold > 0:
            return 1.0 / (dist + self.threshold)
        zero = dist == 0
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        return np.where(zero.any(axis=1, keepdims=True), zero.astype(np.float64), w)

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)  # a missing input: no prediction (PMML 4.4; sklearn refuses NaN)
        return self._predict(np.where(missing[:, None], 0.0, X) if missing.any() else X).blank(missing)

    def _predict(self, X: np.ndarray) -> Prediction:
        idx, dist = self.neighbours(X)
        targets = np.asarray(self.targets)[idx]
        w = self._weights(dist)
        if self.classes is None:
            values = targets.astype(np.float64)
            if self.weights == "median":
                return Prediction(value=np.median(values, axis=1))
            return Prediction(value=(values * w).sum(axis=1) / w.sum(axis=1))
        k = len(self.classes)
        votes = np.stack([(w * (targets == c)).sum(axis=1) for c in range(k)], axis=1)
        probabilities = votes / votes.sum(axis=1, keepdims=True)
        classes = np.asarray(self.classes, dtype=object)
        if self.tie == "index":
            return Prediction(classes=self.classes, probabilities=probabilities, label=classes[np.argmax(votes, axis=1)])
        counts = np.bincount(np.asarray(self.targets, dtype=int), minlength=k).astype(np.float64)
        lexical = np.argsort(np.argsort([str(c) for c in self.classes], kind="stable"))
        # most votes (weighted votes are not whole numbers), then most training cases, then the lexically smallest value
        top = votes == votes.max(axis=1, keepdims=True)
        key = np.where(top, counts * (k + 1) + (k - lexical), -1.0)
        return Prediction(classes=self.classes, probabilities=probabilities, label=classes[np.argmax(key, axis=1)])


@dataclass(frozen=True)
class NeighborIds(ModelStep):
    """``model``'s prediction, with the id of each row's r-th nearest stored point as the figure
    ``name`` for each (name, r) of ``ranks`` (1-based); a row with a missing input has none."""

    model: NearestNeighbors
    ids: tuple[str, ...]  # one per stored point
    ranks: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.model.points):
            raise ValueError(f"one id per stored point ({len(self.model.points)}), not {len(self.ids)}")
        if any(not 1 <= r <= self.model.k for _, r in self.ranks):
            raise ValueError(f"a neighbour rank must be within 1..k ({self.model.k})")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives beside the prediction."""
        return tuple(name for name, _ in self.ranks)

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env)
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)
        idx, _ = self.model.neighbours(np.where(missing[:, None], 0.0, X))
        found = np.asarray(self.ids, dtype=object)[idx]
        found[missing] = None
        for name, r in self.ranks:
            pred.extra[name] = found[:, r - 1]
        return pred
