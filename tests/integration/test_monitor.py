"""The monitor on the real stack: accuracy from late / missing labels, PSI alerts that fire and resolve, dead letters."""

from __future__ import annotations

import threading
import time
import uuid

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

import interchange
from interchange.kafka.events import codec_for, send_features
from interchange.kafka.monitor import Monitor, MonitorOptions, send_labels
from interchange.kafka.monitor.rules import parse_rules
from interchange.kafka.registry import AvroCodec, Registry, output_subject
from interchange.kafka.transport import consumer, ensure_topics, producer
from interchange.resources import avro_schema

pytestmark = pytest.mark.integration


def _model(config, name: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    y = ((X["a"] + 0.5 * X["b"] + rng.normal(scale=0.7, size=2000)) > 0).astype(int).to_numpy()
    converted = interchange.convert(LogisticRegression().fit(X, y), "onnx", sample=X)
    interchange.publish(converted, name=name, config=config)
    return converted, rng


def _read(config, topic: str, schema: str, keep, until, timeout: float = 30.0) -> list[dict]:
    codec = AvroCodec(avro_schema(schema), 0, Registry(config).schema)
    cons = consumer(config, f"reader-{uuid.uuid4().hex[:8]}")
    cons.subscribe([topic])
    out: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(out):
            out += [r for r in (codec.decode(m.value()) for m in cons.consume(500, 0.3) if not m.error()) if keep(r)]
    finally:
        cons.close()
    return out


class Running:
    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self.thread = threading.Thread(target=monitor.run, daemon=True)

    def __enter__(self) -> Monitor:
        self.thread.start()
        return self.monitor

    def __exit__(self, *exc) -> None:
        self.monitor.stop()
        self.thread.join(30)


def _wait(predicate, timeout: float = 30.0, step=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if step:
            step()
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_accuracy_from_late_and_missing_labels_matches_independent_computation(stack_config, model_name) -> None:
    converted, rng = _model(stack_config, model_name)
    n = 600
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    truth = ((X["a"] + 0.5 * X["b"] + rng.normal(scale=0.7, size=n)) > 0).astype(int).to_numpy()
    out = converted.model.predict(X)
    registry = Registry(stack_config)
    codec = codec_for(registry, output_subject(model_name))
    ref = {"name": model_name, "version": 1, "format": "onnx"}
    base = int(time.time() * 1000) - 120_000
    topic = f"{model_name}-predictions"
    ensure_topics(stack_config, {topic: {}})
    prod = producer(stack_config)
    for i in range(n):
        record = {
            "label": int(out["label"][i]),
            "probability_0": float(out["probability_0"][i]),
            "probability_1": float(out["probability_1"][i]),
        }
        prod.produce(topic, key=f"e{i}".encode(), value=codec.encode({**record, "model": ref}), timestamp=base + i * 10)
    prod.produce(topic, key=b"junk", value=b"\x00\x00\x00\x00\x07not avro")  # undecodable: dead-lettered
    prod.flush(30)
    join_ms = 5_000
    labels, kept = [], []
    for i in rng.permutation(n):  # out of order; every 6th label never comes, every 9th comes too late
        if i % 6 == 0:
            continue
        delay = join_ms + 2_000 if i % 9 == 0 else int(rng.integers(0, 4_000))
        labels.append((f"e{i}", int(truth[i]), base + i * 10 + delay))
        if delay <= join_ms:
            kept.append(i)
    send_labels(stack_config, model_name, converted.signature, labels)
    kept.sort()

    options = MonitorOptions(model_name, window=3600, join_window=join_ms / 1000, interval=0.5, group=f"g-{model_name}")
    monitor = Monitor(options, stack_config)
    with Running(monitor):
        _wait(lambda: monitor.state.counts["labels_total"] == len(labels) and monitor.state.counts["predictions_total"] == n)
    last = monitor.stats.last

    y, p1 = truth[kept], out["probability_1"][kept]
    assert last[("labelled", 3600.0)] == len(kept)
    assert last[("accuracy", 3600.0)] == pytest.approx(accuracy_score(y, out["label"][kept]), abs=1e-12)
    assert last[("log_loss", 3600.0)] == pytest.approx(log_loss(y, np.c_[1 - p1, p1]), rel=1e-9)
    assert last[("auc", 3600.0)] == pytest.approx(roc_auc_score(y, p1), rel=1e-9)
    newest_label = max(ts for _, _, ts in labels)
    never_in_time = [i for i in range(n) if i not in set(kept)]
    expired = [i for i in never_in_time if base + i * 10 + join_ms < newest_label or i % 9 == 0 and i % 6]
    assert len(expired) > 100
    assert last[("predictions_expired_total", None)] == len(expired)
    assert last[("dead_letters_total", None)] == 1

    metrics = _read(
        stack_config,
        "interchange-metrics",
        "metric",
        lambda r: r["model"] == model_name and r["name"] == "accuracy",
        lambda got: bool(got) and got[-1]["value"] == last[("accuracy", 3600.0)],
    )
    assert metrics and metrics[-1]["value"] == pytest.approx(accuracy_score(y, out["label"][kept]), abs=1e-12)
    assert metrics[-1]["source"] == "monitor" and metrics[-1]["window_s"] == 3600.0 and metrics[-1]["version"] == 1
    dead = _read(stack_config, f"{model_name}-monitor-dlq", "dead_letter", lambda r: True, lambda got: len(got) >= 1)
    assert dead[0]["key"] == b"junk" and dead[0]["topic"] == topic and "schema id 7" in dead[0]["reason"]


def test_drift_fires_a_psi_rule_then_resolves_after_recovery(stack_config, model_name) -> None:
    _, rng = _model(stack_config, model_name, seed=1)
    rules = parse_rules({"rules": [{"name": "drift-a", "metric": "psi_a", "op": ">", "threshold": 0.5, "window": "2s"}]})
    options = MonitorOptions(model_name, window=2, interval=0.3, min_rows=50, rules=tuple(rules), group=f"g-{model_name}")
    monitor = Monitor(options, stack_config)
    sent = [0]

    def send(shift: float, count: int = 100) -> None:
        rows = pd.DataFrame({"a": rng.normal(size=count) + shift, "b": rng.normal(size=count)})
        send_features(stack_config, model_name, rows, keys=[f"k{sent[0] + i}" for i in range(count)])
        sent[0] += count

    with Running(monitor):
        _wait(lambda: ("psi_a", 2.0) in monitor.stats.last, step=lambda: send(0.0))
        assert monitor.stats.last[("psi_a", 2.0)] < 0.5 and monitor.stats.alerts == []
        _wait(lambda: "drift-a:FIRING" in monitor.stats.alerts, step=lambda: send(3.0))
        _wait(lambda: "drift-a:RESOLVED" in monitor.stats.alerts, step=lambda: send(0.0))
    alerts = _read(stack_config, "interchange-alerts", "alert", lambda r: r["model"] == model_name, lambda got: len(got) >= 2)
    assert [a["state"] for a in alerts] == ["FIRING", "RESOLVED"]
    assert alerts[0]["rule"] == "drift-a" and alerts[0]["metric"] == "psi_a" and alerts[0]["value"] > 0.5
    assert alerts[1]["value"] <= 0.5 and alerts[0]["threshold"] == 0.5
    assert monitor.stats.lag_ms and min(monitor.stats.lag_ms) >= 0  # measured from the events' own CreateTime
