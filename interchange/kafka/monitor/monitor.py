"""The monitor loop: read predictions, labels and features; emit metrics and alerts.

Reads ``<model>-predictions`` (records of ``<model>-output``), ``<model>-labels`` (see
:mod:`interchange.kafka.monitor.labels`) and ``<model>-features`` (records of ``<model>-input``)
with one consumer, follows the model topic for the serving version's signature and
reference profile, and every ``interval`` seconds writes Metric events to
``interchange-metrics`` and evaluates the alert rules, writing Alert events to
``interchange-alerts`` plus a log line on each FIRING / RESOLVED.

Error policy: an event that does not decode (or a label without a key) is dead-lettered to
``<model>-monitor-dlq`` with its reason and counted (``dead_letters_total``); nothing is
dropped silently. Broker and registry failures stop the monitor with their own errors.
Offsets are committed after each emission; the join state lives in memory, so a restarted
monitor resumes from the committed offsets with an empty join (labels of predictions read
before the restart count as unjoined).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, KafkaError, KafkaException, Message

from interchange.errors import ConfigError, RecordError, TransportError
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.modeltopic import DEFAULT_MODEL_TOPIC, Envelope, ModelFollower
from interchange.kafka.monitor.labels import label_field, labels_codec, labels_topic
from interchange.kafka.monitor.metrics import WINDOWED_METRICS
from interchange.kafka.monitor.rules import AlertBook, Rule, Transition
from interchange.kafka.monitor.state import COUNTERS, MonitorState, StateLimits
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.scorer.delivery.deadletter import DeadLetters
from interchange.kafka.transport import consumer, ensure_topics, producer
from interchange.profile import profile_from_json
from interchange.resources import avro_schema

__all__ = ["Monitor", "MonitorOptions", "METRICS_TOPIC", "ALERTS_TOPIC"]

log = logging.getLogger("interchange.kafka.monitor")

METRICS_TOPIC = "interchange-metrics"
ALERTS_TOPIC = "interchange-alerts"
STATUS_EVERY_S = 30.0


@dataclass(frozen=True)
class MonitorOptions:
    """What to watch; topic names default from the model name, durations are seconds."""

    model: str
    predictions_topic: str | None = None
    labels_topic: str | None = None
    features_topic: str | None = None
    dead_letter_topic: str | None = None
    metrics_topic: str = METRICS_TOPIC
    alerts_topic: str = ALERTS_TOPIC
    model_topic: str = DEFAULT_MODEL_TOPIC
    group: str | None = None
    window: float = 300.0
    join_window: float = 3600.0
    interval: float = 5.0
    sla_ms: float = 1000.0
    max_pending: int = 100_000
    max_events: int = 100_000
    min_rows: int = 30
    rules: tuple[Rule, ...] = ()

    @property
    def topics(self) -> tuple[str, str, str, str]:
        m = self.model
        return (
            self.predictions_topic or f"{m}-predictions",
            self.labels_topic or labels_topic(m),
            self.features_topic or f"{m}-features",
            self.dead_letter_topic or f"{m}-monitor-dlq",
        )


@dataclass
class MonitorStats:
    events: int = 0
    emissions: int = 0
    alerts: list[str] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)  # per emission: newest metric time - oldest new event time
    last: dict[tuple[str, float | None], float] = field(default_factory=dict)


class Monitor:
    """Watches one model's predictions, labels and features.

    Example::

        Monitor(MonitorOptions(model="iris", rules=tuple(load_rules("rules.yaml")))).run()
    """

    def __init__(self, options: MonitorOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.stats = MonitorStats()
        self._stop = threading.Event()
        self.registry = Registry(self.config)
        preds, labels, features, dlq = options.topics
        ensure_topics(
            self.config,
            {preds: {}, labels: {}, features: {}, dlq: {}, options.metrics_topic: {}, options.alerts_topic: {}},
        )
        self.follower = ModelFollower(self.config, options.model_topic, [options.model], self.registry)
        envelopes = self.follower.read_to_end()
        if not envelopes:
            self.follower.close()
            raise ConfigError(
                f"no version of model {options.model!r} on {options.model_topic}; publish one before monitoring it", key="model"
            )
        self.envelope = max(envelopes, key=lambda e: e.version)
        signature = self.envelope.model_signature()
        self._check_rules(signature)
        windows = {int(options.window * 1000)} | {int(r.window * 1000) for r in options.rules if r.window}
        limits = StateLimits(int(options.join_window * 1000), options.max_pending, options.max_events, options.min_rows)
        self.state = MonitorState(signature, profile_from_json(self.envelope.profile), windows, limits)
        self.book = AlertBook(list(options.rules))
        self.producer = producer(self.config)
        self.dead = DeadLetters(self.registry, self.producer, dlq)
        self.metric_codec = self._codec("metric", options.metrics_topic)
        self.alert_codec = self._codec("alert", options.alerts_topic)
        self._use(self.envelope)
        self.consumer = consumer(self.config, options.group or f"interchange-monitor-{options.model}")
        self.consumer.subscribe([preds, labels, features])
        self._pending_since: int | None = None  # oldest event time since the last emission (for lag)

    def _codec(self, schema_name: str, topic: str) -> AvroCodec:
        schema = avro_schema(schema_name)
        return AvroCodec(schema, self.registry.register(f"{topic}-value", schema), self.registry.schema)

    def _check_rules(self, signature: Any) -> None:
        known = set(WINDOWED_METRICS) | set(COUNTERS) | {f"psi_{f.name}" for f in signature.inputs}
        for rule in self.options.rules:
            if rule.metric not in known:
                raise ConfigError(
                    f"rule {rule.name!r}: metric {rule.metric!r} is not one the monitor computes for {self.options.model}; "
                    f"known: {', '.join(sorted(known))}",
                    rule=rule.name,
                    key="metric",
                )

    def _use(self, envelope: Envelope) -> None:
        """Decode with this version's schemas; measure drift against its profile."""
        self.envelope = envelope
        signature = envelope.model_signature()
        self.output_codec = AvroCodec(
            self.registry.schema(envelope.output_schema_id), envelope.output_schema_id, self.registry.schema
        )
        self.input_codec = AvroCodec(
            self.registry.schema(envelope.input_schema_id), envelope.input_schema_id, self.registry.schema
        )
        self.label_name: str | None = None
        self.labels_codec: AvroCodec | None = None
        if signature.task in ("classification", "regression"):
            self.label_name = label_field(signature)[0]
            self.labels_codec = labels_codec(self.registry, signature, self.options.model, self.options.topics[1])
        self.state.use(signature, profile_from_json(envelope.profile))
        log.info("monitoring %s v%s (%s)", envelope.name, envelope.version, "with profile" if envelope.profile else "no profile")

    # --- events -------------------------------------------------------------------------
    def _handle(self, messages: Sequence[Message]) -> None:
        preds, labels, features, _ = self.options.topics
        for msg in messages:
            if msg.error():
                continue
            kind, stamp = msg.timestamp()
            ts = stamp if kind != TIMESTAMP_NOT_AVAILABLE else int(time.time() * 1000)
            self.stats.events += 1
            self._pending_since = ts if self._pending_since is None else min(self._pending_since, ts)
            topic, key = msg.topic(), msg.key()
            try:
                if topic == preds:
                    self.state.add_prediction(key, ts, self.output_codec.decode(msg.value()))
                elif topic == labels:
                    if self.labels_codec is None or self.label_name is None:
                        raise RecordError(
                            f"model {self.options.model} is a {self.state.signature.task} model; it takes no labels"
                        )
                    if key is None:
                        raise RecordError("label event has no key; labels join predictions by the feature event's key")
                    self.state.add_label(key, ts, self.labels_codec.decode(msg.value())[self.label_name])
                elif topic == features:
                    self.state.add_features(key, ts, self.input_codec.decode(msg.value()))
            except RecordError as exc:
                self.dead.send(msg, exc, {"name": self.envelope.name, "version": self.envelope.version})
                self.state.dead_letter()

    # --- output -------------------------------------------------------------------------
    def emit(self) -> dict[tuple[str, float | None], float]:
        """Compute every figure, write metrics, evaluate rules, write alerts; the figures."""
        figures = self.state.figures(self.options.sla_ms)
        now = int(time.time() * 1000)
        if self._pending_since is not None:
            lag = float(now - self._pending_since)
            figures[("monitor_lag_ms", None)] = lag
            self.stats.lag_ms.append(lag)
            self._pending_since = None
        version = self.envelope.version
        topic = self.options.metrics_topic
        for (name, window), value in figures.items():
            record = {
                "source": "monitor",
                "model": self.options.model,
                "version": version,
                "name": name,
                "value": float(value),
                "window_s": window,
                "labels": {},
                "at": now,
            }
            self.producer.produce(topic, key=self.options.model.encode(), value=self.metric_codec.encode(record))
        lookup = {(n, w): v for (n, w), v in figures.items() if w is not None}
        for (n, w), v in figures.items():
            if w is None:  # counters hold for every window a rule may name
                for window in self.state.windows_ms:
                    lookup[(n, window / 1000.0)] = v
        for change in self.book.evaluate(lookup, self.state.now_ms / 1000.0, self.options.window):
            self._alert(change, now)
        if self.producer.flush(30):
            raise TransportError(f"metrics to {topic} were not delivered within 30 s", topic=topic)
        self._commit()
        self.stats.emissions += 1
        self.stats.last = figures
        return figures

    def _commit(self) -> None:
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:  # nothing consumed since the last commit
                raise TransportError(f"cannot commit the monitor's offsets: {exc.args[0]}") from exc

    def _alert(self, change: Transition, now: int) -> None:
        rule = change.rule
        message = f"{self.options.model}: {rule.name} {change.state}: {rule.describe(change.value)}"
        record = {
            "rule": rule.name,
            "model": self.options.model,
            "version": self.envelope.version,
            "metric": rule.metric,
            "value": change.value,
            "threshold": rule.threshold,
            "state": change.state,
            "message": message,
            "at": now,
        }
        self.producer.produce(self.options.alerts_topic, key=self.options.model.encode(), value=self.alert_codec.encode(record))
        (log.warning if change.state == "FIRING" else log.info)("ALERT %s", message)
        self.stats.alerts.append(f"{rule.name}:{change.state}")

    # --- loop ---------------------------------------------------------------------------
    def run(self, *, idle_timeout: float | None = None, max_seconds: float | None = None) -> MonitorStats:
        """Run until stopped (SIGINT/SIGTERM, ``stop()``), ``idle_timeout`` s without events, or ``max_seconds``."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self._stop.set())
        started = last_event = last_emit = last_status = time.monotonic()
        try:
            while not self._stop.is_set():
                for env in self.follower.poll(0):
                    if env.version > self.envelope.version:
                        self._use(env)
                messages = self.consumer.consume(1000, 0.2)
                self._handle(messages)
                clock = time.monotonic()
                if messages:
                    last_event = clock
                if clock - last_emit >= self.options.interval:
                    self.emit()
                    last_emit = clock
                if clock - last_status >= STATUS_EVERY_S:
                    self._status()
                    last_status = clock
                if idle_timeout is not None and clock - last_event > idle_timeout:
                    break
                if max_seconds is not None and clock - started > max_seconds:
                    break
            self.emit()
        finally:
            self.close()
        return self.stats

    def _status(self) -> None:
        c = self.state.counts
        log.info(
            "read %d events (%d predictions, %d labels, %d features); %d joined; %d dead letters; firing: %s",
            self.stats.events,
            c["predictions_total"],
            c["labels_total"],
            c["features_total"],
            self.state.join.counts.joined,
            c["dead_letters_total"],
            ", ".join(self.book.firing()) or "none",
        )

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            self.producer.flush(10)
        finally:
            self.consumer.close()
            self.follower.close()
