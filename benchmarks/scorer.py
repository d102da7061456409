"""Scorer throughput against plain Kafka pass-through, and end-to-end latency, in one run.

Pass-through = consume the feature topic and produce the same bytes to another topic, in the
same batches (wait for a first event, then take what has arrived, up to --batch), through the
scorer's own at-least-once delivery (same producer settings; a batch's offsets committed once
its outputs and the earlier batches' are delivered, up to 4 batches in flight): the ceiling any
scorer on this broker can reach. The scorer
additionally decodes Avro, evaluates the model and encodes predictions with their lineage fields
(``model`` with sha256 and role, ``source``); ``--lineage-headers`` adds the six lineage headers
too, as ``interchange score --lineage-headers`` does.
Pass-through and scorer runs alternate (--rounds pairs, the order flipped every round, each
reading the whole topic with a fresh group), and the ratio reported is the median of the
rounds' ratios: on a shared 2-core machine two runs a minute apart differ by up to 2x, two
runs side by side much less. Each run starts with the garbage collector quiet (collected, the
loaded libraries frozen out of its full passes, as the scorer does after loading a version):
a full collection inside a 0.15-0.5 s run was the largest cause of rounds that disagreed. Each
run also reports CPU per event (the scoring thread's; the process's, librdkafka's threads
included), and ``cpu_ratio`` compares the threads' CPU per event, which the machine's load
moves much less than the rates.

Latency: a sender process produces feature events at a fixed rate (1,000/s, then half the
maximum live rate, see :func:`live_maximum`) to a scorer that is already running and idle. The sender produces
the events due every millisecond in one burst (sleeping once per millisecond, not once per
event: at ~50k/s a sleep per event took most of a core), with keys encoded beforehand and
linger.ms 0, and its CPU time is reported. Two latencies are reported per event, each ending at
the prediction's CreateTime (stamped by the scorer's client at produce(), before the batch's
commit):
- "from send": from the sender's wall clock read once per burst just before the burst's first
  produce() call, so never later than the event's own CreateTime (the issue's "input CreateTime");
  it includes the sender's client, the broker's append, the scorer's wait for the batch and its work;
- "from broker": from the broker's append of the input (the input topic stamps LogAppendTime):
  the part the scorer controls.
Pass-through rows copy the inputs through the scorer's own delivery instead of scoring them
(at-least-once, and exactly-once: one transaction per batch with the input offsets): the floor.
Results: benchmarks/results/scorer.json and scorer.md, with the machine's load while it ran.

    python benchmarks/scorer.py [--events 30000] [--rounds 3] [--seconds 4] [--throughput-only | --latency-only]
        [--lineage-headers] [--results DIR] [--name scorer]   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
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
from interchange.kafka.config import load_config
from interchange.kafka.events import codec_for, send_features
from interchange.kafka.registry import Registry, input_subject
from interchange.kafka.scorer import Scorer, ScorerOptions
from interchange.kafka.scorer.batch.messages import offset_bounds, usable
from interchange.kafka.scorer.delivery import AtLeastOnce, ExactlyOnce
from interchange.kafka.stack.config import StackConfig
from interchange.kafka.transport import assign_from_start, consumer, ensure_topics, producer

LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}

RESULTS = Path(__file__).resolve().parent / "results"
LAST: dict = {}  # the latest latency run's per-event figures, in input order (for a closer look)


def take(cons, batch: int, timeout: float) -> list:
    """The scorer's batching (Scorer._take, its error filter too): a first event, then whatever has arrived since."""
    taken = cons.consume(1, timeout)
    if taken and batch > 1:
        taken += cons.consume(batch - 1, 0)
    return usable(taken)


def _copy(delivery: Any, cons, sink: str, msgs: list) -> None:
    """Produce the same bytes and commit like the scorer (its delivery: at-least-once pipelined, or exactly-once)."""
    if not msgs:
        delivery.settle()
        return
    delivery.begin()
    for m in msgs:
        delivery.produce(sink, m.key(), m.value())
    delivery.commit(cons, *offset_bounds(msgs))  # the scorer's own offsets (next, first) per partition


