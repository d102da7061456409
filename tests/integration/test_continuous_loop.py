"""The whole loop on the real stack: examples/continuous_loop.py --quick, then every step checked from Kafka and Parquet.

The example runs as a script (as a user would run it); the test then reads back on its own what
each step left behind: the alerts on ``interchange-alerts``, v2's envelope and lineage on the model
topic, the predictions (version and lineage header per event), and the sink's Parquet against the
feature topic's offsets.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from confluent_kafka import TopicPartition

from interchange.kafka.events import codec_for
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.monitor import ALERTS_TOPIC
from interchange.kafka.registry import Registry, output_subject
from interchange.kafka.transport import consumer

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "continuous_loop.py"


def _read_all(config, topic: str) -> list:
    """Every message of ``topic`` up to its current end, in partition and offset order."""
    cons = consumer(config, "loop-test-reader")
    try:
        partitions = sorted(cons.list_topics(topic, timeout=10).topics[topic].partitions)
        out = []
        for p in partitions:
            low, high = cons.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high <= low:
                continue
            cons.assign([TopicPartition(topic, p, low)])
            while True:
                batch = [m for m in cons.consume(1000, 1.0) if not m.error()]
                out.extend(batch)
                if not batch or batch[-1].offset() >= high - 1:
                    break
        return out
    finally:
        cons.close()


def test_continuous_loop_quick(stack_config, model_name, tmp_path) -> None:
    report_file = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--quick", "--name", model_name, "--json", str(report_file), "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(report_file.read_text())
    assert report["ok"] and report["model"] == model_name
    steps = [s["step"] for s in report["steps"]]
    for step in ("publish", "baseline", "drift", "alert input-drift", "alert accuracy-low", "online training", "hot swap"):
        assert step in steps, steps
    assert steps.index("alert accuracy-low") < steps.index("alert resolved") < steps.index("sink")

    # The alerts, read back from the alerts topic: both rules fired after the drift; accuracy resolved after.
    codec = codec_for(Registry(stack_config), f"{ALERTS_TOPIC}-value")
    alerts = [codec.decode(m.value()) for m in _read_all(stack_config, ALERTS_TOPIC)]
    ours = [(a["rule"], a["state"]) for a in alerts if a["model"] == model_name]
    assert ("input-drift", "FIRING") in ours
    fired, resolved = ours.index(("accuracy-low", "FIRING")), ours.index(("accuracy-low", "RESOLVED"))
    assert fired < resolved
    (message,) = [a["message"] for a in alerts if a["model"] == model_name and (a["rule"], a["state"]) == ours[resolved]]
    assert "accuracy-low RESOLVED: accuracy" in message and "no longer < 0.8" in message

    # v2 on the model topic: trained online from the training topic's offsets, through a gate it passed.
    follower = ModelFollower(stack_config, names=[model_name])
    try:
        versions = {e.version: e for e in follower.read_to_end()}
    finally:
        follower.close()
    assert 2 in versions
    training = json.loads(versions[2].lineage)["training"]
    training_events = len(_read_all(stack_config, f"{model_name}-training"))
    (first, last) = training["offsets"]["0"]
    assert training["topic"] == f"{model_name}-training" and 0 <= first < last < training_events
    assert training["events_trained"] > 0 and training["estimator"] == "sgd-classifier"
    gate = training["gate"]
    assert gate["passed"] and gate["live_version"] == 1 and gate["candidate"] >= gate["live"] + 0.1

    # The scorer that served v1 moved to v2 without a restart: versions never go back along the
    # prediction topic, each prediction's lineage fields name its version's document and the event it
    # scored (its key's), and every feature event was scored.
    out_codec = codec_for(Registry(stack_config), output_subject(model_name))
    predictions = _read_all(stack_config, f"{model_name}-predictions")
    records = [out_codec.decode(m.value()) for m in predictions]
    served = [r["model"]["version"] for r in records]
    assert served[0] == 1 and 2 in served and served == sorted(served)
    assert all(r["model"]["sha256"] == versions[r["model"]["version"]].sha256 and r["model"]["role"] == "base" for r in records)
    features = _read_all(stack_config, f"{model_name}-features")
    assert {m.key() for m in predictions} == {m.key() for m in features}
    by_position = {(m.partition(), m.offset()): m.key() for m in features}
    assert all(
        r["source"]["topic"] == f"{model_name}-features"
        and by_position[(r["source"]["partition"], r["source"]["offset"])] == m.key()
        for m, r in zip(predictions, records, strict=True)
    )

    # The sink's Parquet: every feature event exactly once, with its key.
    frame = pd.read_parquet(tmp_path / "lake" / f"topic={model_name}-features")
    landed = list(zip(frame["_partition"], frame["_offset"], frame["_key"], strict=True))
    assert len(landed) == len(features) == len(set(landed))
    assert set(landed) == {(m.partition(), m.offset(), m.key()) for m in features}
    assert report["figures"]["events"] == len(features)
