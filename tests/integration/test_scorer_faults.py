"""The scorer under the faults an operations team would try: kill -9, outages, poison pills, scale-out.

Each test runs on the real local stack, bounded in time. Outages default to 60 s
(``INTERCHANGE_FAULT_OUTAGE_S`` shortens them for a quick local run).
"""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

from interchange.kafka import stack
from interchange.kafka.events import send_features
from interchange.kafka.registry import Registry
from interchange.kafka.registry.wire import frame
from interchange.kafka.transport import ensure_topics, producer
from tests.integration.scoring import Running, ScorerProcess, dead_letters, drain, iris, progress, publish_iris, wait

pytestmark = pytest.mark.integration

OUTAGE_S = float(os.environ.get("INTERCHANGE_FAULT_OUTAGE_S", "60"))


def _written(config, name: str) -> int:
    """How many predictions (committed or not) the topic holds now."""
    return len(drain(config, f"{name}-predictions", 0, timeout=3, committed=False, settle=0.5))


def _keys(messages) -> list[str]:
    return [m.key().decode() for m in messages]


def _feed(config, name: str, total: int, chunk: int, pause: float) -> threading.Thread:
    """Produce ``total`` iris feature events keyed e0.. in chunks, in the background."""
    X, _ = iris()
    rows = X.sample(n=total, replace=True, random_state=0).reset_index(drop=True)

    def run() -> None:
        for start in range(0, total, chunk):
            part = rows.iloc[start : start + chunk]
            send_features(config, name, part, keys=[f"e{i}" for i in range(start, start + len(part))])
            time.sleep(pause)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("guarantee", ["exactly-once", "at-least-once"])
def test_kill_9_mid_stream_loses_nothing(stack_config, model_name, tmp_path, guarantee) -> None:
    total = 3000
    publish_iris(stack_config, model_name)
    ensure_topics(stack_config, {f"{model_name}-features": {"partitions": 2}})
    feeder = _feed(stack_config, model_name, total, 100, 1.0)  # ~30 s of events
    rng = random.Random(7)
    args = ("--guarantee", guarantee, "--instance-id", "s1")
    seen = [0]
    for _ in range(4):
        proc = ScorerProcess(model_name, *args, log=tmp_path / "scorer.log")
        # kill once this scorer has written something (its start-up time varies with the machine's load)
        wait(lambda: _written(stack_config, model_name) > seen[-1], timeout=90, what="the scorer's first outputs")
        time.sleep(rng.uniform(0.2, 3.0))
        proc.kill()
        seen.append(_written(stack_config, model_name))
    assert any(0 < n < total for n in seen[1:]), f"the kills must land mid-stream (outputs seen after each kill: {seen})"
    feeder.join(120)
    proc = ScorerProcess(model_name, *args, log=tmp_path / "scorer.log")
    try:
        # the killed scorers may have committed everything already: then the drain is over before this one has
        # started, and a SIGTERM during its start-up ends it with the signal's default action (exit -15)
        wait(proc.healthy, timeout=90, what="the last scorer's start")
        out = drain(stack_config, f"{model_name}-predictions", total, timeout=180, committed=guarantee == "exactly-once")
    finally:
        assert proc.terminate() == 0, (tmp_path / "scorer.log").read_text()[-3000:]
    keys = _keys(out)
    assert set(keys) == {f"e{i}" for i in range(total)}, "every input has an output"
    if guarantee == "exactly-once":
        assert len(keys) == total, f"{len(keys) - total} duplicates under exactly-once"
    assert drain(stack_config, f"{model_name}-dlq", 0, timeout=5, settle=1.0) == []


def test_two_scorers_one_killed_every_input_scored_once(stack_config, model_name, tmp_path) -> None:
    total = 3000
    publish_iris(stack_config, model_name)
    ensure_topics(stack_config, {f"{model_name}-features": {"partitions": 4}})
    args = ("--guarantee", "exactly-once")
    first = ScorerProcess(model_name, *args, "--instance-id", "a", log=tmp_path / "a.log")
    second = ScorerProcess(model_name, *args, "--instance-id", "b", log=tmp_path / "b.log")
    try:
        feeder = _feed(stack_config, model_name, total, 200, 0.4)
        time.sleep(6)
        first.kill()  # its partitions move to the other member after the session timeout (10 s)
        feeder.join(120)
        out = drain(stack_config, f"{model_name}-predictions", total, timeout=180)
    finally:
        assert second.terminate() == 0, (tmp_path / "b.log").read_text()[-3000:]
    keys = _keys(out)
    assert len(keys) == total and set(keys) == {f"e{i}" for i in range(total)}