def _quiet_heap() -> None:
    """Before each timed run, pass-through or scorer: no garbage pending and the loaded libraries out of the
    collector's full passes (what the scorer does itself once a version has loaded, scorer/heap.py). Without
    it a run could pay for a full collection of garbage an earlier run left (50-150 ms against a 0.15-0.5 s
    run): the largest cause of rounds that differed by 2-3x."""
    gc.collect()
    gc.freeze()


class _Clock:
    """Wall and CPU time over a run's timed part: the scoring thread's CPU and the whole process's
    (librdkafka's threads included), per event: steadier than a rate on a shared machine."""

    def __init__(self) -> None:
        self.wall = self.thread = self.process = 0.0
        self.started = False

    def start(self) -> None:
        self.started = True
        self._marks = (time.perf_counter(), time.thread_time(), time.process_time())

    def stop(self) -> None:
        wall, thread, process = self._marks
        self.wall, self.thread, self.process = (
            time.perf_counter() - wall,
            time.thread_time() - thread,
            time.process_time() - process,
        )

    def figures(self, events: int) -> dict[str, float]:
        return {"thread_us": self.thread / events * 1e6, "process_us": self.process / events * 1e6}


def pass_through(config, source: str, events: int, batch: int) -> tuple[float, dict[str, float]]:
    sink = f"{source}-copy"
    ensure_topics(config, {sink: {}})
    cons = consumer(config, f"bench-pass-{uuid.uuid4().hex[:6]}")
    cons.subscribe([source])
    delivery = AtLeastOnce(config, threading.Event(), lambda why: None)  # the scorer's producer and commits
    seen, clock = 0, _Clock()
    _quiet_heap()
    while seen < events:
        msgs = take(cons, batch, 1.0)
        if msgs and not clock.started:
            clock.start()
        _copy(delivery, cons, sink, msgs)
        seen += len(msgs)
    clock.stop()  # from the first message to the last hand-over, like ScorerStats.rate
    delivery.close()
    cons.close()
    gc.unfreeze()
    return events / clock.wall, clock.figures(events)


def score(config, name: str, events: int, batch: int, headers: bool = False) -> tuple[float, str, int, dict[str, float]]:
    options = ScorerOptions(model=name, batch_size=batch, group=f"bench-{uuid.uuid4().hex[:6]}", lineage_headers=headers)
    scorer = Scorer(options, config)
    clock, process = _Clock(), scorer._process

    def timed(messages: list) -> bool:  # the same window as ScorerStats.rate: first batch to last hand-over
        if not clock.started:
            clock.start()
        done = process(messages)
        clock.stop()
        return done

    scorer._process = timed  # type: ignore[method-assign]
    _quiet_heap()
    stats = scorer.run(max_records=events)
    engine = scorer.live.model.info.engine if scorer.live else "?"
    return stats.rate, engine, scorer.batch_codec.fast_records, clock.figures(stats.scored + stats.dead_lettered)


def _paced(config, topic: str, values: list[bytes], rate: float, ready, out: str, linger_ms: float = 0.0) -> None:
    """Produce ``values`` at ``rate`` per second, keyed by their index (runs in its own process): the
    events due each millisecond in one burst, keys encoded beforehand. Saves each event's send time (ms,
    read once per burst, before its first produce() call: never later than the event's own CreateTime) to
    ``out``."""
    prod = producer(config, **{"linger.ms": linger_ms})
    produce = prod.produce
    keys = [str(i).encode() for i in range(len(values))]
    sent = np.zeros(len(values) + 1)  # the last slot: this process's CPU seconds while sending
    n = len(values)
    ready.wait()
    cpu = time.process_time()
    start = time.perf_counter()
    i = 0
    while i < n:
        due = min(int((time.perf_counter() - start) * rate) + 1, n)  # events due by now
        if due > i:
            sent[i:due] = time.time() * 1000
            for j in range(i, due):
                produce(topic, values[j], keys[j])
            i = due
        prod.poll(0)
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
    prod.flush(30)
    sent[-1] = time.process_time() - cpu
    np.save(out, sent)


