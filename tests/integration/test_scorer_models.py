"""Which version a scorer serves: signed, corrupt, mis-verifying and run-time failing versions."""

from __future__ import annotations

from dataclasses import replace

import pytest

import interchange
from interchange.kafka.events import read_predictions, send_features
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.modeltopic.codec import topic_codecs
from interchange.kafka.modeltopic.envelope import DEFAULT_MODEL_TOPIC, envelope_key
from interchange.kafka.modeltopic.signing import write_keypair
from interchange.kafka.registry import Registry
from interchange.kafka.transport import producer
from tests.integration.scoring import Running, ScorerProcess, iris, wait

pytestmark = pytest.mark.integration


def _produce_envelope(config, envelope) -> None:
    """Put an envelope on the model topic as it is, bypassing publish's checks (a faulty publisher)."""
    codecs = topic_codecs(Registry(config), DEFAULT_MODEL_TOPIC)
    prod = producer(config)
    prod.produce(
        DEFAULT_MODEL_TOPIC, key=envelope_key(envelope.name, envelope.version), value=codecs.envelope.encode(envelope.to_record())
    )
    assert prod.flush(30) == 0


def _publish_unchecked(converted, name, config, **kwargs) -> None:
    from unittest import mock

    with mock.patch.object(type(converted.verification), "check", lambda *a, **k: None):
        interchange.publish(converted, name=name, config=config, **kwargs)


def test_only_versions_signed_with_the_key_go_live(stack_config, model_name, tmp_path) -> None:
    from sklearn.linear_model import LogisticRegression

    private, public = write_keypair(tmp_path / "ours")
    other, _ = write_keypair(tmp_path / "theirs")
    X, y = iris()
    good = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    interchange.publish(good, name=model_name, config=stack_config, signing_key=private)  # v1
    interchange.publish(good, name=model_name, config=stack_config)  # v2: unsigned
    interchange.publish(good, name=model_name, config=stack_config, signing_key=other)  # v3: someone else's key
    follower = ModelFollower(stack_config, names=[model_name])
    v1 = follower.read_to_end()[0]
    follower.close()
    corrupt = replace(v1, version=4, document=v1.document[:-1] + bytes([v1.document[-1] ^ 1]), publisher_signature=None)
    corrupt.sign(private)  # v4: signed, but its document bytes do not match its sha256
    _produce_envelope(stack_config, corrupt)
    other_doc = interchange.convert(LogisticRegression(C=0.01, max_iter=500).fit(X, y), "onnx", sample=X).document
    lying = replace(good, document=other_doc, _model=None)
    _publish_unchecked(lying, model_name, stack_config, signing_key=private)  # v5: signed, but fails its own cases

    log = tmp_path / "scorer.log"
    proc = ScorerProcess(model_name, "--verify-key", str(public), log=log)  # a freshly started scorer
    try:
        send_features(stack_config, model_name, X.iloc[:30], keys=[f"k{i}" for i in range(30)])
        preds = read_predictions(stack_config, model_name, 30, timeout=120)
    finally:
        assert proc.terminate() == 0
    assert len(preds) == 30 and {rec["model"]["version"] for _, rec in preds} == {1}
    text = log.read_text()
    for version, why in ((2, "unsigned"), (3, "key"), (4, "sha256"), (5, "")):
        assert f"refused {model_name} v{version}" in text and why in text, text[-4000:]


def test_a_version_failing_at_run_time_is_quarantined_and_the_previous_serves(stack_config, model_name) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = iris()
    first = LogisticRegression(max_iter=500).fit(X, y)
    interchange.publish(interchange.convert(first, "pmml", sample=X), name=model_name, config=stack_config)
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1, what="v1 live")
        second = LogisticRegression(max_iter=500, C=0.1).fit(X, y)
        interchange.publish(interchange.convert(second, "pmml", sample=X), name=model_name, config=stack_config)
        wait(lambda: scorer.stats.version == 2, what="v2 live")

        def broken(batch):  # e.g. an engine that lost its native library: no record is to blame
            raise RuntimeError("engine crashed")

        scorer.live.model.score = broken  # type: ignore[method-assign]
        send_features(stack_config, model_name, X, keys=[f"q{i}" for i in range(len(X))])
        wait(lambda: scorer.stats.scored >= len(X), what="the batch re-scored by v1")
        assert scorer.stats.version == 1 and scorer.stats.dead_lettered == 0
        assert any("v2 quarantined" in q and "engine crashed" in q for q in scorer.stats.quarantined)
    preds = read_predictions(stack_config, model_name, len(X))
    assert {rec["model"]["version"] for _, rec in preds} == {1}
    assert [rec["label"] for _, rec in sorted(preds, key=lambda p: int(p[0][1:]))] == first.predict(X).tolist()
