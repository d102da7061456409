"""The continuous loop: score, monitor, drift, alert, retrain online, hot-swap, resolve, land in Parquet.

One run on the stack named by the usual environment (``interchange stack up``, or
INTERCHANGE_BOOTSTRAP_SERVERS / INTERCHANGE_SCHEMA_REGISTRY_URL):

 1. train v1 (StandardScaler + LogisticRegression) on a known distribution
    (f1, f2, f3 ~ N(0, 1); label = f1 + f2 > 0), convert to ONNX, publish it;
 2. start the scorer (thread), the monitor with two rules (accuracy < 0.8, PSI > 0.25; thread),
    the online trainer (SGDClassifier; thread) and ``interchange sink`` on the feature topic
    (subprocess, into a temporary directory);
 3. send feature events at a steady rate and, ``label_delay`` seconds later, their labels to
    ``<model>-labels`` (the monitor joins them with the predictions) and the labelled rows to
    ``<model>-training`` (the trainer learns from them);
 4. inject drift: f1 moves to N(1.5, 1) and the concept turns to label = f2 - f1 + 1.5 > 0, so
    v1 drops to about 50 % accuracy;
 5. read both alerts back from ``interchange-alerts`` (FIRING);
 6. wait for the trainer to publish v2, which must beat v1 by ``gain`` accuracy on its held-out
    window (so nothing is published while v1 is still right), with the offsets that trained it;
 7. wait for predictions with ``model.version == 2`` (and v2's document sha256, role ``base`` and
    the feature event in their lineage fields) from the scorer that has been running all along;
 8. wait for the accuracy alert's RESOLVED event;
 9. stop the traffic; the sink's Parquet must hold every feature event exactly once (its
    ``_offset`` column against the offsets the producer was given).

Each step prints its time; a step that does not happen in time ends the run with exit code 1.
``--quick`` runs it in about a minute; ``--json FILE`` writes what was measured.

    python examples/continuous_loop.py --quick
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import interchange
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.events import codec_for
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.monitor import ALERTS_TOPIC, Monitor, MonitorOptions, load_rules
from interchange.kafka.monitor.labels import labels_codec, labels_topic
from interchange.kafka.registry import AvroCodec, Registry, input_subject, output_subject
from interchange.kafka.scorer import Scorer, ScorerOptions
from interchange.kafka.training import Trainer, TrainerOptions, training_schema, training_topic
from interchange.kafka.training.topic import training_subject
from interchange.kafka.transport import consumer, ensure_topics, producer

FEATURES = ("f1", "f2", "f3")


@dataclass(frozen=True)
class Plan:
    """Sizes and clocks of one run (seconds unless named otherwise)."""

    rate: int = 200  # feature events per second
    baseline: float = 40.0  # seconds of traffic before the drift
    window: float = 10.0  # metric and rule window (event time)
    alert_for: float = 3.0  # how long the accuracy rule must hold before FIRING (the PSI rule fires at once)
    interval: float = 1.0  # monitor emission interval
    label_delay: float = 1.0  # labels (and training rows) follow their events by this much
    every: int = 500  # trained events per candidate
    holdout_size: int = 600  # newest held-out events the gate judges on (a longer span than the window: see RULES)
    min_rows: int = 500  # fewest events in a window for a PSI figure (fewer: PSI is mostly noise)
    profile_rows: int = 500  # newest trained rows a candidate is verified on; its reference profile for drift
    gain: float = 0.25  # a candidate must beat the live version by this much accuracy
    step_timeout: float = 120.0  # longest wait for any one step


QUICK = Plan(
    rate=100,
    baseline=12.0,
    window=5.0,
    alert_for=1.0,
    every=200,
    holdout_size=200,
    min_rows=200,
    profile_rows=200,
    step_timeout=60.0,
)

RULES = """\
rules:
  - {{name: accuracy-low, metric: accuracy, op: "<", threshold: 0.8, window: {window}s, for: {hold}s}}
  - {{name: input-drift, metric: psi_max, op: ">", threshold: 0.25, window: {window}s}}