def test_sigterm_finishes_the_batch_and_exits(stack_config, model_name, tmp_path) -> None:
    publish_iris(stack_config, model_name)
    feeder = _feed(stack_config, model_name, 2000, 500, 0.2)
    proc = ScorerProcess(model_name, "--guarantee", "exactly-once", log=tmp_path / "s.log")
    time.sleep(8)
    started = time.monotonic()
    assert proc.terminate(timeout=30) == 0
    assert time.monotonic() - started < 30
    feeder.join(60)
    # whatever was committed is whole: a restarted scorer completes the stream exactly once
    proc = ScorerProcess(model_name, "--guarantee", "exactly-once", log=tmp_path / "s.log")
    try:
        out = drain(stack_config, f"{model_name}-predictions", 2000, timeout=120)
    finally:
        proc.terminate()
    assert sorted(_keys(out)) == sorted(f"e{i}" for i in range(2000))


def test_broker_down_for_a_minute_is_waited_out(stack_config, model_name) -> None:
    publish_iris(stack_config, model_name)
    X, _ = iris()
    runner = Running(stack_config, model_name, guarantee="exactly-once")
    with runner as scorer:
        wait(lambda: scorer.stats.version == 1, what="v1 live")
        send_features(stack_config, model_name, X, keys=[f"a{i}" for i in range(len(X))])
        wait(lambda: scorer.stats.scored >= len(X), what="first events scored")
        # events written just before the outage are in the log while the broker is away
        send_features(stack_config, model_name, X, keys=[f"b{i}" for i in range(len(X))])
        stack.kill("kafka")
        try:
            wait(lambda: not scorer.stats.healthy, timeout=OUTAGE_S, what="the scorer reporting unhealthy")
            time.sleep(max(0.0, OUTAGE_S - 10))
            assert runner.thread.is_alive(), "the scorer must not end while the broker is away"
        finally:
            stack.start_service("kafka")
        send_features(stack_config, model_name, X, keys=[f"c{i}" for i in range(len(X))])
        wait(lambda: scorer.stats.scored >= 3 * len(X), 180, "every event scored after the outage", lambda: progress(scorer))
        assert scorer.stats.healthy
    out = drain(stack_config, f"{model_name}-predictions", 3 * len(X))
    assert sorted(_keys(out)) == sorted(f"{p}{i}" for p in "abc" for i in range(len(X)))
    assert scorer.stats.dead_lettered == 0


def test_registry_down_no_good_event_dead_lettered(stack_config, model_name, tmp_path) -> None:
    """Events naming a schema id the scorer has not cached yet wait for the registry to come back;
    a scorer started while the registry is down begins when it is up."""
    from interchange.signature import InputField

    publish_iris(stack_config, model_name)
    X, _ = iris()
    registry = Registry(stack_config)
    latest = registry.latest(f"{model_name}-input")
    # a second, compatible version of the input schema: producers may use it, the scorer has never seen its id
    evolved = {**latest, "fields": latest["fields"] + [InputField("note", "string").avro()]}
    evolved_id = registry.register(f"{model_name}-input", evolved)
    from interchange.kafka.registry import AvroCodec

    codec = AvroCodec(evolved, evolved_id, registry.schema)
    stack.kill("registry")
    try:
        proc = ScorerProcess(model_name, "--guarantee", "exactly-once", log=tmp_path / "s.log")
        prod = producer(stack_config)
        for i, row in enumerate(X.to_dict("records")):
            prod.produce(f"{model_name}-features", key=f"r{i}".encode(), value=codec.encode({**row, "note": "x"}))
        prod.flush(30)
        time.sleep(OUTAGE_S)  # a minute by default: the scorer waits it out
        assert proc.proc.poll() is None, "the scorer must not exit while the registry is down"
    finally:
        stack.start_service("registry")
    try:
        out = drain(stack_config, f"{model_name}-predictions", len(X), timeout=120)
    finally:
        assert proc.terminate() == 0
    assert sorted(_keys(out)) == sorted(f"r{i}" for i in range(len(X)))
    assert drain(stack_config, f"{model_name}-dlq", 0, timeout=5, settle=1.0) == []