def _timestamps(config, topic: str, count: int, timeout: float = 60.0, committed: bool = False) -> dict[bytes, int]:
    """Each event's timestamp by key (``committed``: read_committed, so aborted transactions' outputs do not count)."""
    extra = {"isolation.level": "read_committed"} if committed else {}
    cons = consumer(config, f"bench-read-{uuid.uuid4().hex[:6]}", **extra)
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
    """Pass-through at a fixed input rate: the latency floor of consume -> produce -> commit on this broker,
    through the scorer's own delivery (``exactly_once``: one transaction per batch with its input offsets,
    read_committed input, the scorer's transactional producer settings)."""

    def __init__(self, config, topic: str, sink: str, count: int, exactly_once: bool = False, batch: int = 1000) -> None:
        extra = {"isolation.level": "read_committed"} if exactly_once else {}
        self.cons = consumer(config, f"bench-copy-{uuid.uuid4().hex[:6]}", **extra)
        self.cons.subscribe([topic])
        stop = threading.Event()
        self.delivery: Any = (
            ExactlyOnce(config, stop, lambda why: None, overlap_from=batch)
            if exactly_once
            else AtLeastOnce(config, stop, lambda why: None)
        )
        self.sink, self.count, self.batch = sink, count, batch
        self.stats = type("Stats", (), {"version": 1, "healthy": False, "batches": 0})()

    def run(self, max_records: int) -> None:
        self.delivery.start()
        seen = 0
        while seen < max_records:
            msgs = take(self.cons, self.batch, 0.2)
            self.stats.healthy = True
            _copy(self.delivery, self.cons, self.sink, msgs)
            seen += len(msgs)
            self.stats.batches += bool(msgs)
        self.delivery.close()
        self.cons.close()


class _Watcher:
    """Reads a topic live with read_committed and notes when each key arrived (wall ms): when a prediction became
    visible to a downstream consumer, which for exactly-once is after its transaction's commit, not at its
    CreateTime (the issue's measure)."""

    def __init__(self, config, topic: str, count: int) -> None:
        self.cons = consumer(config, f"bench-watch-{uuid.uuid4().hex[:6]}", **{"isolation.level": "read_committed"})
        assign_from_start(self.cons, topic, "outputs")
        self.seen: dict[bytes, float] = {}
        self.count, self.stop = count, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        seen = self.seen
        while len(seen) < self.count and not self.stop.is_set():
            first = self.cons.poll(0.05)  # consume(n, t) would wait for n messages or all of t
            msgs = ([first] + self.cons.consume(1000, 0)) if first is not None else []
            now = time.time() * 1000
            for m in msgs:
                if not m.error():
                    seen.setdefault(m.key(), now)
        self.cons.close()

    def finish(self, timeout: float = 30.0) -> dict[bytes, float]:
        self.thread.join(timeout)
        self.stop.set()
        return self.seen