"""
# The monitor and the trainer both react to the drift. PSI needs no labels and fires first; the
# accuracy rule needs 40 % of its window drifted (plus the label delay); the trainer's gate needs
# most of its held-out window drifted before a candidate beats v1 by ``gain``. A held-out window
# spanning more time than the metric window (``holdout_size`` x ``holdout_every`` events vs
# ``window`` seconds) keeps that order; otherwise v2 can go live before v1's accuracy is seen to
# drop, and then no alert fires at all (the monitor judges drift against the serving version's profile).


class StepFailed(Exception):
    """A step of the loop did not happen in time."""


def _regime(n: int, drifted: bool, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows and their true labels: before the drift label = f1 + f2 > 0; after it f1 is shifted and the concept turned."""
    X = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    if not drifted:
        return X, (X["f1"] + X["f2"] > 0).astype(int).to_numpy()
    X["f1"] += 1.5
    return X, (X["f2"] - X["f1"] + 1.5 > 0).astype(int).to_numpy()


class Traffic:
    """Feature events at a steady rate; labels and training rows ``label_delay`` later; drift on demand."""

    def __init__(self, config: ClientConfig, name: str, plan: Plan, signature: Any) -> None:
        registry = Registry(config)
        self.name, self.plan, self.run_id = name, plan, uuid.uuid4().hex[:6]
        self.features = codec_for(registry, input_subject(name))
        self.labels = labels_codec(registry, signature, name)
        schema = training_schema(pd.DataFrame({f: [0.0] for f in FEATURES}), name, "label", "long")
        self.training = AvroCodec(schema, registry.register(training_subject(name), schema), registry.schema)
        self.producer = producer(config)
        self.rng = np.random.default_rng(7)
        self.drifted = False
        self.drift_at_ms: int | None = None  # when the first drifted event was produced
        self.sent = 0
        self.offsets: dict[tuple[int, int], bytes] = {}  # (partition, offset) -> key of each delivered feature event
        self.failed: list[str] = []
        self._due: list[tuple[float, list[tuple[bytes, dict[str, float], int]]]] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def _delivered(self, err: Any, msg: Any) -> None:
        if err is not None:
            self.failed.append(str(err))
        else:
            self.offsets[(msg.partition(), msg.offset())] = msg.key()

    def _tick(self, n: int) -> None:
        X, y = _regime(n, self.drifted, self.rng)
        if self.drifted and self.drift_at_ms is None:
            self.drift_at_ms = int(time.time() * 1000)
        rows = []
        for i, row in enumerate(X.to_dict("records")):
            key = f"{self.run_id}-{self.sent + i}".encode()
            self.producer.produce(f"{self.name}-features", key=key, value=self.features.encode(row), on_delivery=self._delivered)
            rows.append((key, row, int(y[i])))
        self.sent += n
        self._due.append((time.monotonic() + self.plan.label_delay, rows))
        self._send_labels(time.monotonic())

    def _send_labels(self, now: float) -> None:
        while self._due and self._due[0][0] <= now:
            for key, row, label in self._due.pop(0)[1]:
                self.producer.produce(labels_topic(self.name), key=key, value=self.labels.encode({"label": label}))
                self.producer.produce(training_topic(self.name), key=key, value=self.training.encode({**row, "label": label}))
        self.producer.poll(0)

    def _run(self) -> None:
        start, tick = time.monotonic(), 0.1
        while not self._stop.is_set():
            due = int((time.monotonic() - start) * self.plan.rate) - self.sent
            if due > 0:
                self._tick(due)
            self._stop.wait(tick)
        self._send_labels(float("inf"))
        if self.producer.flush(30):
            self.failed.append("events not delivered within 30 s")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(60)


