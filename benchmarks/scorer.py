"""Scorer throughput against plain Kafka pass-through, and end-to-end latency, in one run.

Pass-through = consume the feature topic and produce the same bytes to another topic, in the
same batches (wait for a first event, then take what has arrived, up to --batch), with the
same commit after every batch: the ceiling any scorer on this broker can reach. The scorer
additionally decodes Avro, evaluates the model and encodes predictions with lineage headers.
The ratio is the figure to compare across machines.

Latency: a producer in its own process sends feature events at a fixed rate (1,000/s, then
half the scorer's measured maximum) to a scorer that is already running and idle; latency is
each prediction's CreateTime minus its input's CreateTime (both set by the producing client
when it hands the event over, in ms).
Results: benchmarks/results/scorer.json and scorer.md.

    python benchmarks/scorer.py [--events 50000] [--seconds 4]   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.config import load_config
from interchange.events import codec_for, send_features
from interchange.registry import Registry, input_subject
from interchange.scorer import Scorer, ScorerOptions
from interchange.transport import consumer, ensure_topics, producer

RESULTS = Path(__file__).resolve().parent / "results"
LAST: dict = {}  # the latest latency run's per-event figures, in input order (for a closer look)


def take(cons, batch: int, timeout: float) -> list:
    """The scorer's batching (Scorer._take): a first event, then whatever has arrived since."""
    taken = cons.consume(1, timeout)
    if taken and batch > 1:
        taken += cons.consume(batch - 1, 0)
    return [m for m in taken if not m.error()]


def pass_through(config, source: str, events: int, batch: int) -> float:
    sink = f"{source}-copy"
    ensure_topics(config, {sink: {}})
    cons = consumer(config, f"bench-pass-{uuid.uuid4().hex[:6]}")
    cons.subscribe([source])
    prod = producer(config, **{"linger.ms": 2})  # the scorer's producer settings
    seen, start = 0, None
    while seen < events:
        msgs = take(cons, batch, 1.0)
        if msgs and start is None:
            start = time.perf_counter()
        for m in msgs:
            prod.produce(sink, key=m.key(), value=m.value())
            seen += 1
        prod.flush(30)
        if msgs:
            cons.commit(asynchronous=False)
    elapsed = time.perf_counter() - start  # from the first message, like ScorerStats.rate
    cons.close()
    return events / elapsed


def score(config, name: str, events: int, batch: int) -> tuple[float, str, int]:
    scorer = Scorer(ScorerOptions(model=name, batch_size=batch, group=f"bench-{uuid.uuid4().hex[:6]}"), config)
    stats = scorer.run(max_records=events)
    engine = scorer.live.model.info.engine if scorer.live else "?"
    return stats.rate, engine, scorer.batch_codec.fast_records


def _paced(config, topic: str, values: list[bytes], rate: float, ready) -> None:
    """Produce ``values`` at ``rate`` per second, keyed by their index (runs in its own process)."""
    prod = producer(config, **{"linger.ms": 0})
    ready.wait()
    start = time.perf_counter()
    for i, value in enumerate(values):
        due = start + i / rate
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        prod.produce(topic, key=str(i).encode(), value=value)
        prod.poll(0)
    prod.flush(30)


def _timestamps(config, topic: str, count: int, timeout: float = 60.0) -> dict[bytes, int]:
    cons = consumer(config, f"bench-read-{uuid.uuid4().hex[:6]}")
    cons.subscribe([topic])
    out: dict[bytes, int] = {}
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        for m in cons.consume(1000, 0.5):
            if not m.error():
                out[m.key()] = m.timestamp()[1]
    cons.close()
    return out


class _Copier:
    """Pass-through at a fixed input rate: the latency floor of consume -> produce -> commit on this broker."""

    def __init__(self, config, topic: str, sink: str, count: int) -> None:
        self.cons = consumer(config, f"bench-copy-{uuid.uuid4().hex[:6]}")
        self.cons.subscribe([topic])
        self.prod = producer(config, **{"linger.ms": 2})
        self.sink, self.count, self.batches = sink, count, 0
        self.stats = type("Stats", (), {"version": 1, "healthy": False, "batches": 0})()

    def run(self, max_records: int) -> None:
        seen = 0
        while seen < max_records:
            msgs = take(self.cons, 1000, 0.2)
            self.stats.healthy = True
            for m in msgs:
                self.prod.produce(self.sink, key=m.key(), value=m.value())
            seen += len(msgs)
            self.prod.flush(30)
            if msgs:
                self.cons.commit(asynchronous=True)
                self.stats.batches += 1
        self.cons.close()