def latency(
    config,
    name: str,
    rate: float,
    seconds: float,
    guarantee: str,
    tweak=None,
    visible: bool = False,
    sender_linger_ms: float = 0.0,
) -> dict:
    """p50 / p99 / max of prediction CreateTime - input send time (and - input LogAppendTime) at a fixed input
    rate (``guarantee`` "pass-through" / "pass-through exactly-once": copies of the inputs by :class:`_Copier`
    instead of predictions). ``tweak(scorer)``, when given, adjusts the scorer or copier before it starts
    (side-by-side comparisons: benchmarks/latency_ab.py). ``visible``: also when each prediction reached a
    read_committed consumer (``visible_p50_ms`` / ``visible_p99_ms`` from the send; a thread in this process).
    ``sender_linger_ms``: the sender's linger.ms (0 by default; its batching wait counts in "from send")."""
    count = int(rate * seconds)
    topic = f"{name}-lat-{uuid.uuid4().hex[:6]}"
    out_topic = f"{topic}-predictions"
    ensure_topics(config, {out_topic: {}})
    _append_time_topic(config, topic)
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
    if guarantee.startswith("pass-through"):
        scorer: Any = _Copier(config, topic, out_topic, count, exactly_once=guarantee.endswith("exactly-once"))
    else:
        scorer = Scorer(options, config)
    if tweak is not None:
        tweak(scorer)
    load = os.getloadavg()[0]
    thread = threading.Thread(target=scorer.run, kwargs={"max_records": count}, daemon=True)
    thread.start()
    while scorer.stats.version is None or not scorer.stats.healthy:  # subscribed, model live, idle
        time.sleep(0.1)
    time.sleep(3.0)  # the group has its partition
    watcher = _Watcher(config, out_topic, count) if visible else None
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    sent_file = Path(tempfile.mkdtemp()) / "sent.npy"
    proc = ctx.Process(target=_paced, args=(config, topic, values, rate, ready, str(sent_file), sender_linger_ms))
    proc.start()
    time.sleep(1.0)
    cpu_start, broker_start, wall_start = time.process_time(), _broker_cpu(), time.time()
    ready.set()
    proc.join(seconds + 120)
    thread.join(120)
    cpu = time.process_time() - cpu_start
    broker_end, wall_end = _broker_cpu(), time.time()
    pauses = _broker_pauses(wall_start, wall_end)
    load = max(load, os.getloadavg()[0])
    sent = np.load(sent_file)
    sender_cpu = float(sent[-1])
    appended = _timestamps(config, topic, count)
    got = _timestamps(config, out_topic, count, committed=guarantee.endswith("exactly-once"))
    keys = sorted((k for k in got if k in appended), key=int)
    created = np.array([got[k] for k in keys], dtype=np.float64)
    lat = created - np.array([sent[int(k)] for k in keys])
    from_broker = created - np.array([appended[k] for k in keys], dtype=np.float64)
    seen = watcher.finish() if watcher is not None else {}
    shown = np.array([seen[k] - sent[int(k)] for k in keys if k in seen])
    LAST.update(latencies=lat, from_broker=from_broker)
    span_s = (sent[count - 1] - sent[0]) / 1000 if count > 1 else 0.0
    behind = _growth(from_broker)
    figures = {
        "guarantee": guarantee,
        "rate_per_s": round(rate),
        "events": count,
        "predictions": int(len(lat)),
        "batches": scorer.stats.batches,
        "sender_cpu_s": round(sender_cpu, 2),
        "this_process_cpu_s": round(cpu, 2),
        "broker_cpu_s": round(broker_end - broker_start, 2) if broker_start is not None and broker_end is not None else None,
        "broker_gc_pauses": len(pauses),
        "broker_gc_pause_max_ms": max(pauses, default=0.0),
        "seconds": seconds,
        "sent_per_s": round((count - 1) / span_s) if span_s > 0 else None,  # the rate the sender achieved
        "latency_growth_ms": round(behind, 1) if behind is not None else None,
        "load_avg": round(load, 1),
        "cpu_pressure_avg10": _pressure("avg10"),
    }
    for label, values_ms in (("", lat), ("broker_", from_broker)):
        for q in (50, 99):
            figures[f"{label}p{q}_ms"] = float(np.percentile(values_ms, q)) if len(values_ms) else None
        figures[f"{label}max_ms"] = float(values_ms.max()) if len(values_ms) else None
    for q in (50, 99):
        figures[f"visible_p{q}_ms"] = float(np.percentile(shown, q)) if len(shown) else None
    return figures


def _growth(from_broker: np.ndarray) -> float | None:
    """How much later than the first fifth of a run's events the last fifth came out (median latency from the
    broker, ms): about 0 when the scorer keeps up, growing with the run when it falls behind."""
    n = len(from_broker) // 5
    if n < 10:
        return None
    return float(np.median(from_broker[-n:]) - np.median(from_broker[:n]))


LIVE_MAXIMUM = (
    "the highest input rate the at-least-once scorer (LR, ONNX) sustained with the live sender running on the same "
    "machine: every event predicted, the sender at >= 95% of the rate, and the median latency from the broker of "
    "the run's last fifth of events within 50 ms of its first fifth's (rates doubled from 2,000/s until one failed, "
    "then bisected twice)"
)
GROWTH_LIMIT_MS = 50.0  # a run whose last fifth waited this much longer than its first fifth fell behind


