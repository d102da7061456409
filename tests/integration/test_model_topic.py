"""The model topic on the real stack: signed versions, name/version keys, retention, compaction."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from confluent_kafka import KafkaError
from confluent_kafka.admin import AdminClient, NewTopic
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from typer.testing import CliRunner

import interchange
from interchange.cli import app
from interchange.errors import ModelError, TransportError
from interchange.kafka.modeltopic import ModelFollower, publish, write_keypair
from interchange.kafka.modeltopic.codec import topic_codecs
from interchange.kafka.modeltopic.envelope import CHUNK_BYTES, envelope_key
from interchange.kafka.registry import Registry
from interchange.kafka.transport import consumer, producer

pytestmark = pytest.mark.integration


def _data(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    return X, X["a"] * 2 + X["b"] + rng.normal(size=300)


def _produce(config, topic: str, records: list[tuple[bytes, bytes | None]]) -> None:
    prod = producer(config)
    for key, value in records:
        prod.produce(topic, key=key, value=value)
    assert prod.flush(30) == 0


def _raw(config, topic: str, timeout: float = 30.0) -> list[tuple[bytes, bytes | None]]:
    """Every record now on the topic, in order (key, value), read without interpretation."""
    cons = consumer(config, f"raw-{time.monotonic_ns()}", **{"enable.partition.eof": True})
    cons.subscribe([topic])
    out, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = cons.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    return out
                continue
            out.append((msg.key(), msg.value()))
    finally:
        cons.close()
    raise AssertionError(f"could not read {topic} to its end in {timeout} s")


def _follow(config, topic: str, names: list[str]) -> ModelFollower:
    follower = ModelFollower(config, topic, names)
    follower.read_to_end(timeout=30)
    return follower


def test_signed_versions_verify_and_tampered_or_unsigned_ones_are_refused(stack_config, model_name, tmp_path) -> None:
    topic = f"{model_name}-models"
    private, public = write_keypair(tmp_path / "keys")
    X, y = _data()
    converted = interchange.convert(LinearRegression().fit(X, y), "onnx", sample=X.iloc[:20])
    done = publish(converted, name=model_name, config=stack_config, topic=topic, signing_key=private)
    assert done.signed and done.version == 1
    # the CLI path: a document file and --signing-key
    (tmp_path / "m.onnx").write_bytes(converted.document.data)
    env = {
        "INTERCHANGE_BOOTSTRAP_SERVERS": stack_config.bootstrap_servers,
        "INTERCHANGE_SCHEMA_REGISTRY_URL": stack_config.registry_url,
    }
    args = ["publish", str(tmp_path / "m.onnx"), "-n", model_name, "--topic", topic, "--signing-key", str(private)]
    cli = CliRunner().invoke(app, args, env=env)
    assert cli.exit_code == 0, cli.output
    publish(converted, name=model_name, config=stack_config, topic=topic)  # v3 unsigned
    follower = _follow(stack_config, topic, [model_name])
    v1, v2, v3 = (follower.versions(model_name)[v] for v in (1, 2, 3))
    v1.check_signature(str(public))
    v2.check_signature(public.read_bytes())
    with pytest.raises(ModelError, match="is unsigned"):
        v3.check_signature(str(public))

    # a hostile writer re-points v1's output schema and republishes it as v4 under the old signature
    codecs = topic_codecs(Registry(stack_config), topic)
    forged = replace(v1, version=4, output_schema_id=v1.input_schema_id)
    _produce(stack_config, topic, [(envelope_key(model_name, 4), codecs.envelope.encode(forged.to_record()))])
    (v4,) = follower.read_to_end(timeout=30)
    with pytest.raises(ModelError, match="changed after signing: output_schema_id, version differ"):
        v4.check_signature(str(public))
    follower.close()


def test_publish_withdraws_old_versions_and_a_live_follower_reports_them(stack_config, model_name) -> None:
    topic = f"{model_name}-models"
    X, y = _data()
    converted = interchange.convert(LinearRegression().fit(X, y), "onnx", sample=X.iloc[:20])
    publish(converted, name=model_name, config=stack_config, topic=topic)
    publish(converted, name=model_name, config=stack_config, topic=topic)
    follower = _follow(stack_config, topic, [model_name])
    assert list(follower.versions(model_name)) == [2, 1]
    done = publish(converted, name=model_name, config=stack_config, topic=topic, keep_versions=1)
    assert done.version == 3 and done.retired == [1, 2]
    seen, deadline = [], time.monotonic() + 20
    while len(follower.withdrawn) < 2 and time.monotonic() < deadline:
        seen += follower.poll(0.5)
    assert [e.version for e in seen] == [3]
    assert sorted(follower.withdrawn) == [(model_name, 1), (model_name, 2)]
    assert list(follower.versions(model_name)) == [3]
    # withdrawn numbers are never reused, even with keep_versions=1 from now on
    assert publish(converted, name=model_name, config=stack_config, topic=topic, keep_versions=1).version == 4
    follower.close()
    # a read_to_end that cannot finish in time says so, naming the topic and the partition
    slow = ModelFollower(stack_config, topic, [model_name])
    with pytest.raises(TransportError, match=f"timed out after 0 s reading model topic {topic} \\(partition 0"):
        slow.read_to_end(timeout=0)
    slow.close()


def test_concurrent_publishes_of_one_model_take_distinct_versions(stack_config, model_name) -> None:
    """Four publishers at once: each gets its own number and every document stays on the topic."""
    topic = f"{model_name}-models"
    X, y = _data()
    docs = [interchange.convert(LinearRegression().fit(X, y + i), "onnx", sample=X.iloc[:20]) for i in range(4)]
    start = threading.Barrier(len(docs))

    def one(converted):
        start.wait()
        return publish(converted, name=model_name, config=stack_config, topic=topic)

    with ThreadPoolExecutor(len(docs)) as pool:
        done = list(pool.map(one, docs))
    assert sorted(d.version for d in done) == [1, 2, 3, 4]
    follower = _follow(stack_config, topic, [model_name])
    by_version = {v: env.sha256 for v, env in follower.versions(model_name).items()}
    follower.close()
    assert by_version == {d.version: d.sha256 for d in done}
    assert len(set(by_version.values())) == 4


def test_envelopes_keyed_by_name_alone_are_still_read_and_retired(stack_config, model_name) -> None:
    topic = f"{model_name}-models"
    X, y = _data()
    converted = interchange.convert(LinearRegression().fit(X, y), "onnx", sample=X.iloc[:20])
    publish(converted, name=model_name, config=stack_config, topic=topic)
    follower = _follow(stack_config, topic, [model_name])
    v1 = follower.versions(model_name)[1]
    follower.close()
    codecs = topic_codecs(Registry(stack_config), topic)
    old = replace(v1, version=2)  # as the publisher before name/version keys wrote it: keyed by the name
    _produce(stack_config, topic, [(model_name.encode(), codecs.envelope.encode(old.to_record()))])
    follower = _follow(stack_config, topic, [model_name])
    assert list(follower.versions(model_name)) == [2, 1]
    follower.close()
    done = publish(converted, name=model_name, config=stack_config, topic=topic, keep_versions=1)
    assert (done.version, done.retired) == (3, [1, 2])
    keys = [(k, v is None) for k, v in _raw(stack_config, topic)]
    assert (model_name.encode(), True) in keys  # the bare-name key got its tombstone too
    follower = _follow(stack_config, topic, [model_name])
    assert list(follower.versions(model_name)) == [3]
    follower.close()


def _compacting_topic(config, topic: str) -> None:
    admin = AdminClient(dict(config.kafka))
    conf = {
        "cleanup.policy": "compact",
        "segment.ms": "1000",
        "segment.bytes": str(1024 * 1024),
        "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0",
        "max.compaction.lag.ms": "2000",
        "delete.retention.ms": "100",
    }
    (future,) = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, config=conf)]).values()
    future.result(30)


def test_versions_outlive_compaction_and_retired_chunks_are_cleaned(stack_config, model_name) -> None:
    """Compaction really runs; every version of a model survives it, retired versions' records do not."""
    topic, big = f"{model_name}-models", f"{model_name}b"
    _compacting_topic(stack_config, topic)
    X, y = _data()
    v1 = interchange.convert(LinearRegression().fit(X, y), "onnx", sample=X.iloc[:20])
    v2 = interchange.convert(LinearRegression().fit(X, y * 2), "onnx", sample=X.iloc[:20])
    publish(v1, name=model_name, config=stack_config, topic=topic)
    publish(v2, name=model_name, config=stack_config, topic=topic)
    # v3: a faulty publisher's envelope whose sha256 does not match its document
    follower = _follow(stack_config, topic, [model_name])
    bad = replace(follower.versions(model_name)[2], version=3, sha256="0" * 64)
    follower.close()
    codecs = topic_codecs(Registry(stack_config), topic)
    _produce(stack_config, topic, [(envelope_key(model_name, 3), codecs.envelope.encode(bad.to_record()))])

    forest = RandomForestRegressor(n_estimators=200, max_depth=4, random_state=0).fit(X, y)
    chunked = interchange.convert(forest, "pmml", sample=X.iloc[:20])
    assert chunked.document.size > 2 * CHUNK_BYTES
    done = [publish(chunked, name=big, config=stack_config, topic=topic, keep_versions=2) for _ in range(4)]
    assert [(d.version, d.retired) for d in done] == [(1, []), (2, []), (3, [1]), (4, [2])]

    chunks = -(-chunked.document.size // CHUNK_BYTES)
    retired = {f"{big}/{v}".encode() for v in (1, 2)} | {f"{big}/{v}/{i}".encode() for v in (1, 2) for i in range(chunks)}
    first = _raw(stack_config, topic)
    assert {k for k, _ in first} >= {f"{big}/2".encode()}  # v2's just-written tombstone: the keys are the topic's keys
    before = len(first)  # the cleaner may already be at work: for the figure only
    start = time.monotonic()
    deadline, records = start + 60, []
    while time.monotonic() < deadline:
        time.sleep(2)
        _produce(stack_config, topic, [(b"filler", None)])  # rolls the active segment so the cleaner can take it
        records = _raw(stack_config, topic)
        if not any(k in retired and v is not None for k, v in records):
            break
    alive = [k for k, v in records if k in retired and v is not None]
    assert not alive, f"the log cleaner did not remove retired records within 60 s: {alive}"
    print(f"log cleaner: {before} -> {len(records)} records in {time.monotonic() - start:.1f} s")

    follower = _follow(stack_config, topic, [model_name, big])
    assert list(follower.versions(model_name)) == [3, 2, 1]
    assert list(follower.versions(big)) == [4, 3]
    assert follower.highest_version(big) == 4
    # what a scorer does: newest version that passes its checks
    serving = None
    for env in follower.versions(model_name).values():
        try:
            env.model_verification().check(interchange.load(env.to_document()), env.model_signature())
        except ModelError:
            continue
        serving = env
        break
    assert serving is not None and serving.version == 2
    assert follower.versions(big)[4].to_document().data == chunked.document.data
    assert not follower.errors
    follower.close()
    # a new version after compaction continues the numbering
    assert publish(chunked, name=big, config=stack_config, topic=topic, keep_versions=2).version == 5