def test_one_megabyte_event_is_dead_lettered_and_the_rest_scored(stack_config, model_name) -> None:
    publish_iris(stack_config, model_name)
    X, _ = iris()
    registry = Registry(stack_config)
    schema_id = registry.client.get_latest_version(f"{model_name}-input").schema_id
    big = frame(schema_id, os.urandom(1_040_000))
    near = frame(schema_id, os.urandom(990_000))  # under the event limit: fails to decode, still too big to carry whole
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1, what="v1 live")
        send_features(stack_config, model_name, X.iloc[:50], keys=[f"a{i}" for i in range(50)])
        prod = producer(stack_config, **{"message.max.bytes": 1_048_576})
        prod.produce(f"{model_name}-features", key=b"big", value=big)
        prod.produce(f"{model_name}-features", key=b"near", value=near)
        prod.flush(30)
        send_features(stack_config, model_name, X.iloc[50:100], keys=[f"a{i}" for i in range(50, 100)])
        wait(lambda: scorer.stats.scored >= 100 and scorer.stats.dead_lettered >= 2, what="scored around the poison pill")
    dead = {d["key"]: d for d in dead_letters(stack_config, f"{model_name}-dlq", 2)}
    assert set(dead) == {b"big", b"near"}
    import hashlib

    for key, original in ((b"big", big), (b"near", near)):
        d = dead[key]
        assert d["truncated"] and d["value_size"] == len(original)
        assert d["value_sha256"] == hashlib.sha256(original).hexdigest() and original.startswith(d["value"])
    assert "limit" in dead[b"big"]["reason"]


def test_fuzzed_payloads_are_all_dead_lettered_nothing_lost(stack_config, model_name) -> None:
    publish_iris(stack_config, model_name)
    X, _ = iris()
    schema_id = Registry(stack_config).client.get_latest_version(f"{model_name}-input").schema_id
    rng = random.Random(11)
    from interchange.kafka.events import codec_for

    codec = codec_for(Registry(stack_config), f"{model_name}-input")
    sample = codec.encode(X.iloc[0].to_dict())
    payloads: dict[str, bytes | None] = {}
    for i in range(2000):
        kind = i % 4
        if kind == 0:
            payloads[f"f{i}"] = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
        elif kind == 1:  # framed with the model's schema id, random body
            payloads[f"f{i}"] = frame(schema_id, bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))))
        elif kind == 2:  # a real event cut short
            payloads[f"f{i}"] = sample[: rng.randint(0, len(sample) - 1)]
        else:  # a real event with bytes appended
            payloads[f"f{i}"] = sample + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
    payloads["tombstone"] = None
    with Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1, what="v1 live")
        prod = producer(stack_config)
        for key, value in payloads.items():
            prod.produce(f"{model_name}-features", key=key.encode(), value=value)
        prod.flush(30)
        send_features(stack_config, model_name, X, keys=[f"g{i}" for i in range(len(X))])
        wait(lambda: scorer.stats.scored + scorer.stats.dead_lettered >= len(payloads) + len(X), timeout=120, what="all seen")
    preds = {m.key().decode() for m in drain(stack_config, f"{model_name}-predictions", len(X), timeout=60)}
    dead = {
        d["key"].decode() for d in dead_letters(stack_config, f"{model_name}-dlq", len(payloads) - len(preds & set(payloads)))
    }
    assert {f"g{i}" for i in range(len(X))} <= preds, "every good event scored"
    assert set(payloads) <= dead | preds, "no fuzzed event lost"
    random_bytes = {k for k, v in payloads.items() if v is None or not v.startswith(b"\x00")}
    assert random_bytes <= dead


def test_scorer_started_while_kafka_is_down_begins_when_it_is_up(stack_config, model_name, tmp_path) -> None:
    """It neither exits nor ignores SIGTERM while the broker is away, and scores once it is back."""
    publish_iris(stack_config, model_name)
    X, _ = iris()
    send_features(stack_config, model_name, X, keys=[f"d{i}" for i in range(len(X))])
    stack.kill("kafka")
    try:
        waiting = ScorerProcess(model_name, log=tmp_path / "waiting.log")
        leaving = ScorerProcess(model_name, log=tmp_path / "leaving.log")
        time.sleep(min(OUTAGE_S, 20))
        assert waiting.proc.poll() is None, (tmp_path / "waiting.log").read_text()[-2000:]
        started = time.monotonic()
        assert leaving.terminate(timeout=30) == 0
        assert time.monotonic() - started < 30
    finally:
        stack.start_service("kafka")
    try:
        out = drain(stack_config, f"{model_name}-predictions", len(X), timeout=120)
    finally:
        assert waiting.terminate() == 0
    assert sorted(_keys(out)) == sorted(f"d{i}" for i in range(len(X)))
