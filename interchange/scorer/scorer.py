"""The scoring loop: decode a batch, score it once, produce, make it safe, repeat.

Error policy, by cause (the backbone of the scorer):

- an event's own fault (undecodable, foreign schema, oversized, a value the model refuses) is
  a RecordError: that event is dead-lettered with its reason and the rest of the batch scored;
- the broker or the registry being away is not: the batch is rewound and tried again with
  backoff, the scorer reports itself unhealthy, and no good event is ever dead-lettered;
- a version that fails to load or verify is refused, and one that fails at run time on a whole
  batch that its own verification cases now also fail is quarantined: the previous version
  serves (and re-scores the batch).

The scorer starts while Kafka or the registry are down and begins when they come up;
SIGTERM / SIGINT finish the batch in flight (or leave it uncommitted) and stop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
from confluent_kafka import KafkaError, KafkaException, Message, TopicPartition

from interchange.config import ClientConfig, load_config
from interchange.errors import RecordError, RegistryError, TransportError
from interchange.modeltopic import ModelFollower
from interchange.modeltopic.signing import load_verify_key, verify_key_from_env
from interchange.registry import AvroCodec, Registry
from interchange.resources import avro_schema
from interchange.scorer.columns import BatchCodec
from interchange.scorer.deadletter import dead_letter
from interchange.scorer.delivery import Delivery, delivery_for
from interchange.scorer.live import LiveModel, Versions, activate
from interchange.scorer.options import ScorerOptions, ScorerStats
from interchange.transport import consumer, ensure_topics

__all__ = ["Scorer"]

log = logging.getLogger("interchange.scorer")
_UNAVAILABLE = (TransportError, RegistryError, KafkaException)


class _ModelFailure(Exception):
    """The live version failed on a batch for a reason not tied to any record."""


class Scorer:
    """Follows the model topic and scores ``options.model``'s feature topic.

    Example::

        Scorer(ScorerOptions(model="iris", guarantee="exactly-once")).run()
    """

    def __init__(self, options: ScorerOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.stats = ScorerStats()
        self._stop = threading.Event()
        self.registry = Registry(self.config)
        key = options.verify_key
        self.verify_key = verify_key_from_env() if key is None else load_verify_key(key)  # ConfigError on a bad file
        self.versions = Versions(options.model, self._activate)
        self.follower: ModelFollower | None = None
        self.dead_codec: AvroCodec | None = None
        self._kafka_trouble: str | None = None  # set by librdkafka's error callback, cleared by a metadata probe
        self._probed_at = self._logged_at = 0.0
        extra: dict[str, Any] = {
            "session.timeout.ms": options.session_timeout_ms,
            "heartbeat.interval.ms": 1000,
            "error_cb": self._kafka_error,
        }
        if options.instance_id:
            extra["group.instance.id"] = options.instance_id
        if options.guarantee == "exactly-once":
            extra["isolation.level"] = "read_committed"
        self.consumer = consumer(self.config, options.group_id, **extra)
        tid = f"{options.group_id}-{options.instance_id or uuid.uuid4().hex[:12]}"
        self.delivery: Delivery = delivery_for(options.guarantee, self.config, self._stop, self._unhealthy, tid)
        self.batch_codec = BatchCodec()  # columnar Avro for flat schemas; BatchCodec(columnar=False): record by record

    @property
    def live(self) -> LiveModel | None:
        return self.versions.live

    # --- health and retries -----------------------------------------------------------
    def _healthy(self) -> None:
        if not self.stats.healthy:
            log.info("scorer healthy")
        self.stats.healthy, self.stats.problem = True, ""

    def _unhealthy(self, problem: str) -> None:
        now = time.monotonic()
        if self.stats.healthy or (problem != self.stats.problem and now - self._logged_at > 10.0):
            log.warning("scorer unhealthy: %s", problem)
            self._logged_at = now
        self.stats.healthy, self.stats.problem = False, problem
        self.stats.retries += 1

    def _kafka_error(self, err: KafkaError) -> None:
        """librdkafka's client-wide errors (all brokers down, transport): an idle scorer is unhealthy too."""
        self._kafka_trouble = f"Kafka: {err.str()}"
        self._unhealthy(self._kafka_trouble)

    def _check_idle_health(self) -> None:
        """After a client-wide Kafka error, healthy again only once a metadata request answers."""
        if self._kafka_trouble is None:
            self._healthy()
            return
        now = time.monotonic()
        if now - self._probed_at < 2.0:
            return
        self._probed_at = now
        try:
            self.consumer.list_topics(self.options.topics[0], timeout=2.0)
        except KafkaException:
            return
        self._kafka_trouble = None
        self._healthy()

    def _retrying(self, what: str, fn: Callable[[], object]) -> bool:
        """``fn()`` retried with backoff while Kafka or the registry are away; False if stopped first."""
        first, longest = self.options.backoff
        delay = first
        while not self._stop.is_set():
            try:
                fn()
                return True
            except _UNAVAILABLE as exc:
                self._unhealthy(f"{what}: {getattr(exc, 'message', None) or exc}")
                self._stop.wait(delay)
                delay = min(delay * 2, longest)
        return False

    # --- start ------------------------------------------------------------------------
    def _connect(self) -> bool:
        """Topics, the dead-letter schema, the model follower, transactions: each retried until up."""
        source, sink, dlq = self.options.topics
        topics = {source: {}, sink: {}, dlq: {}, self.options.model_topic: {"compacted": True}}
        schema = avro_schema("dead_letter")

        def dead_letters() -> None:
            self.dead_codec = AvroCodec(schema, self.registry.register(f"{dlq}-value", schema), self.registry.schema)

        def follow() -> None:
            self.follower = ModelFollower(self.config, self.options.model_topic, [self.options.model], self.registry)
            self.versions.add(self.follower.read_to_end())

        ok = (
            self._retrying("creating topics", lambda: ensure_topics(self.config, topics))
            and self._retrying("registering the dead-letter schema", dead_letters)
            and self._retrying("reading the model topic", follow)
            and self._retrying("starting the producer", self.delivery.start)
        )
        if ok:
            self.consumer.subscribe([source])
        return ok

    # --- models -----------------------------------------------------------------------
    def _activate(self, envelope: Any) -> LiveModel:
        return activate(envelope, self.registry, self.verify_key, self.options.engine)

    def _follow(self, timeout: float = 0.0) -> None:
        assert self.follower is not None
        self.versions.add(self.follower.poll(timeout))
        for ref in self.follower.withdrawn:
            if ref.name == self.options.model:
                self.versions.withdraw(ref.version)
        self.follower.withdrawn.clear()
        for err in self.follower.errors:
            self.versions.events.append(err.message)
            log.error("model topic: %s", err.message)
        self.follower.errors.clear()
        if self.versions.choose():
            self.stats.swaps += 1
        self.stats.version = self.live.envelope.version if self.live else None
        self.stats.refused = [e for e in self.versions.events if " refused: " in e or "unreadable" in e or "chunks" in e]
        self.stats.quarantined = [e for e in self.versions.events if " quarantined: " in e]

    # --- events -----------------------------------------------------------------------
    def _process(self, messages: list[Message]) -> bool:
        """Score one batch and make it safe; False when stopped before it was committed."""
        live = self.live
        assert live is not None and self.dead_codec is not None
        inputs = self.batch_codec.decode(live, messages, self.options.max_event_bytes)
        kept = inputs.kept
        dead: list[tuple[Message, Exception]] = list(inputs.dead)
        outputs, refused = self._score(live, inputs.batch, len(kept))
        self.delivery.begin()
        try:
            sink = self.options.topics[1]
            values = self.batch_codec.encode(live, outputs, len(kept))
            lineage = _lineage(live)
            scored = 0
            for i, (msg, value) in enumerate(zip(kept, values, strict=True)):
                if i in refused:
                    dead.append((msg, refused[i]))
                    continue
                headers = [*lineage, ("interchange.source", f"{msg.topic()}/{msg.partition()}/{msg.offset()}".encode())]
                self.delivery.produce(sink, msg.key(), value, headers)
                scored += 1
            for msg, exc in dead:
                record = dead_letter(self.dead_codec, msg, exc, live.ref, self.options.max_dead_letter_bytes)
                self.delivery.produce(self.options.topics[2], msg.key(), record)
            if not self.delivery.commit(self.consumer, _next_offsets(messages)):
                return False
        except BaseException:
            self.delivery.abort()
            raise
        self.stats.scored += scored
        self.stats.dead_lettered += len(dead)
        self.stats.mark_committed()
        return True

    def _score(self, live: LiveModel, batch: Any, n: int) -> tuple[dict[str, np.ndarray], dict[int, RecordError]]:
        if not n:
            return {}, {}
        try:
            scored = live.model.score(batch)
        except Exception as exc:  # not a RecordError: no record is to blame
            raise _ModelFailure(f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}") from exc
        if len(scored.refused) == n and n > 1:
            # every event refused: the events are bad, or the model is (its own cases tell which)
            why = live.self_check()
            if why is not None:
                raise _ModelFailure(f"refused a whole batch and fails its own verification cases: {why}")
        return scored.outputs, scored.refused

    # --- loop -------------------------------------------------------------------------
    def run(self, *, max_records: int | None = None, idle_timeout: float | None = None) -> ScorerStats:
        """Score until stopped (SIGINT/SIGTERM, ``stop()``), ``max_records``, or ``idle_timeout`` seconds without events."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self._stop.set())
        try:
            if self._connect():
                self._loop(max_records, idle_timeout)
        except BaseException:
            log.exception("scorer stopped by an unexpected error")
            raise
        finally:
            self.close()
        return self.stats

    def _loop(self, max_records: int | None, idle_timeout: float | None) -> None:
        last = time.monotonic()
        first, longest = self.options.backoff
        delay = first
        while not self._stop.is_set():
            messages: list[Message] = []
            try:
                self._follow()
                if self.live is None:
                    self._follow(self.options.poll_timeout)
                    continue
                messages = self._take()
                if messages:
                    self.stats.mark_arrival()
                    if not self._process(messages):
                        break
                    last = time.monotonic()
                    self._kafka_trouble = None
                    self._healthy()
                else:
                    self._check_idle_health()
                    if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                        break
                delay = first
            except _UNAVAILABLE as exc:
                self._kafka_trouble = getattr(exc, "message", None) or str(exc)  # healthy again once Kafka answers
                self._unhealthy(self._kafka_trouble)
                self._rewind(messages)
                self._stop.wait(delay)
                delay = min(delay * 2, longest)
            except _ModelFailure as exc:
                self.versions.quarantine(str(exc))
                self._rewind(messages)
                self._follow()
            if max_records is not None and self.stats.scored + self.stats.dead_lettered >= max_records:
                break

    def _take(self) -> list[Message]:
        """The next batch: wait up to ``poll_timeout`` for its first event, then take what has arrived
        since, without waiting for a full batch (batches grow under load and shrink when idle)."""
        taken = self.consumer.consume(1, self.options.poll_timeout)
        if taken and self.options.batch_size > 1:
            taken += self.consumer.consume(self.options.batch_size - 1, 0)
        return [m for m in taken if not _skip(m)]

    def _rewind(self, messages: list[Message]) -> None:
        """Seek back to a batch's first offsets, so it is scored again."""
        for tp in _first_offsets(messages):
            try:
                self.consumer.seek(tp)
            except Exception as exc:  # the partition moved to another member: it re-reads from the commit
                log.info("not rewinding %s[%s]: %s", tp.topic, tp.partition, exc)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            self.delivery.close()
        finally:
            self.consumer.close()
            if self.follower is not None:
                self.follower.close()


def _skip(msg: Message) -> bool:
    err = msg.error()
    if err is not None:
        log.debug("consumer: %s", err)
    return err is not None


def _next_offsets(messages: list[Message]) -> list[TopicPartition]:
    last: dict[tuple[str, int], int] = {}
    for m in messages:
        key = (m.topic(), m.partition())
        last[key] = max(last.get(key, -1), m.offset())
    return [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]


def _first_offsets(messages: list[Message]) -> list[TopicPartition]:
    first: dict[tuple[str, int], int] = {}
    for m in messages:
        key = (m.topic(), m.partition())
        first[key] = min(first.get(key, m.offset()), m.offset())
    return [TopicPartition(t, p, o) for (t, p), o in first.items()]


def _lineage(live: LiveModel) -> list[tuple[str, bytes]]:
    env = live.envelope
    return [
        ("interchange.model", env.name.encode()),
        ("interchange.version", str(env.version).encode()),
        ("interchange.format", env.format.encode()),
        ("interchange.sha256", env.sha256.encode()),
    ]
