"""The sink on the real stack: kill -9 at random moments while it writes, and every offset lands once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.transport import ensure_topics, producer
from interchange.resources import avro_schema

pytestmark = pytest.mark.integration

PARTITIONS = 3


def _sink(topic: str, to: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "interchange.cli", "sink", "--topic", topic, "--to", str(to), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())


def _metric(i: int) -> dict:
    return {
        "source": "test",
        "model": "m",
        "version": i % 3 or None,
        "name": "events_in",
        "value": float(i),
        "window_s": None,
        "labels": {"i": str(i)},
        "at": 1_700_000_000_000 + i,
    }


class Feeder:
    """Produces metric events (and every 97th a garbage one) on a thread until stopped."""

    def __init__(self, config, topic: str) -> None:
        registry = Registry(config)
        schema = avro_schema("metric")
        self.codec = AvroCodec(schema, registry.register(f"{topic}-value", schema), registry.schema)
        self.producer = producer(config)
        self.topic = topic
        self.sent = 0
        self.garbage = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for _ in range(100):
                i = self.sent
                value = b"not avro" if i % 97 == 0 else self.codec.encode(_metric(i))
                self.garbage += i % 97 == 0
                self.producer.produce(self.topic, key=str(i).encode(), value=value)
                self.sent += 1
            self.producer.poll(0)
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(10)
        assert self.producer.flush(30) == 0


def _end_offsets(config, topic: str) -> dict[int, int]:
    from confluent_kafka import TopicPartition

    from interchange.kafka.transport import consumer

    c = consumer(config, "end-offsets")
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(PARTITIONS)}
    finally:
        c.close()


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(stack_config, model_name, tmp_path) -> None:
    topic = f"{model_name}-metrics"
    ensure_topics(stack_config, {topic: {"partitions": PARTITIONS}})
    feeder = Feeder(stack_config, topic)
    feeder.thread.start()
    rng = random.Random(13)
    lake = tmp_path / "lake"
    kills, removed = 0, 0
    try:
        time.sleep(1.0)
        for _ in range(5):
            before = len(list(lake.rglob("part-*.parquet")))
            proc = _sink(topic, lake, "--flush-events", "150", "--flush-seconds", "0.3")
            deadline = time.monotonic() + 60  # start-up takes 1-2 s, more on a busy machine
            while len(list(lake.rglob("part-*.parquet"))) == before and time.monotonic() < deadline:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.5))  # it is now committing a file every few milliseconds
            assert proc.poll() is None, proc.stderr.read().decode()
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills += 1
            removed += proc.stderr.read().decode().count("half-written")
    finally:
        feeder.stop()
    final = _sink(topic, lake, "--flush-events", "500", "--flush-seconds", "0.5", "--idle-timeout", "3")
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()

    ends = _end_offsets(stack_config, topic)
    assert sum(ends.values()) == feeder.sent
    root = lake / f"topic={topic}"
    good = ds.dataset(root, partitioning="hive").to_table(columns=["_partition", "_offset", "value"]).to_pylist()
    bad = ds.dataset(root / "_errors", partitioning="hive").to_table(columns=["_partition", "_offset", "_reason"]).to_pylist()
    seen = [(r["_partition"], r["_offset"]) for r in good + bad]
    assert len(seen) == len(set(seen)), "an offset landed twice"
    assert set(seen) == {(p, o) for p, end in ends.items() for o in range(end)}, "an offset is missing"
    assert len(bad) == feeder.garbage and all("magic byte" in r["_reason"] for r in bad)
    assert sorted(r["value"] for r in good) == [float(i) for i in range(feeder.sent) if i % 97]
    assert not list(root.rglob("*.tmp"))
    removed += err.decode().count("half-written")
    files = len(list(root.rglob("part-*.parquet")))
    print(f"{feeder.sent} events, {kills} kills, {files} files, {removed} restarts found a half-written file")
