"""Incremental learners the converters take, fitted with ``partial_fit``.

Each learner is a scikit-learn estimator with ``partial_fit`` behind a StandardScaler that is
itself fitted online (``partial_fit``), except MultinomialNB, which needs the raw
non-negative counts. ``estimator()`` hands out a fitted Pipeline copy to convert, so the
learner can go on learning while a candidate is converted and published.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ConfigError, RecordError

__all__ = ["ESTIMATORS", "OnlineLearner", "Kind"]


@dataclass(frozen=True)
class Kind:
    task: str  # classification | regression | clustering
    scaled: bool
    non_negative: bool = False


ESTIMATORS: dict[str, Kind] = {
    "sgd-classifier": Kind("classification", True),
    "sgd-regressor": Kind("regression", True),
    "multinomial-nb": Kind("classification", False, non_negative=True),
    "minibatch-kmeans": Kind("clustering", True),
}


def _make(name: str, random_state: int, clusters: int) -> Any:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.naive_bayes import MultinomialNB

    if name == "sgd-classifier":
        return SGDClassifier(loss="log_loss", random_state=random_state)
    if name == "sgd-regressor":
        return SGDRegressor(random_state=random_state)
    if name == "multinomial-nb":
        return MultinomialNB()
    return MiniBatchKMeans(n_clusters=clusters, random_state=random_state, n_init=1)


class OnlineLearner:
    """One incremental estimator (and its online scaler) over named numeric features.

    Example::

        learner = OnlineLearner("sgd-classifier", ["a", "b"], classes=[0, 1])
        learner.partial_fit(X, y)
        pipeline = learner.estimator()
    """

    def __init__(
        self,
        name: str,
        features: Sequence[str],
        *,
        classes: Sequence[Any] | None = None,
        random_state: int = 0,
        clusters: int = 8,
    ) -> None:
        if name not in ESTIMATORS:
            raise ConfigError(f"unknown estimator {name!r}; choose one of {', '.join(ESTIMATORS)}", key="estimator")
        from sklearn.preprocessing import StandardScaler

        self.name = name
        self.kind = ESTIMATORS[name]
        self.features = list(features)
        self.classes = None if classes is None else list(classes)
        self.scaler = StandardScaler() if self.kind.scaled else None
        self.model = _make(name, random_state, clusters)
        self.clusters = clusters
        self.seen = 0

    @property
    def task(self) -> str:
        return self.kind.task

    def check(self, row: np.ndarray, target: Any) -> None:
        """RecordError when one event cannot train this learner (missing value, bad target)."""
        if not np.isfinite(row).all():
            bad = self.features[int(np.argmin(np.isfinite(row)))]
            raise RecordError(f"feature {bad!r} is missing or not finite; the online learner needs every feature", field=bad)
        if self.kind.non_negative and (row < 0).any():
            bad = self.features[int(np.argmax(row < 0))]
            raise RecordError(f"feature {bad!r} is negative; {self.name} takes counts (>= 0)", field=bad)
        if self.task != "clustering" and target is None:
            raise RecordError("training event has no target (label / value)", field="label")
        if self.task == "classification" and self.classes is not None and target not in self.classes:
            raise RecordError(f"label {target!r} is not one of the learner's classes {self.classes}", field="label")
        if self.task == "regression" and not np.isfinite(float(target)):
            raise RecordError("training value is not finite", field="value")

    def partial_fit(self, X: np.ndarray, y: np.ndarray | None = None) -> None:
        if not len(X):
            return
        if self.scaler is not None:
            self.scaler.partial_fit(X)
            X = self.scaler.transform(X)
        if self.task == "classification":
            if self.classes is None:
                self.classes = sorted(set(np.asarray(y).tolist()))
            self.model.partial_fit(X, y, classes=np.asarray(self.classes))
        elif self.task == "regression":
            self.model.partial_fit(X, np.asarray(y, dtype=np.float64))
        else:
            if self.seen == 0 and len(X) < self.clusters:
                raise RecordError(f"the first batch needs at least {self.clusters} events for {self.clusters} clusters")
            self.model.partial_fit(X)
        self.seen += len(X)

    def estimator(self) -> Any:
        """A fitted Pipeline copy (scaler, estimator) to convert; ConfigError before any event was learnt."""
        from sklearn.pipeline import Pipeline

        if not self.seen:
            raise ConfigError("the learner has not seen any training event yet", key="estimator")
        steps = [("scaler", copy.deepcopy(self.scaler))] if self.scaler is not None else []
        return Pipeline([*steps, ("model", copy.deepcopy(self.model))])
