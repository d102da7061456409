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
from typing import Any

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.modeltopic.signing import load_verify_key, verify_key_from_env
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.routes.feed import RouteFeed
from interchange.kafka.scorer import heap
from interchange.kafka.scorer.batch.columns import BatchCodec
from interchange.kafka.scorer.batch.messages import by_topic, offset_bounds, usable
from interchange.kafka.scorer.batch.scoring import ModelFailure, Outcome, score_route
from interchange.kafka.scorer.delivery import Delivery, delivery_for
from interchange.kafka.scorer.delivery.deadletter import dead_letter
from interchange.kafka.scorer.health import UNAVAILABLE, Health
from interchange.kafka.scorer.live import LiveModel, Versions, activate
from interchange.kafka.scorer.observe.metrics import MetricsServer, ScorerMetrics
from interchange.kafka.scorer.observe.report import Reporter
from interchange.kafka.scorer.options import ScorerOptions, ScorerStats
from interchange.kafka.scorer.router import Router
from interchange.kafka.transport import consumer, ensure_topics, producer
from interchange.resources import avro_schema

__all__ = ["Scorer"]

log = logging.getLogger("interchange.kafka.scorer")


class Scorer:
    """Follows the model topic (and the routes topic) and scores every routed input topic.

    Example::

        Scorer(ScorerOptions(model="iris", guarantee="exactly-once")).run()
        Scorer(ScorerOptions(routes=tuple(load_routes("routes.yaml")), routes_topic="interchange-routes")).run()
    """

    consumer: Consumer  # set in __init__ after the lambdas that read it
    reporter: Reporter

    def __init__(self, options: ScorerOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.stats = ScorerStats()
        self._stop = threading.Event()
        self.registry = Registry(self.config)
        key = options.verify_key
        self.verify_key = verify_key_from_env() if key is None else load_verify_key(key)  # ConfigError on a bad file
        self.router = Router(self._activate)
        self.file_routes = options.initial_routes()
        self.feed: RouteFeed | None = None
        self.follower: ModelFollower | None = None
        self._followed: set[str] = set()
        self._pending_rewind: list[TopicPartition] = []
        self._pending_seek: list[TopicPartition] = []  # rewinds the consumer refused on partitions it still owns
        self.dead_codecs: dict[str, AvroCodec] = {}
        self._routes_dirty = True
        self._subscription: list[str] = []
        self._paused: dict[str, list[TopicPartition]] = {}  # routed topics waiting for a usable version
        self._failures_seen: dict[tuple[str, str], int] = {}
        self._seen_generation = -1  # the router generation the stats and paused partitions reflect
        self._settled: set[int] = set()  # the loaded versions when the heap was last settled
        probe = lambda: self.consumer.list_topics(options.model_topic, timeout=2.0)  # noqa: E731
        self.health = Health(self.stats, self._stop, options.backoff, probe)
        self.metrics = ScorerMetrics(lambda: {**self.reporter.state, "healthy": self.stats.healthy})
        metric_producer = producer(self.config) if options.metrics_topic else None
        self.reporter = Reporter(self.metrics, options.metrics_interval, metric_producer, options.metrics_topic)
        self.server: MetricsServer | None = None
        if options.metrics_port is not None:
            self.server = MetricsServer(
                self.metrics, lambda: (self.stats.healthy, self.stats.problem), options.metrics_port, options.metrics_host
            )
        extra: dict[str, Any] = {
            "session.timeout.ms": options.session_timeout_ms,
            "heartbeat.interval.ms": 1000,
            "error_cb": self.health.kafka_error,
        }
        if options.instance_id:
            extra["group.instance.id"] = options.instance_id
        if options.guarantee == "exactly-once":
            extra["isolation.level"] = "read_committed"
        self.consumer = consumer(self.config, options.group_id, **extra)
        tid = f"{options.group_id}-{options.instance_id or uuid.uuid4().hex[:12]}"
        self.delivery: Delivery = delivery_for(
            options.guarantee,
            self.config,
            self._stop,
            self.health.unhealthy,
            tid,
            options.batch_size,
        )
        self.batch_codec = BatchCodec()  # columnar Avro for flat schemas; BatchCodec(columnar=False): record by record

    @property
    def versions(self) -> Versions | None:
        """The versions of the one model this scorer serves (None when it serves several or none)."""
        return next(iter(self.router.models.values())) if len(self.router.models) == 1 else None

    @property
    def live(self) -> LiveModel | None:
        versions = self.versions
        return versions.live if versions else None

    # --- start ------------------------------------------------------------------------
    def _connect(self) -> bool:
        """Topics, the routes, the model follower, transactions: each retried until up."""
        topics: dict[str, dict[str, Any]] = {self.options.model_topic: {"compacted": True}}
        if self.options.metrics_topic:
            topics[self.options.metrics_topic] = {}

        def metric_codec() -> None:
            if self.options.metrics_topic:
                schema = avro_schema("metric")
                topic_id = self.registry.register(f"{self.options.metrics_topic}-value", schema)
                self.reporter.codec = AvroCodec(schema, topic_id, self.registry.schema, original_names=False)

        def follow_routes() -> None:
            if self.options.routes_topic:
                self.feed = RouteFeed(self.config, self.options.routes_topic, self.registry)
                self.feed.read_to_end()

        return (
            self.health.retrying("creating topics", lambda: ensure_topics(self.config, topics, timeout=5.0))
            and self.health.retrying("registering the metric schema", metric_codec)
            and self.health.retrying("reading the routes topic", follow_routes)
            and self.health.retrying("applying the routes", self._apply_routes)
            and self.health.retrying("starting the producer", self.delivery.start)
        )

    # --- routes and models ------------------------------------------------------------
    def _apply_routes(self) -> None:
        """Make the router serve the file's and the topic's routes: topics, dead-letter schemas,
        model follower, subscription. Raises (and stays pending) while Kafka or the registry are away."""
        wanted = {r.input_topic: r for r in self.file_routes}
        if self.feed is not None:
            for topic in self.feed.retired:
                wanted.pop(topic, None)
            wanted.update(self.feed.routes)
        fresh = [r for t, r in wanted.items() if self.router.routes.get(t) != r]
        if fresh:
            spec: dict[str, dict[str, Any]] = {}
            for r in fresh:
                spec.update({r.input_topic: {}, r.output: {}, r.dead_letters: {}})
                if r.shadow_version is not None:
                    spec[r.shadow_topic] = {}
            ensure_topics(self.config, spec, timeout=5.0)
            schema = avro_schema("dead_letter")
            for r in fresh:
                if r.dead_letters not in self.dead_codecs:
                    topic_id = self.registry.register(f"{r.dead_letters}-value", schema)
                    self.dead_codecs[r.dead_letters] = AvroCodec(schema, topic_id, self.registry.schema)
        self.router.replace(wanted.values())
        names = self.router.model_names()
        if names - self._followed:
            follower = ModelFollower(self.config, self.options.model_topic, names | self._followed, self.registry)
            envelopes = follower.read_to_end()
            if self.follower is not None:
                self.follower.close()
            self.follower, self._followed = follower, names | self._followed
            self.router.add(envelopes)
        topics = self.router.topics()
        if topics != self._subscription:
            if topics:
                self.consumer.subscribe(topics)
            else:
                self.consumer.unsubscribe()
            self._subscription = topics
            log.info("consuming %s", ", ".join(topics) or "nothing (no routes)")
        self._routes_dirty = False

    def _activate(self, envelope: Any) -> LiveModel:
        return activate(envelope, self.registry, self.verify_key, self.options.engine)

    def _follow(self, timeout: float = 0.0) -> None:
        if self.feed is not None and self.feed.poll():
            self._routes_dirty = True
        if self._routes_dirty:
            self._apply_routes()
        if self.follower is None:  # no routes yet
            self._stop.wait(timeout)
            return
        self.router.add(self.follower.poll(timeout))
        self.router.withdraw(self.follower.withdrawn)
        self.follower.withdrawn.clear()
        errors = bool(self.follower.errors)
        for err in self.follower.errors:
            self._note_failure(getattr(err, "model", None) or "?", "unreadable")
            self.stats.refused.append(err.message)
            log.error("model topic: %s", err.message)
        self.follower.errors.clear()
        self.stats.swaps += self.router.choose()
        if self._paused:
            self._resume_ready()
        if self.router.generation != self._seen_generation or errors:  # else nothing below can have changed
            self._seen_generation = self.router.generation
            self._update_stats()
            loaded = {id(live) for v in self.router.models.values() for live in v.loaded.values()}
            if loaded != self._settled:
                self._settled = loaded
                heap.settle()

    def _update_stats(self) -> None:
        versions = self.versions
        self.stats.version = versions.live.envelope.version if versions and versions.live else None
        serving = {}
        for topic in self.router.topics():
            plan = self.router.plan(topic)
            serving[topic] = plan.serving() if plan else {}
        self.stats.serving = serving
        for model, v in self.router.models.items():
            for kind, marker in (("refused", " refused: "), ("quarantined", " quarantined: ")):
                events = [e for e in v.events if marker in e]
                seen = self._failures_seen.get((model, kind), 0)
                for _ in events[seen:]:
                    self.metrics.model_failure(model, kind)
                self._failures_seen[(model, kind)] = len(events)
        events = self.router.events()
        unreadable = [e for e in self.stats.refused if " refused: " not in e]
        self.stats.refused = [e for e in events if " refused: " in e] + unreadable
        self.stats.quarantined = [e for e in events if " quarantined: " in e]

    def _note_failure(self, model: str, kind: str) -> None:
        self.metrics.model_failure(model, kind)

    def _wait_for_version(self, messages: list[Message]) -> None:
        """A routed topic whose model has no usable version yet: rewind and pause its partitions."""
        self._rewind(messages)
        for tp in _first_offsets(messages):
            part = TopicPartition(tp.topic, tp.partition)
            self.consumer.pause([part])
            self._paused.setdefault(tp.topic, []).append(part)

    def _resume_ready(self) -> None:
        for topic in [t for t in self._paused if t not in self.router.routes or self.router.plan(t) is not None]:
            parts = self._paused.pop(topic)
            try:
                self.consumer.resume(parts)
            except KafkaException as exc:  # revoked meanwhile: a new assignment is not paused
                log.info("not resuming %s: %s", topic, exc)

    # --- events -----------------------------------------------------------------------
    def _process(self, messages: list[Message]) -> bool:
        """Score one batch and make it safe; False when stopped before it was committed."""
        started = time.monotonic()
        out = Outcome()
        done: list[Message] = []
        for topic, msgs in by_topic(messages).items():
            plan = self.router.plan(topic)
            if plan is None:
                if topic in self.router.routes:
                    self._wait_for_version(msgs)
                continue  # a retired route: left uncommitted for whoever serves the topic next
            score_route(plan, msgs, out, self.options.max_event_bytes, self.batch_codec, self.options.lineage_headers)
            done = msgs if not done else done + msgs
        if not done:
            return True
        self.delivery.begin()
        try:
            for topic, keys, values, headers in out.produce:  # one loop per route and role, none of ours per event
                self.delivery.produce_many(topic, keys, values, headers)
            for topic, msg, exc, _, ref in out.dead:
                record = dead_letter(self.dead_codecs[topic], msg, exc, ref, self.options.max_dead_letter_bytes)
                self.delivery.produce(topic, msg.key(), record)
            if not self.delivery.commit(
                self.consumer, *offset_bounds(done), lambda: self._count(out, time.monotonic() - started)
            ):
                return False
        except BaseException:
            self.delivery.abort()
            raise
        return True

    def _count(self, out: Outcome, seconds: float) -> None:
        m = self.metrics
        for model, topic, n in out.consumed:
            m.consumed(model, topic, n)
        for model, version, role, n, latencies in out.scored:
            m.produced(model, version, role, n, latencies)
        for _, _, _, reason, ref in out.dead:
            m.dead_lettered(ref["name"], reason)
        for model, version, agree in out.shadow:
            m.shadowed(model, version, agree)
        m.batch.observe(seconds)
        self.stats.scored += out.main_count
        self.stats.shadowed += out.shadow_count
        self.stats.dead_lettered += len(out.dead)
        self.stats.mark_committed()

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
                if self._pending_seek:
                    self._retry_seek()
                if self._pending_rewind:
                    self._resolve_rewind()
                self._follow()
                lag = self.reporter.tick(self.consumer, self.router, self.stats.healthy)
                if lag is not None:
                    self.stats.lag = lag
                if not self.router.routes or all(self.router.plan(t) is None for t in self.router.topics()):
                    self._follow(self.options.poll_timeout)
                    self.health.check_idle()
                    continue
                messages = self._take()
                if messages:
                    self.stats.mark_arrival()
                    if not self._process(messages):
                        break
                    last = time.monotonic()
                    self.health.trouble = None
                    self.health.healthy()
                else:
                    self.delivery.settle()  # commit what earlier batches had in flight
                    self.health.check_idle()
                    if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                        break
                delay = first
            except UNAVAILABLE as exc:
                self.health.trouble = getattr(exc, "message", None) or str(exc)  # healthy again once Kafka answers
                self.health.unhealthy(self.health.trouble)
                self._rewind(messages)
                self._stop.wait(delay)
                delay = min(delay * 2, longest)
            except ModelFailure as exc:
                self.router.quarantine(exc.model, exc.version, exc.reason)
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
        return usable(taken)

    def _rewind(self, messages: list[Message]) -> None:
        """Seek back to a batch's first offsets, so it is scored again.

        Exactly-once asks the group's committed offsets first (before the next batch): a transaction
        abandoned as stuck may still have committed, and its batch must then not be scored twice.
        """
        tps = _earliest(_first_offsets(messages) + self.delivery.unsettled())
        if self.options.guarantee == "exactly-once":
            self._pending_rewind += tps
            return
        self._seek(tps)

    def _resolve_rewind(self) -> None:
        tps, self._pending_rewind = self._pending_rewind, []
        try:
            committed = self.consumer.committed([TopicPartition(t.topic, t.partition) for t in tps], timeout=5.0)
        except KafkaException:
            self._pending_rewind = tps
            raise
        self.delivery.resolve(committed)
        targets = [
            TopicPartition(t.topic, t.partition, c.offset if c.offset >= 0 else t.offset)
            for t, c in zip(tps, committed, strict=True)
        ]
        self._seek(targets)

    def _seek(self, tps: list[TopicPartition]) -> None:
        """Seek each partition back; a refusal on a partition this member still owns (librdkafka's
        "Erroneous state" right after a broker restart) is kept and retried before the next batch is
        taken, since scoring on would commit past the batch that was to be scored again."""
        owned: set[tuple[str, int]] | None = None
        for tp in tps:
            try:
                self.consumer.seek(tp)
            except Exception as exc:
                if owned is None:
                    owned = self._owned(tps)
                if (tp.topic, tp.partition) in owned:
                    log.warning("rewinding %s[%s] to %s refused, retrying: %s", tp.topic, tp.partition, tp.offset, exc)
                    self._pending_seek.append(tp)
                else:  # the partition moved to another member: it re-reads from the commit
                    log.info("not rewinding %s[%s]: %s", tp.topic, tp.partition, exc)

    def _owned(self, tps: list[TopicPartition]) -> set[tuple[str, int]]:
        try:
            return {(a.topic, a.partition) for a in self.consumer.assignment()}
        except Exception:  # not knowing, keep every rewind: a duplicate is allowed, a loss is not
            return {(t.topic, t.partition) for t in tps}

    def _retry_seek(self) -> None:
        tps, self._pending_seek = _earliest(self._pending_seek), []
        self._seek(tps)
        if self._pending_seek:
            raise TransportError(f"cannot rewind {len(self._pending_seek)} partition(s) yet; no batch is taken until it can")

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            self.delivery.close()
        finally:
            try:
                self.reporter.tick(self.consumer, self.router, self.stats.healthy, force=True)
                if self.reporter.producer is not None:
                    self.reporter.producer.flush(5)
            except Exception as exc:  # the last report is a courtesy; closing must go on
                log.info("last metrics report not sent: %s", exc)
            self.consumer.close()
            if self.follower is not None:
                self.follower.close()
            if self.feed is not None:
                self.feed.close()
            if self.server is not None:
                self.server.close()
            heap.release()


def _first_offsets(messages: list[Message]) -> list[TopicPartition]:
    return offset_bounds(messages)[1]


def _earliest(tps: list[TopicPartition]) -> list[TopicPartition]:
    first: dict[tuple[str, int], int] = {}
    for tp in tps:
        key = (tp.topic, tp.partition)
        first[key] = min(first.get(key, tp.offset), tp.offset)
    return [TopicPartition(t, p, o) for (t, p), o in first.items()]
