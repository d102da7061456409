"""Online learners convert after partial_fit; the gate compares candidate and live the right way round."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.errors import ConfigError, RecordError, UnsupportedModelError
from interchange.kafka.training.gate import judge, score
from interchange.kafka.training.learner import ESTIMATORS, OnlineLearner
from interchange.kafka.training.topic import training_schema


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 5, size=(n, 3))
    return X, (X[:, 0] > X[:, 1]).astype(int), X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=n)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("fmt", ["onnx", "pmml"])
def test_learner_converts_after_partial_fit(name: str, fmt: str) -> None:
    X, label, value = _data(600)
    learner = OnlineLearner(name, ["a", "b", "c"], clusters=3)
    target = {"classification": label, "regression": value, "clustering": None}[learner.task]
    for start in range(0, 600, 200):
        learner.partial_fit(X[start : start + 200], None if target is None else target[start : start + 200])
    pipeline = learner.estimator()
    learner.partial_fit(X[:50], None if target is None else target[:50])  # the handed-out copy does not move
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    if name == "multinomial-nb" and fmt != "onnx":  # no IR extractor for MultinomialNB: the error says so and names onnx
        with pytest.raises(UnsupportedModelError, match="formats that can take it: onnx"):
            interchange.convert(pipeline, fmt, sample=frame)
        return
    converted = interchange.convert(pipeline, fmt, sample=frame)
    assert converted.signature.task == learner.task
    assert converted.profile["features"]["a"]["rows"] == 600


def test_learner_rejects_bad_events_and_names() -> None:
    with pytest.raises(ConfigError, match="unknown estimator"):
        OnlineLearner("sgd", ["a"])
    nb = OnlineLearner("multinomial-nb", ["a", "b"], classes=[0, 1])
    with pytest.raises(RecordError, match="'b' is negative"):
        nb.check(np.array([1.0, -1.0]), 0)
    with pytest.raises(RecordError, match="not one of the learner's classes"):
        nb.check(np.array([1.0, 1.0]), 2)
    with pytest.raises(RecordError, match="'a' is missing"):
        nb.check(np.array([np.nan, 1.0]), 0)
    with pytest.raises(ConfigError, match="not seen any"):
        nb.estimator()
    with pytest.raises(ConfigError, match="'label'"):
        training_schema(pd.DataFrame({"a": [1.0]}), "m", "target")


class _Const:
    """A stand-in Model predicting one fixed column."""

    def __init__(self, **columns) -> None:
        self.columns = columns

    def predict(self, X):
        return {k: np.full(len(X), v) for k, v in self.columns.items()}


def test_gate_directions() -> None:
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    y = np.array([1, 1, 1, 0])
    good, bad = _Const(label=1), _Const(label=0)
    assert judge("classification", good, bad, X, y, live_version=3).passed
    refused = judge("classification", bad, good, X, y, live_version=3)
    assert not refused.passed and (refused.candidate, refused.live, refused.live_version) == (0.25, 0.75, 3)
    assert judge("classification", bad, good, X, y, live_version=3, margin=0.5).passed
    assert judge("classification", good, good, X, y, live_version=3).passed  # not worse = equal is enough
    assert judge("classification", bad, None, X, y, live_version=None).passed  # nothing live yet
    v = np.array([1.0, 1.0, 1.0, 1.0])
    assert judge("regression", _Const(prediction=1.1), _Const(prediction=2.0), X, v, live_version=1).passed
    assert not judge("regression", _Const(prediction=2.0), _Const(prediction=1.1), X, v, live_version=1).passed
    assert score("regression", _Const(prediction=3.0), X, v) == pytest.approx(2.0)


def test_gate_clustering_prefers_tighter_assignments() -> None:
    X = pd.DataFrame({"a": [0.0, 0.1, 10.0, 10.1]})

    class Split:
        def predict(self, frame):
            return {"cluster": (frame["a"].to_numpy() > 5).astype(int)}

    assert score("clustering", Split(), X, None) == pytest.approx(
        (0.05**2 * 4) / 4
    )  # four events, each 0.05 from its cluster mean
    assert judge("clustering", Split(), _Const(cluster=0), X, None, live_version=1).passed
    assert not judge("clustering", _Const(cluster=0), Split(), X, None, live_version=1).passed


def test_gate_scores_a_real_document() -> None:
    X, label, _ = _data(300)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = interchange.convert(LogisticRegression().fit(frame, label), "onnx", sample=frame).model
    expected = float(np.mean(LogisticRegression().fit(frame, label).predict(frame) == label))
    assert score("classification", model, frame, label) == pytest.approx(expected)