class Watch:
    """Reads back what the loop wrote: alerts for this model, predictions, new versions on the model topic."""

    def __init__(self, config: ClientConfig, name: str) -> None:
        registry = Registry(config)
        self.name = name
        self.predictions = codec_for(registry, output_subject(name))
        self.alert_codec = codec_for(registry, f"{ALERTS_TOPIC}-value")
        self.consumer = consumer(config, f"loop-watch-{uuid.uuid4().hex[:8]}")
        self.consumer.subscribe([f"{name}-predictions", ALERTS_TOPIC])
        self.follower = ModelFollower(config, names=[name])
        self.alerts: list[dict[str, Any]] = []
        self.versions: dict[int, Any] = {e.version: e for e in self.follower.read_to_end()}
        self.first_prediction: dict[int, tuple[int, dict[str, Any]]] = {}  # version -> (timestamp ms, its record)
        self.predictions_seen = 0

    def poll(self, timeout: float = 0.2) -> None:
        for env in self.follower.poll(0):
            self.versions[env.version] = env
        for msg in self.consumer.consume(1000, timeout):
            if msg.error():
                continue
            if msg.topic() == ALERTS_TOPIC:
                alert = self.alert_codec.decode(msg.value())
                if alert["model"] == self.name:
                    self.alerts.append(alert)
                continue
            self.predictions_seen += 1
            record = self.predictions.decode(msg.value())
            version = record["model"]["version"]
            if version not in self.first_prediction:
                kind, stamp = msg.timestamp()
                self.first_prediction[version] = (stamp if kind != TIMESTAMP_NOT_AVAILABLE else 0, record)

    def alert(self, rule: str, state: str, since_ms: int = 0) -> dict[str, Any] | None:
        """The first ``state`` event of ``rule`` at or after ``since_ms``."""
        return next((a for a in self.alerts if (a["rule"], a["state"]) == (rule, state) and _ms(a["at"]) >= since_ms), None)

    def close(self) -> None:
        self.consumer.close()
        self.follower.close()


@dataclass
class Report:
    """What one run saw; ``figures`` are the measured times (ms) and rates."""

    model: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    ok: bool = False


