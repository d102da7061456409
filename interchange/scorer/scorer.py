"""The scoring loop: decode a batch, predict once, encode, produce, commit.

Errors follow the record/model split: an event that cannot be decoded or evaluated is
dead-lettered and the loop goes on; a model version that fails to load or verify is refused
and the previous version keeps serving. Offsets are committed after the batch's predictions
and dead letters are delivered (at-least-once).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from confluent_kafka import Message

from interchange.config import ClientConfig, load_config
from interchange.errors import ModelError, RecordError, TransportError
from interchange.modeltopic import DEFAULT_MODEL_TOPIC, Envelope, ModelFollower
from interchange.registry import Registry
from interchange.scorer.deadletter import DeadLetters
from interchange.scorer.live import LiveModel, activate
from interchange.signature import Signature
from interchange.transport import consumer, ensure_topics, producer

__all__ = ["Scorer", "ScorerOptions", "ScorerStats"]

log = logging.getLogger("interchange.scorer")


@dataclass(frozen=True)
class ScorerOptions:
    """What to score and where; topic names default from the model name."""

    model: str
    input_topic: str | None = None
    output_topic: str | None = None
    dead_letter_topic: str | None = None
    model_topic: str = DEFAULT_MODEL_TOPIC
    group: str | None = None
    batch_size: int = 1000
    poll_timeout: float = 0.2
    signing_key: str | None = None
    engine: str = "auto"

    @property
    def topics(self) -> tuple[str, str, str]:
        m = self.model
        return (
            self.input_topic or f"{m}-features",
            self.output_topic or f"{m}-predictions",
            self.dead_letter_topic or f"{m}-dlq",
        )


@dataclass
class ScorerStats:
    scored: int = 0
    dead_lettered: int = 0
    batches: int = 0
    swaps: int = 0
    refused: list[str] = field(default_factory=list)
    version: int | None = None
    first_batch_at: float | None = None  # time.monotonic() when the first batch arrived
    last_batch_at: float | None = None  # ... and when the latest batch was committed

    @property
    def rate(self) -> float:
        """Events per second between the first batch's arrival and the last commit."""
        if self.first_batch_at is None or self.last_batch_at is None or self.last_batch_at <= self.first_batch_at:
            return 0.0
        return (self.scored + self.dead_lettered) / (self.last_batch_at - self.first_batch_at)


