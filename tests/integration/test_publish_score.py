"""Publish, score, dead-letter and hot-swap on the real local Kafka + Schema Registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.errors import SchemaError
from interchange.kafka.events import read_predictions, send_features
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.registry import Registry
from interchange.kafka.transport import producer
from tests.integration.scoring import Running, dead_letters, iris, wait

pytestmark = pytest.mark.integration


def test_publish_registers_subjects_and_envelope(stack_config, model_name) -> None:
    X, y = iris()
    converted = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    first = interchange.publish(converted, name=model_name, config=stack_config)
    second = interchange.publish(converted, name=model_name, config=stack_config)
    assert (first.version, second.version) == (1, 2)
    registry = Registry(stack_config)
    assert registry.latest(f"{model_name}-input") == converted.signature.input_schema(model_name)
    assert registry.latest(f"{model_name}-output") == converted.signature.output_schema(model_name)
    follower = ModelFollower(stack_config, names=[model_name])
    envelopes = follower.read_to_end()
    follower.close()
    assert [e.version for e in envelopes] == [1, 2]
    assert envelopes[-1].to_document().data == converted.document.data
    assert envelopes[-1].model_signature() == converted.signature


def test_incompatible_input_schema_is_refused_naming_the_field(stack_config, model_name) -> None:
    from interchange.signature import InputField, Signature

    X, y = iris()
    converted = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    interchange.publish(converted, name=model_name, config=stack_config)
    sig = converted.signature
    # A new required (non-nullable) input field breaks BACKWARD: old events lack it.
    breaking = Signature(sig.inputs + (InputField("weight", nullable=False),), sig.outputs, sig.classes, sig.task)
    registry = Registry(stack_config)
    with pytest.raises(SchemaError) as err:
        registry.register(f"{model_name}-input", breaking.input_schema(model_name))
    assert err.value.field == "weight"
    assert "BACKWARD" in err.value.message


def test_score_dead_letter_and_hot_swap(stack_config, model_name) -> None:
    X, y = iris()
    first = LogisticRegression(max_iter=500).fit(X, y)
    interchange.publish(interchange.convert(first, "onnx", sample=X), name=model_name, config=stack_config)
    rows = X.iloc[:120].reset_index(drop=True)
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1)
        send_features(stack_config, model_name, rows, keys=[f"a{i}" for i in range(len(rows))])
        # Bad events: not Confluent-framed, unknown schema id, truncated Avro.
        prod = producer(stack_config)
        for bad in (b"plain text", b"\x00\x7f\xff\xff\xff\x00", b"\x00" + b"\x00\x00\x00\x01"[:4] + b"\x02"):
            prod.produce(f"{model_name}-features", key=b"bad", value=bad)
        prod.flush(10)
        wait(lambda: scorer.stats.scored >= len(rows) and scorer.stats.dead_lettered >= 3)

        # A second version replaces the first without a restart.
        second = LogisticRegression(max_iter=500, C=0.05).fit(X, y)
        interchange.publish(interchange.convert(second, "onnx", sample=X), name=model_name, config=stack_config)
        wait(lambda: scorer.stats.version == 2)
        send_features(stack_config, model_name, rows, keys=[f"b{i}" for i in range(len(rows))])
        wait(lambda: scorer.stats.scored >= 2 * len(rows))

    preds = read_predictions(stack_config, model_name, 2 * len(rows))
    by_version = {1: {}, 2: {}}
    for key, rec in preds:
        by_version[rec["model"]["version"]][key.decode()] = rec
    assert len(by_version[1]) == len(rows) and len(by_version[2]) == len(rows)
    for version, est, prefix in ((1, first, "a"), (2, second, "b")):
        got = np.array([[by_version[version][f"{prefix}{i}"][f"probability_{c}"] for c in range(3)] for i in range(len(rows))])
        np.testing.assert_allclose(got, est.predict_proba(rows), rtol=1e-9, atol=1e-12)
        labels = [by_version[version][f"{prefix}{i}"]["label"] for i in range(len(rows))]
        assert labels == est.predict(rows).tolist()

    dead = dead_letters(stack_config, f"{model_name}-dlq", 3)
    assert len(dead) == 3
    assert {d["value"] for d in dead} == {b"plain text", b"\x00\x7f\xff\xff\xff\x00", b"\x00\x00\x00\x00\x01\x02"}
    assert all(d["reason"] and d["error"] == "RecordError" and d["model_version"] == 1 for d in dead)


def test_bad_model_version_is_refused_and_previous_keeps_serving(stack_config, model_name) -> None:
    from dataclasses import replace

    X, y = iris()
    est = LogisticRegression(max_iter=500).fit(X, y)
    good = interchange.convert(est, "onnx", sample=X)
    interchange.publish(good, name=model_name, config=stack_config)
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1)
        # Version 2's verification cases disagree with its document: the scorer must refuse it.
        other = interchange.convert(LogisticRegression(max_iter=500, C=0.01).fit(X, y), "onnx", sample=X)
        lying = replace(good, document=other.document, _model=None)
        from interchange.kafka.modeltopic.publish import publish as raw_publish

        with pytest.raises(interchange.VerificationError):
            raw_publish(lying, name=model_name, config=stack_config)  # publish-time check refuses it too
        _publish_unchecked(lying, model_name, stack_config)
        wait(lambda: len(scorer.stats.refused) >= 1)
        send_features(stack_config, model_name, X.iloc[:20], keys=[f"c{i}" for i in range(20)])
        wait(lambda: scorer.stats.scored >= 20)
        assert scorer.stats.version == 1
    preds = read_predictions(stack_config, model_name, 20)
    assert {rec["model"]["version"] for _, rec in preds} == {1}


def _publish_unchecked(converted, name, config) -> None:
    """Publish skipping the publish-time verification, as a faulty or hostile publisher could."""
    from unittest import mock

    with mock.patch.object(type(converted.verification), "check", lambda *a, **k: None):
        interchange.publish(converted, name=name, config=config)


def test_large_document_travels_in_chunks_and_signed_versions(stack_config, model_name, monkeypatch, tmp_path) -> None:
    from sklearn.ensemble import RandomForestRegressor

    from interchange.kafka.modeltopic import write_keypair
    from interchange.kafka.modeltopic.envelope import CHUNK_BYTES

    X, y = iris()
    # 1,500 trees: the double-precision IR writer packs a tree in about 1 kB (skl2onnx took twice that)
    forest = RandomForestRegressor(n_estimators=1500, random_state=0).fit(X, X["petal_width"] * 3 + y)
    converted = interchange.convert(forest, "onnx", sample=X)
    assert converted.document.size > 2 * CHUNK_BYTES
    private, public = write_keypair(tmp_path / "k1")
    _, other_public = write_keypair(tmp_path / "k2")
    monkeypatch.setenv("INTERCHANGE_SIGNING_KEY", str(private))
    interchange.publish(converted, name=model_name, config=stack_config)
    follower = ModelFollower(stack_config, names=[model_name])
    (envelope,) = follower.read_to_end()
    follower.close()
    assert envelope.chunks == -(-converted.document.size // CHUNK_BYTES)
    assert envelope.to_document().data == converted.document.data
    envelope.check_signature(str(public))
    with pytest.raises(interchange.ModelError, match="signed with a different key"):
        envelope.check_signature(str(other_public))


@pytest.mark.parametrize("fmt", ["pmml", "pfa"])
def test_unknown_category_is_dead_lettered_with_its_reason(stack_config, model_name, fmt) -> None:
    """scikit-learn's default OneHotEncoder rejects unknown categories; so does the scorer."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X = pd.DataFrame({"size": np.linspace(0, 1, 60), "colour": ["red", "green", "blue"] * 20})
    y = (X["colour"] == "red").astype(int).to_numpy()
    route = ColumnTransformer([("num", "passthrough", ["size"]), ("cat", OneHotEncoder(), ["colour"])])
    estimator = make_pipeline(route, LogisticRegression(max_iter=300)).fit(X, y)
    interchange.publish(interchange.convert(estimator, fmt, sample=X), name=model_name, config=stack_config)
    rows = pd.DataFrame({"size": [0.1, 0.5, 0.9], "colour": ["red", "purple", "blue"]})
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1)
        send_features(stack_config, model_name, rows, keys=["k0", "k1", "k2"])
        wait(lambda: scorer.stats.scored >= 2 and scorer.stats.dead_lettered >= 1)
    preds = dict(read_predictions(stack_config, model_name, 2))
    assert sorted(preds) == [b"k0", b"k2"]
    assert [preds[k]["label"] for k in (b"k0", b"k2")] == estimator.predict(rows.iloc[[0, 2]]).tolist()
    dead = dead_letters(stack_config, f"{model_name}-dlq", 1)
    assert len(dead) == 1 and dead[0]["key"] == b"k1"
    assert ("no prediction" if fmt == "pmml" else "unknown category") in dead[0]["reason"]