def sustains(figures: dict) -> bool:
    """Did the scorer keep up with this live run: every event predicted, the sender at >= 95% of the rate, and the
    latency not growing through the run (:func:`_growth` below GROWTH_LIMIT_MS)?"""
    growth, sent = figures.get("latency_growth_ms"), figures.get("sent_per_s")
    return (
        figures["predictions"] == figures["events"]
        and sent is not None
        and sent >= 0.95 * figures["rate_per_s"]
        and growth is not None
        and growth < GROWTH_LIMIT_MS
    )


_STEP_KEYS = ("rate_per_s", "sent_per_s", "predictions", "latency_growth_ms", "p50_ms", "p99_ms", "sustained")


def live_maximum(config, name: str, seconds: float, start: float = 2000.0, ceiling: float = 400_000.0) -> tuple[float, list]:
    """The highest input rate the at-least-once scorer sustains (:func:`sustains`) with the live sender running on
    the same machine: rates doubled from ``start`` until one fails, then two bisections between the last rate that
    held and the first that did not. Returns that rate and every step's figures."""
    steps, good, bad = [], 0.0, None
    rate = start
    while rate <= ceiling:
        figures = latency(config, name, rate, seconds, "at-least-once")
        figures["sustained"] = sustains(figures)
        steps.append(figures)
        print("step", {k: figures[k] for k in _STEP_KEYS}, flush=True)
        if not figures["sustained"]:
            bad = rate
            break
        good, rate = rate, rate * 2
    for _ in range(2 if bad is not None else 0):
        rate = (good + bad) / 2
        figures = latency(config, name, rate, seconds, "at-least-once")
        figures["sustained"] = sustains(figures)
        steps.append(figures)
        print("step", {k: figures[k] for k in _STEP_KEYS}, flush=True)
        good, bad = (rate, bad) if figures["sustained"] else (good, rate)
    return good, steps


def _broker_cpu() -> float | None:
    """CPU seconds the local stack's broker has used so far (None when it is not ours to see)."""
    try:
        pid = (StackConfig.from_env().state_dir / "kafka.pid").read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _broker_pauses(start: float, end: float) -> list[float]:
    """The local broker's GC pauses (ms) between two wall-clock times, from its GC log."""
    pauses = []
    log = StackConfig.from_env().state_dir / "kafka-gc.log"
    try:
        lines = log.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        m = re.match(r"\[(\S+?)\].* Pause .* ([\d.]+)ms$", line)
        if m:
            when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
            if start <= when <= end:
                pauses.append(float(m.group(2)))
    return pauses


def _append_time_topic(config, topic: str) -> None:
    """A topic whose events carry the broker's append time (the latency's second starting point)."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient(dict(config.kafka))
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=-1, config=LOG_APPEND_TIME)])[topic].result(30)


def _pressure(window: str = "avg60") -> float | None:
    """Share of time (%) some task waited for a CPU over the window (Linux PSI), None where unavailable."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        return float(dict(kv.split("=") for kv in some[1:])[window])
    except (OSError, KeyError, ValueError):
        return None


def machine() -> dict:
    """How busy the machine was (2 cores shared with other work): load averages and CPU pressure."""
    out: dict[str, Any] = {"cpus": os.cpu_count(), "load_avg": [round(v, 1) for v in os.getloadavg()]}
    pressure = _pressure("avg60")
    if pressure is not None:
        out["cpu_pressure_avg60"] = pressure  # % of time a task waited for a CPU
    return out