class Steps:
    """Prints each step with its time since the start and how long it took; waits with a deadline."""

    def __init__(self, report: Report, poll: Callable[[], None]) -> None:
        self.report, self.poll, self.started = report, poll, time.monotonic()

    def done(self, name: str, detail: str, began: float) -> None:
        now = time.monotonic()
        self.report.steps.append({"step": name, "detail": detail, "at_s": round(now - self.started, 2)})
        print(f"[{now - self.started:7.1f}s] {name}: {detail} ({now - began:.1f} s)", flush=True)

    def wait(self, name: str, check: Callable[[], Any], timeout: float) -> Any:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            self.poll()
            found = check()
            if found:
                return found
        raise StepFailed(f"{name}: not within {timeout:g} s")

    def hold(self, seconds: float) -> None:
        """Let the loop run for ``seconds``, reading what it writes."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.poll()


def _percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    if not len(arr):
        return {}
    return {"n": len(arr), "p50": round(float(np.percentile(arr, 50)), 1), "max": round(float(arr.max()), 1)}


def run_loop(plan: Plan, config: ClientConfig, name: str, workdir: Path) -> Report:
    """Run the loop once; raises StepFailed when a step does not happen in time."""
    report = Report(model=name)
    threads: list[tuple[Any, threading.Thread]] = []
    sink: subprocess.Popen[bytes] | None = None
    traffic: Traffic | None = None
    watch: Watch | None = None
    steps = Steps(report, lambda: watch.poll() if watch else None)
    try:
        # 1. v1 on the known distribution
        began = time.monotonic()
        X, y = _regime(3000, False, np.random.default_rng(0))
        converted = interchange.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), "onnx", sample=X)
        published = interchange.publish(converted, name=name, config=config)
        steps.done("publish", f"{name} v{published.version} (onnx, verified on {converted.verification.result.rows} rows)", began)

        # 2. scorer, monitor, trainer, sink
        began = time.monotonic()
        topics = [f"{name}-features", f"{name}-predictions", labels_topic(name), training_topic(name)]
        ensure_topics(config, {t: {} for t in topics})
        traffic = Traffic(config, name, plan, converted.signature)  # registers the labels and training schemas
        rules_file = workdir / "rules.yaml"
        rules_file.write_text(RULES.format(window=plan.window, hold=plan.alert_for))
        scorer = Scorer(ScorerOptions(model=name), config)
        monitor = Monitor(
            MonitorOptions(
                name, window=plan.window, interval=plan.interval, min_rows=plan.min_rows, rules=tuple(load_rules(rules_file))
            ),
            config,
        )
        trainer = Trainer(
            TrainerOptions(
                model=name,
                estimator="sgd-classifier",
                every=plan.every,
                holdout_size=plan.holdout_size,
                margin=-plan.gain,
                sample_rows=plan.profile_rows,
            ),
            config,
        )
        for worker in (scorer, monitor, trainer):
            thread = threading.Thread(target=worker.run, name=type(worker).__name__, daemon=True)
            thread.start()
            threads.append((worker, thread))
        lake = workdir / "lake"
        sink = subprocess.Popen(
            [sys.executable, "-m", "interchange.cli", "sink", "--topic", f"{name}-features", "--to", str(lake)]
            + ["--flush-seconds", "1", "--flush-events", "1000"],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "sink.log").open("wb"),
        )
        watch = Watch(config, name)
        steps.wait("scorer ready", lambda: scorer.stats.version == 1, plan.step_timeout)
        steps.done("start", "scorer (v1), monitor (2 rules), online trainer, sink -> " + str(lake), began)

        # 3. steady traffic on v1's distribution
        began = time.monotonic()
        traffic.start()
        steps.hold(plan.baseline)
        accuracy = monitor.stats.last.get(("accuracy", plan.window))
        firing = [a["rule"] for a in watch.alerts if a["state"] == "FIRING"]
        if accuracy is None or accuracy < 0.9 or firing or len(watch.versions) != 1:
            raise StepFailed(f"baseline: accuracy {accuracy}, firing {firing}, versions {sorted(watch.versions)}")
        steps.done("baseline", f"{traffic.sent} events, v1 accuracy {accuracy:.3f}, no alert, no new version", began)

        # 4. drift
        began = time.monotonic()
        drift_ms = int(time.time() * 1000)
        traffic.drifted = True
        steps.done("drift", "f1 ~ N(1.5, 1), label = f2 - f1 + 1.5 > 0", began)

        # 5. alerts
        alerts = {}
        for rule in ("input-drift", "accuracy-low"):
            alert = steps.wait(f"{rule} FIRING", lambda r=rule: watch.alert(r, "FIRING", drift_ms), plan.step_timeout)
            alerts[rule] = alert
            steps.done(f"alert {rule}", f"FIRING: {alert['message']}", began)
        assert traffic.drift_at_ms is not None
        report.figures["drift_to_alert_ms"] = {r: _ms(a["at"]) - traffic.drift_at_ms for r, a in alerts.items()}

        # 6. v2 from online training
        began = time.monotonic()
        v2 = steps.wait("v2 published", lambda: watch.versions.get(2), plan.step_timeout)
        training = json.loads(v2.lineage)["training"]
        gate = training["gate"]
        steps.done(
            "online training",
            f"v2 published: gate {gate['metric']} {gate['candidate']:.3f} vs v1 {gate['live']:.3f} on {gate['rows']} "
            f"held-out events, trained on offsets {training['offsets']}",
            began,
        )
        report.figures["v2"] = {"created_at": v2.created_at, "training": training}
        report.figures["drift_to_v2_ms"] = v2.created_at - traffic.drift_at_ms

        # 7. the running scorer serves v2
        began = time.monotonic()
        at, record = steps.wait("scorer switched", lambda: watch.first_prediction.get(2), plan.step_timeout)
        ref, source = record["model"], record.get("source") or {}
        if (ref.get("sha256"), ref.get("role"), source.get("topic")) != (v2.sha256, "base", f"{name}-features"):
            raise StepFailed(f"scorer switched: a v2 prediction's lineage is model {ref}, source {source}")
        report.figures["training_to_live_ms"] = at - v2.created_at
        steps.done(
            "hot swap",
            f"scorer serves v2 (lineage: sha256 {ref['sha256'][:12]}…, role base, source {source['topic']}/"
            f"{source['partition']}/{source['offset']}), swaps {scorer.stats.swaps}",
            began,
        )

        # 8. the accuracy alert resolves
        began = time.monotonic()
        recovered = lambda: watch.alert("accuracy-low", "RESOLVED", drift_ms)  # noqa: E731
        resolved = steps.wait("accuracy-low RESOLVED", recovered, plan.step_timeout)
        steps.done("alert resolved", resolved["message"], began)
        report.figures["drift_to_resolved_ms"] = _ms(resolved["at"]) - traffic.drift_at_ms
        # v2's reference profile is its own (drifted) training data, so the drift alert may resolve
        # too once the window holds only new events; not a step that must happen (a model can be
        # published from a sample still mixing both regimes).
        began = time.monotonic()
        try:
            drift = steps.wait("input-drift RESOLVED", lambda: watch.alert("input-drift", "RESOLVED", drift_ms), plan.window + 5)
            steps.done("drift alert resolved", f"{drift['message']} (against v2's profile)", began)
        except StepFailed:
            steps.done("drift alert", "still firing: v2's profile does not describe the new inputs yet", began)
        report.figures["input_drift_resolved"] = watch.alert("input-drift", "RESOLVED", drift_ms) is not None

        # 9. stop the traffic; the sink holds every feature event once
        began = time.monotonic()
        traffic.stop()
        if traffic.failed:
            raise StepFailed(f"traffic: {traffic.failed[:3]}")
        expected = len(traffic.offsets)
        steps.wait("sink caught up", lambda: _landed(lake, name) >= expected, plan.step_timeout)
        sink.terminate()
        sink.wait(30)
        frame = pd.read_parquet(lake / f"topic={name}-features")
        got = list(zip(frame["_partition"].astype(int), frame["_offset"].astype(int), strict=True))
        if len(got) != len(set(got)) or set(got) != set(traffic.offsets):
            raise StepFailed(f"sink: {len(got)} rows, {len(set(got))} distinct offsets, {expected} events sent")
        keys = {(p, o): k for p, o, k in zip(frame["_partition"], frame["_offset"], frame["_key"], strict=True)}
        if any(keys[po] != traffic.offsets[po] for po in traffic.offsets):
            raise StepFailed("sink: a row's key is not the key its offset was produced with")
        steps.done("sink", f"{len(frame)} rows in Parquet = {expected} feature events, each offset once", began)

        report.figures.update(
            events=traffic.sent,
            monitor_lag_ms=_percentiles(monitor.stats.lag_ms[2:]),  # the first emissions include the group join
            candidate_s=[round(s, 2) for s in trainer.stats.candidate_seconds],
            gates=[g.describe() for g in trainer.stats.gates],
            published=trainer.stats.published,
            alerts=[f"{a['rule']}:{a['state']}" for a in watch.alerts],
        )
        report.ok = True
        return report
    finally:
        if traffic is not None and traffic.thread.is_alive():
            traffic.stop()
        for worker, _ in threads:
            worker.stop()
        for _, thread in threads:
            thread.join(30)
        if sink is not None and sink.poll() is None:
            sink.terminate()
            sink.wait(30)
        if watch is not None:
            watch.close()


def _ms(value: Any) -> int:
    return int(value.timestamp() * 1000) if hasattr(value, "timestamp") else int(value)


def _landed(lake: Path, name: str) -> int:
    files = (lake / f"topic={name}-features").glob("date=*/*.parquet")  # committed files only (temporaries are hidden)
    return sum(pq.read_metadata(f).num_rows for f in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts and windows: about a minute")
    parser.add_argument("--name", default=None, help="model name (default: loop-<random>)")
    parser.add_argument("--json", type=Path, default=None, help="write the steps and figures here")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the rules, the sink's log and its Parquet here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    plan = QUICK if args.quick else Plan()
    name = args.name or f"loop-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="interchange-loop-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            report = run_loop(plan, load_config(), name, workdir)
        except (StepFailed, interchange.InterchangeError) as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            if (workdir / "sink.log").exists():
                print((workdir / "sink.log").read_text()[-2000:], file=sys.stderr)
            return 1
    print(json.dumps(report.figures, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
