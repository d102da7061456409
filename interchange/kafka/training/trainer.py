"""The online trainer: learn from labelled events, publish the next version when it is not worse.

Reads ``<model>-training`` (see :mod:`interchange.kafka.training.topic`); every ``holdout_every``-th
event goes to a held-out window instead of the learner. Every ``every`` trained events (or
``seconds``), the learner's pipeline is converted (``convert`` verifies it), judged against
the live version on the held-out window (:mod:`interchange.kafka.training.gate`), and published
with ``modeltopic.publish`` when it passes; its lineage records the topic offsets that
trained it and the gate's figures. Running scorers pick the new version up from the model topic.

Error policy: an event that does not decode or cannot train (missing feature, unknown
class, ...) is dead-lettered to ``<model>-trainer-dlq`` with its reason. A candidate that
fails conversion or verification is refused like one that fails the gate; training goes on.
Offsets are committed when a version is published; a restarted trainer starts a fresh
learner from there, and the gate keeps it from publishing before it is good enough.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Message

from interchange.convert import convert
from interchange.errors import ConfigError, ConversionError, RecordError, TransportError
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.modeltopic import DEFAULT_MODEL_TOPIC, Envelope, ModelFollower, publish
from interchange.kafka.registry import Registry
from interchange.kafka.scorer.delivery.deadletter import DeadLetters
from interchange.kafka.training.gate import GateResult, judge
from interchange.kafka.training.learner import OnlineLearner
from interchange.kafka.training.topic import training_codec, training_topic
from interchange.kafka.transport import consumer, ensure_topics, position, producer
from interchange.model import Model, load

__all__ = ["Trainer", "TrainerOptions", "TrainerStats"]

log = logging.getLogger("interchange.kafka.training")

_TARGET = {"classification": "label", "regression": "value", "clustering": None}


@dataclass(frozen=True)
class TrainerOptions:
    """What to learn and when to publish; topic names default from the model name."""

    model: str
    estimator: str
    every: int = 1000
    seconds: float | None = None
    format: str | None = None  # default: the live version's format, else onnx
    topic: str | None = None
    dead_letter_topic: str | None = None
    model_topic: str = DEFAULT_MODEL_TOPIC
    group: str | None = None
    holdout_every: int = 5
    holdout_size: int = 1000
    min_holdout: int = 30
    margin: float = 0.0
    batch: int = 200
    sample_rows: int = 1000
    clusters: int = 8
    random_state: int = 0

    def __post_init__(self) -> None:
        for key in ("every", "holdout_every", "holdout_size", "min_holdout", "batch", "sample_rows", "clusters"):
            if getattr(self, key) < 1:
                raise ConfigError(f"{key} must be at least 1, got {getattr(self, key)}", key=key)
        if self.holdout_every < 2:
            raise ConfigError("holdout_every must be at least 2 (1 would hold out every event)", key="holdout_every")


@dataclass
class TrainerStats:
    events: int = 0
    trained: int = 0
    held_out: int = 0
    dead_lettered: int = 0
    published: list[int] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    candidate_seconds: list[float] = field(default_factory=list)  # flush + convert + verify + gate + publish
    event_to_published_ms: list[float] = field(default_factory=list)  # newest trained event's time -> published


class Trainer:
    """Online training for one model.

    Example::

        Trainer(TrainerOptions(model="iris", estimator="sgd-classifier", every=500)).run()
    """

    def __init__(self, options: TrainerOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.stats = TrainerStats()
        self._stop = threading.Event()
        self.registry = Registry(self.config)
        topic = options.topic or training_topic(options.model)
        self.topic = topic
        dlq = options.dead_letter_topic or f"{options.model}-trainer-dlq"
        ensure_topics(self.config, {topic: {}, dlq: {}, options.model_topic: {"compacted": True}})
        self.codec, self.features, self.target = training_codec(self.registry, options.model, topic)
        self.follower = ModelFollower(self.config, options.model_topic, [options.model], self.registry)
        self.live: Envelope | None = None
        self._live_model: tuple[int, Model] | None = None
        self._offer(self.follower.read_to_end())
        classes = None
        if self.live is not None and self.live.model_signature().task == "classification":
            classes = list(self.live.model_signature().classes or []) or None
        self.learner = OnlineLearner(
            options.estimator, self.features, classes=classes, random_state=options.random_state, clusters=options.clusters
        )
        wanted = _TARGET[self.learner.task]
        if wanted is not None and self.target != wanted:
            raise ConfigError(
                f"{options.estimator} learns from a {wanted!r} field; {topic}'s schema has {self.target or 'no target'}",
                key="topic",
            )
        self.producer = producer(self.config)
        self.dead = DeadLetters(self.registry, self.producer, dlq)
        self.consumer = consumer(self.config, options.group or f"interchange-trainer-{options.model}")
        self.consumer.subscribe([topic])
        self._buffer: list[tuple[np.ndarray, Any]] = []
        self._sample: deque[np.ndarray] = deque(maxlen=options.sample_rows)
        self._holdout: deque[tuple[np.ndarray, Any]] = deque(maxlen=options.holdout_size)
        self._offsets: dict[int, list[int]] = {}  # partition -> [first, last] trained offset
        self._since_candidate = 0
        self._newest_ts = 0

    def _offer(self, envelopes: list[Envelope]) -> None:
        for env in envelopes:
            if self.live is None or env.version > self.live.version:
                self.live = env

    def _live(self) -> Model | None:
        if self.live is None:
            return None
        if self._live_model is None or self._live_model[0] != self.live.version:
            self._live_model = (self.live.version, load(self.live.to_document()))
        return self._live_model[1]

    # --- events -------------------------------------------------------------------------
    def _handle(self, msg: Message) -> None:
        self.stats.events += 1
        try:
            record = self.codec.decode(msg.value())
            row = np.array([np.nan if record.get(f) is None else record[f] for f in self.features], dtype=np.float64)
            target = record.get(self.target) if self.target else None
            self.learner.check(row, target)
        except (RecordError, TypeError, ValueError) as exc:
            error = exc if isinstance(exc, RecordError) else RecordError(f"training event unusable: {exc}")
            self.dead.send(msg, error, {"name": self.options.model, "version": self.live.version if self.live else 0})
            self.stats.dead_lettered += 1
            return
        if self.stats.events % self.options.holdout_every == 0:
            self._holdout.append((row, target))
            self.stats.held_out += 1
            return
        kind, stamp = msg.timestamp()
        self._newest_ts = max(self._newest_ts, stamp if kind != TIMESTAMP_NOT_AVAILABLE else int(time.time() * 1000))
        self._buffer.append((row, target))
        _, partition, offset = position(msg)
        span = self._offsets.setdefault(partition, [offset, offset])
        span[0], span[1] = min(span[0], offset), max(span[1], offset)
        self._since_candidate += 1
        if len(self._buffer) >= self.options.batch:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        X = np.vstack([r for r, _ in self._buffer])
        y = None if self.target is None else np.array([t for _, t in self._buffer])
        self.learner.partial_fit(X, y)
        self._sample.extend(X)
        self.stats.trained += len(X)
        self._buffer.clear()

    # --- candidates ---------------------------------------------------------------------
    def candidate(self) -> GateResult | None:
        """Convert, judge and (when it passes) publish the learner's current model; the gate's result."""
        if len(self._holdout) < self.options.min_holdout:
            return None
        started = time.monotonic()
        self._flush()
        self._since_candidate = 0
        self._offer(self.follower.poll(0))
        fmt = self.options.format or (self.live.format if self.live else "onnx")
        sample = pd.DataFrame(np.vstack(list(self._sample)), columns=self.features)
        try:
            converted = convert(self.learner.estimator(), fmt, sample=sample)
        except ConversionError as exc:
            self.stats.refused.append(f"conversion: {exc.message}")
            log.error("candidate refused: %s", exc.message)
            return None
        X = pd.DataFrame(np.vstack([r for r, _ in self._holdout]), columns=self.features)
        y = None if self.target is None else np.array([t for _, t in self._holdout])
        live = self._live()
        result = judge(
            self.learner.task,
            converted.model,
            live,
            X,
            y,
            live_version=self.live.version if live and self.live else None,
            margin=self.options.margin,
        )
        self.stats.gates.append(result)
        if not result.passed:
            self.stats.refused.append(result.describe())
            log.warning("candidate after %d trained events: %s", self.stats.trained, result.describe())
            return result
        converted.lineage["training"] = {
            "topic": self.topic,
            "offsets": {str(p): span for p, span in sorted(self._offsets.items())},
            "events_trained": self.stats.trained,
            "held_out": len(self._holdout),
            "holdout_every": self.options.holdout_every,
            "estimator": self.options.estimator,
            "gate": result.to_dict(),
        }
        done = publish(converted, name=self.options.model, config=self.config, topic=self.options.model_topic)
        self.stats.published.append(done.version)
        self.stats.candidate_seconds.append(time.monotonic() - started)
        self.stats.event_to_published_ms.append(time.time() * 1000 - self._newest_ts)
        self._offer(self.follower.poll(1.0))
        self.consumer.commit(asynchronous=False)
        log.info(
            "published %s v%d after %d trained events (%s) in %.2f s",
            self.options.model,
            done.version,
            self.stats.trained,
            result.describe(),
            self.stats.candidate_seconds[-1],
        )
        return result

    # --- loop ---------------------------------------------------------------------------
    def run(self, *, max_events: int | None = None, idle_timeout: float | None = None) -> TrainerStats:
        """Train until stopped (SIGINT/SIGTERM, ``stop()``), ``max_events`` read, or ``idle_timeout`` s without events."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self._stop.set())
        last_event = last_candidate = last_status = time.monotonic()
        try:
            while not self._stop.is_set():
                self._offer(self.follower.poll(0))
                for msg in self.consumer.consume(500, 0.2):
                    if msg.error():
                        continue
                    self._handle(msg)
                    last_event = time.monotonic()
                    if self._since_candidate >= self.options.every and self.candidate() is not None:
                        last_candidate = time.monotonic()
                now = time.monotonic()
                if self.options.seconds and now - last_candidate >= self.options.seconds and self._since_candidate:
                    if self.candidate() is not None:
                        last_candidate = now
                if now - last_status >= 10:
                    s = self.stats
                    log.info(
                        "read %d events: trained %d, held out %d, dead-lettered %d",
                        s.events,
                        s.trained,
                        s.held_out,
                        s.dead_lettered,
                    )
                    last_status = now
                if idle_timeout is not None and now - last_event > idle_timeout:
                    break
                if max_events is not None and self.stats.events >= max_events:
                    break
        finally:
            self.close()
        return self.stats

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            if self.producer.flush(10):
                raise TransportError("dead letters were not delivered within 10 s")
        finally:
            self.consumer.close()
            self.follower.close()