def throughput(config, name: str, events: int, batch: int, rounds: int, headers: bool = False) -> dict:
    """Pass-through and scorer runs alternating on the same topic (order flipped each round); medians.

    Each round also gives CPU per event (the scoring thread's, and the process's with librdkafka's threads),
    so ``cpu_ratio`` (pass-through CPU / scorer CPU, per event) says the same as ``ratio`` where the machine's
    load does not reach: two runs a few seconds apart on a shared machine see different loads."""
    base, scored, ratios, cpu_ratios = [], [], [], []
    cpu: dict[str, list[dict[str, float]]] = {"pass": [], "score": []}
    engine, fast = "?", 0
    for r in range(rounds):
        pair: dict[str, float] = {}
        for kind in ("pass", "score") if r % 2 == 0 else ("score", "pass"):
            if kind == "pass":
                pair[kind], figures = pass_through(config, f"{name}-features", events, batch)
            else:
                pair[kind], engine, fast, figures = score(config, name, events, batch, headers)
            cpu[kind].append(figures)
        base.append(pair["pass"])
        scored.append(pair["score"])
        ratios.append(pair["score"] / pair["pass"])
        cpu_ratios.append(cpu["pass"][-1]["thread_us"] / cpu["score"][-1]["thread_us"])

    def median(kind: str, key: str) -> float:
        return round(statistics.median(f[key] for f in cpu[kind]), 2)

    return {
        "engine": engine,
        "events": events,
        "rounds": rounds,
        "columnar_decoded": fast,
        "pass_through_per_s": round(statistics.median(base)),
        "scorer_per_s": round(statistics.median(scored)),
        "ratio": round(statistics.median(ratios), 3),
        "ratios": [round(x, 3) for x in ratios],
        "pass_through_cpu_us": {"thread": median("pass", "thread_us"), "process": median("pass", "process_us")},
        "scorer_cpu_us": {"thread": median("score", "thread_us"), "process": median("score", "process_us")},
        "cpu_ratio": round(statistics.median(cpu_ratios), 3),
        "cpu_ratios": [round(x, 3) for x in cpu_ratios],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="pass-through / scorer pairs per model (median ratio)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each latency run")
    parser.add_argument("--only", default=None, help="models to run, e.g. logistic_regression (default: all)")
    parser.add_argument("--throughput-only", action="store_true", help="skip the latency runs")
    parser.add_argument("--latency-only", action="store_true", help="skip the throughput runs (LR ONNX is published only)")
    parser.add_argument("--lineage-headers", action="store_true", help="the scorer also writes the six lineage headers")
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory for the results files")
    parser.add_argument("--name", default="scorer", help="results file stem: DIR/NAME.json and DIR/NAME.md")
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    events = pd.concat([frame] * (args.events // len(frame) + 1)).iloc[: args.events]
    rows, lr_onnx = [], None
    started = time.monotonic()
    load_before = machine()
    for label, est in (
        ("logistic_regression", LogisticRegression(max_iter=500)),
        ("random_forest_100", RandomForestClassifier(100, max_depth=8, random_state=0)),
    ):
        if args.only and label not in args.only.split(","):
            continue
        if args.latency_only and label != "logistic_regression":
            continue
        est.fit(frame, y)
        for fmt in ("onnx",) if args.latency_only else ("onnx", "pmml", "pfa"):
            try:
                converted = interchange.convert(est, fmt, sample=frame.iloc[:200])
            except interchange.InterchangeError as exc:
                rows.append({"model": label, "format": fmt, "error": exc.message[:200]})
                continue
            name = f"bench-{label.replace('_', '-')}-{fmt}-{uuid.uuid4().hex[:6]}"
            interchange.publish(converted, name=name, config=config)
            if args.latency_only:
                lr_onnx = (name, None)
                continue
            send_features(config, name, events)
            figures = throughput(config, name, args.events, args.batch, args.rounds, args.lineage_headers)
            rows.append({"model": label, "format": fmt, "lineage_headers": args.lineage_headers, **figures})
            print(rows[-1], flush=True)
            if label == "logistic_regression" and fmt == "onnx":
                lr_onnx = (name, rows[-1]["scorer_per_s"])
    lat, live = [], None
    if lr_onnx is not None and not args.throughput_only:
        name, _ = lr_onnx
        top, steps = live_maximum(config, name, args.seconds)
        live = {"rate_per_s": round(top), "definition": LIVE_MAXIMUM, "steps": steps}
        for guarantee in ("pass-through", "at-least-once", "pass-through exactly-once", "exactly-once"):
            for rate in (1000.0, top / 2):
                figures = latency(config, name, rate, args.seconds, guarantee)
                lat.append({"model": "logistic_regression", "format": "onnx", **figures})
                print(lat[-1], flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    result = {
        "batch": args.batch,
        "seconds": round(time.monotonic() - started),
        "machine": {"before": load_before, "after": machine()},
        "results": rows,
        "latency": lat,
        "live_maximum": live,
    }
    (args.results / f"{args.name}.json").write_text(json.dumps(result, indent=2))
    (args.results / f"{args.name}.md").write_text(markdown(result))
    return 0


_NAMES = {"logistic_regression": "logistic regression", "random_forest_100": "random forest, 100 trees"}
_ENGINES = {"onnxruntime": "onnxruntime", "interchange-fast": "fast path"}


def markdown(result: dict) -> str:
    m = result.get("machine", {})
    lines = []
    if m:
        b, a = m["before"], m["after"]
        lines += [
            f"Machine: {b['cpus']} CPUs; load average {b['load_avg'][0]} before, {a['load_avg'][0]} after; "
            f"CPU pressure (share of time a task waited for a CPU, 60 s) {b.get('cpu_pressure_avg60', '?')}% / "
            f"{a.get('cpu_pressure_avg60', '?')}%.",
            "",
        ]
    if result["results"]:  # none in a --latency-only run
        lines += [
            "| model | format (engine) | pass-through /s | scorer /s | ratio (median) | ratios per round "
            "| CPU µs/event pass-through / scorer (thread; process) | CPU ratio (median) | CPU ratios per round |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
    for r in result["results"]:
        if "error" in r:
            lines.append(f"| {_NAMES[r['model']]} | {r['format'].upper()} | - | - | {r['error']} | | | | |")
            continue
        engine = _ENGINES.get(r["engine"], r["engine"])
        p, s = r.get("pass_through_cpu_us"), r.get("scorer_cpu_us")
        cpu = f"{p['thread']:.1f} / {s['thread']:.1f}; {p['process']:.1f} / {s['process']:.1f}" if p and s else "-"
        lines.append(
            f"| {_NAMES[r['model']]} | {r['format'].upper()} ({engine}) | {r['pass_through_per_s']:,} | "
            f"{r['scorer_per_s']:,} | {r['ratio']:.2f} | {', '.join(f'{x:.2f}' for x in r.get('ratios', []))} | {cpu} | "
            f"{r.get('cpu_ratio', float('nan')):.2f} | {', '.join(f'{x:.2f}' for x in r.get('cpu_ratios', []))} |"
        )
    live = result.get("live_maximum")
    if live:
        steps = "; ".join(
            f"{x['rate_per_s']:,}: {x.get('sent_per_s') or 0:,}, {x.get('latency_growth_ms')}, "
            f"{x['p50_ms']:.0f} / {x['p99_ms']:.0f}, {'yes' if x.get('sustained') else 'no'}"
            for x in live["steps"]
        )
        lines += [
            *([""] if lines and lines[-1] else []),
            f"Maximum live rate {live['rate_per_s']:,}/s: {live['definition']}. Steps (rate /s: sent /s, latency growth ms, "
            f"from send p50 / p99 ms, sustained): {steps}.",
        ]
    lines += [
        "",
        "| guarantee | input rate /s | predictions | from send p50 / p99 / max ms | from broker p50 / p99 / max ms "
        "| batches | sender CPU s | load avg | CPU pressure avg10 % |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["latency"]:
        lines.append(
            f"| {r['guarantee']} | {r['rate_per_s']:,} | {r['predictions']:,} | {r['p50_ms']:.0f} / {r['p99_ms']:.0f} / "
            f"{r['max_ms']:.0f} | {r['broker_p50_ms']:.0f} / {r['broker_p99_ms']:.0f} / {r['broker_max_ms']:.0f} | "
            f"{r['batches']:,} | {r['sender_cpu_s']:.1f} of {r['seconds']:.0f} | {r.get('load_avg', '?')} | "
            f"{r.get('cpu_pressure_avg10', '?')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