class Scorer:
    """Follows the model topic and scores ``options.model``'s feature topic.

    Example::

        Scorer(ScorerOptions(model="iris")).run()
    """

    def __init__(self, options: ScorerOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.stats = ScorerStats()
        self.live: LiveModel | None = None
        self._stop = threading.Event()
        self.registry = Registry(self.config)
        source, sink, dlq = options.topics
        ensure_topics(self.config, {source: {}, sink: {}, dlq: {}, options.model_topic: {"compacted": True}})
        self.follower = ModelFollower(self.config, options.model_topic, [options.model], self.registry)
        self.producer = producer(self.config)
        self.dead = DeadLetters(self.registry, self.producer, dlq)
        self.consumer = consumer(self.config, options.group or f"interchange-scorer-{options.model}")
        self.consumer.subscribe([source])

    # --- models -----------------------------------------------------------------------
    def _offer(self, envelopes: list[Envelope]) -> None:
        """Try new versions newest first; the first that verifies goes live."""
        current = self.live.envelope.version if self.live else 0
        for env in sorted(envelopes, key=lambda e: e.version, reverse=True):
            if env.version <= current:
                break
            try:
                self.live = activate(env, self.registry, self.options.signing_key, self.options.engine)
            except ModelError as exc:
                self.stats.refused.append(f"v{env.version}: {exc.message}")
                log.error("refused %s v%s, still serving v%s: %s", env.name, env.version, current or "none", exc.message)
                continue
            self.stats.swaps += 1
            self.stats.version = env.version
            log.info("serving %s v%s (%s via %s)", env.name, env.version, env.format, self.live.model.info.engine)
            break
        for err in self.follower.errors:
            self.stats.refused.append(err.message)
            log.error("model topic: %s", err.message)
        self.follower.errors.clear()

    # --- events -----------------------------------------------------------------------
    def _score(self, messages: list[Message]) -> None:
        live = self.live
        assert live is not None
        records, kept = [], []
        for msg in messages:
            if msg.error():
                continue
            try:
                records.append(live.input_codec.decode(msg.value()))
                kept.append(msg)
            except RecordError as exc:
                self.dead.send(msg, exc, live.ref)
        if records:
            try:
                self._emit(live, kept, live.model.predict(records))
            except RecordError:
                for msg, rec in zip(kept, records, strict=False):  # isolate the bad events, score the rest
                    try:
                        self._emit(live, [msg], live.model.predict([rec]))
                    except RecordError as exc:
                        self.dead.send(msg, exc, live.ref)
        self.stats.dead_lettered = self.dead.count
        self.stats.batches += 1

    def _emit(self, live: LiveModel, messages: list[Message], outputs: dict[str, np.ndarray]) -> None:
        rows = _rows(outputs, live.model.signature, live.ref)
        topic = self.options.topics[1]
        names = live.model.signature.output_names
        for msg, row in zip(messages, rows, strict=False):
            if names and all(row[n] is None for n in names):
                # e.g. PMML's returnInvalid for an unknown category: a bad event, not a prediction
                self.dead.send(msg, RecordError(NO_PREDICTION), live.ref)
                continue
            self.producer.produce(topic, key=msg.key(), value=live.output_codec.encode(row))
            self.stats.scored += 1

    # --- loop -------------------------------------------------------------------------
    def run(self, *, max_records: int | None = None, idle_timeout: float | None = None) -> ScorerStats:
        """Score until stopped (SIGINT/SIGTERM, ``stop()``), ``max_records``, or ``idle_timeout`` seconds without events."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self._stop.set())
        self._offer(self.follower.read_to_end())
        last = time.monotonic()
        try:
            while not self._stop.is_set():
                self._offer(self.follower.poll(0))
                if self.live is None:
                    time.sleep(self.options.poll_timeout)
                    self._offer(self.follower.poll(self.options.poll_timeout))
                    continue
                messages = self.consumer.consume(self.options.batch_size, self.options.poll_timeout)
                if messages:
                    if self.stats.first_batch_at is None:
                        self.stats.first_batch_at = time.monotonic()
                    self._score(messages)
                    self._commit()
                    last = self.stats.last_batch_at = time.monotonic()
                elif idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    break
                if max_records is not None and self.stats.scored + self.stats.dead_lettered >= max_records:
                    break
        finally:
            self.close()
        return self.stats

    def _commit(self) -> None:
        if self.producer.flush(30):
            raise TransportError("predictions were not delivered within 30 s; offsets not committed")
        self.consumer.commit(asynchronous=False)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            self.producer.flush(10)
        finally:
            self.consumer.close()
            self.follower.close()


NO_PREDICTION = "the model gave no prediction for this event (an input value its document declares invalid)"


def _rows(outputs: dict[str, np.ndarray], signature: Signature, ref: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-row output records with values cast to each field's Avro type (NaN → null)."""
    cols = {}
    for f in signature.outputs:
        col = np.asarray(outputs[f.name])
        if f.type == "double" and col.dtype.kind == "f" and not np.isnan(col).any():
            cols[f.name] = col.tolist()  # already plain floats: skip the per-value cast
        else:
            cols[f.name] = [_cast(v, f.type) for v in col.tolist()]
    names = list(cols)
    return [dict(zip(names, values, strict=False), model=ref) for values in zip(*cols.values(), strict=False)]


def _cast(v: Any, kind: str) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if kind in ("array", "avro"):  # vectors, maps, records: already plain values in their Avro shape
        return v.tolist() if isinstance(v, np.ndarray) else v
    if kind == "double":
        return float(v)
    if kind == "integer":
        return int(v)
    if kind == "boolean":
        return bool(v)
    return v if isinstance(v, str) else str(v)
