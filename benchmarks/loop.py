"""Monitor lag (event to metric) and online training to published version, on the local stack.

Monitor lag: features, predictions and labels are produced live at ``--rate`` events/s per
topic for ``--seconds``; at every metric emission the monitor records the time from the
oldest event it read since the previous emission (its Kafka CreateTime) to the emission,
i.e. the worst event-to-metric delay of that emission. Run with the emission interval at
1 s and 5 s (the CLI default).

Training: labelled events are produced live at ``--rate`` events/s; the trainer publishes
every ``--every`` trained events. Per published version: the candidate's own time (flush,
convert + verify, gate on the held-out window, publish) and the time from the newest event
that trained it to the version being on the model topic. Results: benchmarks/results/loop.json.

    python benchmarks/loop.py [--rate 500] [--seconds 20]   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import platform
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.config import load_config
from interchange.kafka.events import codec_for
from interchange.kafka.monitor import Monitor, MonitorOptions
from interchange.kafka.monitor.labels import labels_codec
from interchange.kafka.registry import Registry, input_subject, output_subject
from interchange.kafka.training import Trainer, TrainerOptions, send_training
from interchange.kafka.training.topic import training_codec
from interchange.kafka.transport import ensure_topics, producer

RESULTS = Path(__file__).resolve().parent / "results"


def _frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})


def _setup(config, name: str) -> interchange.Converted:
    rng = np.random.default_rng(0)
    X = _frame(2000, rng)
    converted = interchange.convert(LogisticRegression().fit(X, (X["a"] > X["b"]).astype(int)), "onnx", sample=X)
    interchange.publish(converted, name=name, config=config)
    return converted


def _stats(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"n": len(arr), "p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)), "max": float(arr.max())}


def monitor_lag(config, rate: int, seconds: float, interval: float) -> dict[str, float]:
    name = f"bench{uuid.uuid4().hex[:8]}"
    converted = _setup(config, name)
    registry = Registry(config)
    codecs = {
        f"{name}-features": codec_for(registry, input_subject(name)),
        f"{name}-predictions": codec_for(registry, output_subject(name)),
        f"{name}-labels": labels_codec(registry, converted.signature, name),
    }
    ensure_topics(config, {t: {} for t in codecs})
    monitor = Monitor(MonitorOptions(name, window=60, interval=interval, group=f"bench-{name}"), config)
    thread = threading.Thread(target=monitor.run, daemon=True)
    thread.start()
    time.sleep(3)  # group join
    rng = np.random.default_rng(1)
    prod = producer(config)
    ref = {"name": name, "version": 1, "format": "onnx"}
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        rows = _frame(rate // 10, rng)
        out = converted.model.predict(rows)
        for i, row in enumerate(rows.to_dict("records")):
            key = f"e{sent + i}".encode()
            pred = {"label": int(out["label"][i]), "probability_0": float(out["probability_0"][i])}
            pred["probability_1"] = float(out["probability_1"][i])
            prod.produce(f"{name}-features", key=key, value=codecs[f"{name}-features"].encode(row))
            prod.produce(f"{name}-predictions", key=key, value=codecs[f"{name}-predictions"].encode({**pred, "model": ref}))
            prod.produce(f"{name}-labels", key=key, value=codecs[f"{name}-labels"].encode({"label": int(row["a"] > row["b"])}))
        prod.poll(0)
        sent += len(rows)
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
    prod.flush(30)
    time.sleep(interval * 2 + 1)
    monitor.stop()
    thread.join(30)
    lags = monitor.stats.lag_ms[2:]  # the first emissions include the group join
    return {"interval_s": interval, "events_per_topic": sent, "rate_per_topic": rate, "lag_ms": _stats(lags)}


def training(config, rate: int, seconds: float, every: int) -> dict[str, float]:
    name = f"bench{uuid.uuid4().hex[:8]}"
    _setup(config, name)
    rng = np.random.default_rng(2)
    first = _frame(10, rng)
    send_training(config, name, first, (first["a"] > first["b"]).astype(int).to_numpy())  # registers the schema
    trainer = Trainer(TrainerOptions(model=name, estimator="sgd-classifier", every=every, group=f"bench-{name}"), config)
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    codec, _, _ = training_codec(Registry(config), name)
    prod = producer(config)
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        rows = _frame(rate // 10, rng)
        for row in rows.to_dict("records"):
            prod.produce(
                f"{name}-training", key=str(sent).encode(), value=codec.encode({**row, "label": int(row["a"] > row["b"])})
            )
            sent += 1
        prod.poll(0)
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
    prod.flush(30)
    time.sleep(5)
    trainer.stop()
    thread.join(60)
    s = trainer.stats
    return {
        "every": every,
        "events": sent,
        "published": s.published,
        "refused": len(s.refused),
        "candidate_s": _stats(s.candidate_seconds) if s.candidate_seconds else None,
        "event_to_published_ms": _stats(s.event_to_published_ms) if s.event_to_published_ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500, help="events per second per topic")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--every", type=int, default=2000, help="trained events per candidate")
    args = parser.parse_args()
    config = load_config()
    result = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "monitor": [monitor_lag(config, args.rate, args.seconds, interval) for interval in (1.0, 5.0)],
        "training": training(config, args.rate, args.seconds, args.every),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "loop.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
