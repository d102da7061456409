"""Online training on the real stack: a better candidate is published with its offsets and gate figures, a worse one refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import interchange
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.training import Trainer, TrainerOptions, send_training
from interchange.kafka.transport import producer

pytestmark = pytest.mark.integration


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})


def _versions(config, name: str) -> dict[int, interchange.kafka.modeltopic.Envelope]:
    follower = ModelFollower(config, names=[name])
    try:
        return {e.version: e for e in follower.read_to_end()}
    finally:
        follower.close()


def test_train_online_publishes_a_better_version_with_offsets_in_lineage(stack_config, model_name) -> None:
    X = _frame(500, 0)
    y = (X["a"] - X["b"] > 0).astype(int).to_numpy()
    live = interchange.convert(LogisticRegression().fit(X, 1 - y), "onnx", sample=X)  # v1 predicts the opposite class
    interchange.publish(live, name=model_name, config=stack_config)
    stream = _frame(600, 1)
    send_training(stack_config, model_name, stream, (stream["a"] - stream["b"] > 0).astype(int).to_numpy())
    prod = producer(stack_config)
    prod.produce(f"{model_name}-training", key=b"junk", value=b"not avro")  # offset 600: dead-lettered, never trained
    prod.flush(10)

    options = TrainerOptions(model=model_name, estimator="sgd-classifier", every=250, holdout_every=5, group=f"g-{model_name}")
    stats = Trainer(options, stack_config).run(max_events=601, idle_timeout=30)

    assert stats.published == [2] and stats.dead_lettered == 1
    (gate,) = stats.gates
    assert gate.passed and gate.live_version == 1 and gate.candidate > 0.9 > 0.1 > gate.live
    envelope = _versions(stack_config, model_name)[2]
    training = json.loads(envelope.lineage)["training"]
    trained_offsets = [o for o in range(600) if (o + 1) % 5 != 0][:250]  # every 5th event is held out
    assert training["offsets"] == {"0": [0, trained_offsets[-1]]}
    assert training["events_trained"] == 250 and training["estimator"] == "sgd-classifier"
    assert (
        training["gate"]["passed"] and training["gate"]["candidate"] == gate.candidate and training["gate"]["live"] == gate.live
    )
    assert envelope.format == "onnx" and json.loads(envelope.profile)["features"]["a"]["rows"] > 0
    served = interchange.load(envelope.to_document()).predict(stream.iloc[:100])
    assert float(np.mean(served["label"] == (stream["a"] - stream["b"] > 0).astype(int).to_numpy()[:100])) > 0.9


def test_train_online_refuses_a_worse_candidate(stack_config, model_name) -> None:
    X = _frame(3000, 2)
    xor = lambda f: (f["a"] * f["b"] > 0).astype(int).to_numpy()  # noqa: E731  (a linear learner cannot fit it)
    live = interchange.convert(DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, xor(X)), "onnx", sample=X)
    interchange.publish(live, name=model_name, config=stack_config)
    stream = _frame(400, 3)
    send_training(stack_config, model_name, stream, xor(stream))

    options = TrainerOptions(model=model_name, estimator="sgd-classifier", every=100, holdout_every=4, group=f"g-{model_name}")
    stats = Trainer(options, stack_config).run(max_events=400, idle_timeout=30)

    assert stats.published == [] and len(stats.gates) == 3  # after 100, 200 and 300 trained events
    for gate in stats.gates:
        assert not gate.passed and gate.live_version == 1 and gate.candidate < gate.live
    assert sorted(_versions(stack_config, model_name)) == [1]


def test_train_online_offers_a_candidate_every_t_seconds(stack_config, model_name) -> None:
    X = _frame(500, 4)
    y = (X["a"] + X["c"] > 0).astype(int).to_numpy()
    interchange.publish(
        interchange.convert(LogisticRegression().fit(X, 1 - y), "pmml", sample=X), name=model_name, config=stack_config
    )
    stream = _frame(300, 5)
    send_training(stack_config, model_name, stream, (stream["a"] + stream["c"] > 0).astype(int).to_numpy())

    options = TrainerOptions(model=model_name, estimator="sgd-classifier", every=10**6, seconds=1.0, group=f"g-{model_name}")
    stats = Trainer(options, stack_config).run(idle_timeout=4)

    assert stats.published == [2] and stats.trained == 240 and stats.held_out == 60
    assert _versions(stack_config, model_name)[2].format == "pmml"  # the live version's format by default