def latency(config, name: str, rate: float, seconds: float, guarantee: str) -> dict:
    """p50 / p99 / max of prediction CreateTime - input CreateTime at a fixed input rate
    (``guarantee`` "pass-through": copies of the inputs by :class:`_Copier` instead of predictions)."""
    count = int(rate * seconds)
    topic = f"{name}-lat-{uuid.uuid4().hex[:6]}"
    out_topic = f"{topic}-predictions"
    ensure_topics(config, {topic: {}, out_topic: {}})
    codec = codec_for(Registry(config), input_subject(name))
    X, _ = make_classification(2000, 20, random_state=1)
    rows = [{f"x{j}": float(v) for j, v in enumerate(row)} for row in X]
    values = [codec.encode(rows[i % len(rows)]) for i in range(count)]
    options = ScorerOptions(
        model=name,
        input_topic=topic,
        output_topic=out_topic,
        dead_letter_topic=f"{topic}-dlq",
        group=f"bench-lat-{uuid.uuid4().hex[:6]}",
        guarantee="exactly-once" if guarantee == "exactly-once" else "at-least-once",
    )
    if guarantee == "pass-through":
        scorer: Any = _Copier(config, topic, out_topic, count)
    else:
        scorer = Scorer(options, config)
    thread = threading.Thread(target=scorer.run, kwargs={"max_records": count}, daemon=True)
    thread.start()
    while scorer.stats.version is None or not scorer.stats.healthy:  # subscribed, model live, idle
        time.sleep(0.1)
    time.sleep(3.0)  # the group has its partition
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_paced, args=(config, topic, values, rate, ready))
    proc.start()
    time.sleep(1.0)
    ready.set()
    proc.join(seconds + 120)
    thread.join(120)
    sent = _timestamps(config, topic, count)
    got = _timestamps(config, out_topic, count)
    keys = sorted((k for k in got if k in sent), key=int)
    lat = np.array([got[k] - sent[k] for k in keys], dtype=np.float64)
    LAST["latencies"] = lat
    return {
        "guarantee": guarantee,
        "rate_per_s": round(rate),
        "events": count,
        "predictions": int(len(lat)),
        "p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
        "p99_ms": float(np.percentile(lat, 99)) if len(lat) else None,
        "max_ms": float(lat.max()) if len(lat) else None,
        "batches": scorer.stats.batches,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each latency run")
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    events = pd.concat([frame] * (args.events // len(frame) + 1)).iloc[: args.events]
    rows, lr_onnx = [], None
    started = time.monotonic()
    for label, est in (
        ("logistic_regression", LogisticRegression(max_iter=500)),
        ("random_forest_100", RandomForestClassifier(100, max_depth=8, random_state=0)),
    ):
        est.fit(frame, y)
        for fmt in ("onnx", "pmml", "pfa"):
            try:
                converted = interchange.convert(est, fmt, sample=frame.iloc[:200])
            except interchange.InterchangeError as exc:
                rows.append({"model": label, "format": fmt, "error": exc.message[:200]})
                continue
            name = f"bench-{label.replace('_', '-')}-{fmt}-{uuid.uuid4().hex[:6]}"
            interchange.publish(converted, name=name, config=config)
            send_features(config, name, events)
            base = pass_through(config, f"{name}-features", args.events, args.batch)
            rate, engine, fast = score(config, name, args.events, args.batch)
            rows.append(
                {
                    "model": label,
                    "format": fmt,
                    "engine": engine,
                    "events": args.events,
                    "columnar_decoded": fast,
                    "pass_through_per_s": round(base),
                    "scorer_per_s": round(rate),
                    "ratio": round(rate / base, 3),
                }
            )
            print(rows[-1], flush=True)
            if label == "logistic_regression" and fmt == "onnx":
                lr_onnx = (name, rate)
    lat = []
    if lr_onnx is not None:
        name, top = lr_onnx
        for guarantee in ("pass-through", "at-least-once", "exactly-once"):
            for rate in (1000.0, top / 2):
                figures = latency(config, name, rate, args.seconds, guarantee)
                lat.append({"model": "logistic_regression", "format": "onnx", **figures})
                print(lat[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    result = {"batch": args.batch, "seconds": round(time.monotonic() - started), "results": rows, "latency": lat}
    (RESULTS / "scorer.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "scorer.md").write_text(markdown(result))
    return 0


_NAMES = {"logistic_regression": "logistic regression", "random_forest_100": "random forest, 100 trees"}
_ENGINES = {"onnxruntime": "onnxruntime", "interchange-fast": "fast path"}


def markdown(result: dict) -> str:
    lines = [
        "| model | format (engine) | pass-through /s | scorer /s | ratio |",
        "|---|---|---|---|---|",
    ]
    for r in result["results"]:
        if "error" in r:
            lines.append(f"| {_NAMES[r['model']]} | {r['format'].upper()} | - | - | {r['error']} |")
            continue
        engine = _ENGINES.get(r["engine"], r["engine"])
        lines.append(
            f"| {_NAMES[r['model']]} | {r['format'].upper()} ({engine}) | {r['pass_through_per_s']:,} | "
            f"{r['scorer_per_s']:,} | {r['ratio']:.2f} |"
        )
    lines += [
        "",
        "| guarantee | input rate /s | predictions | p50 ms | p99 ms | max ms | batches |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result["latency"]:
        lines.append(
            f"| {r['guarantee']} | {r['rate_per_s']:,} | {r['predictions']:,} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
            f"{r['max_ms']:.0f} | {r['batches']:,} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
