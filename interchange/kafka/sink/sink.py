"""The sink loop: read a topic's partitions, buffer decoded rows, commit them as Parquet files.

It assigns itself every partition of the topic (no consumer-group rebalancing, so a restart
after kill -9 does not wait out the dead member's session) and seeks each one to where its
committed files end (see ``files``). Rows are flushed every ``flush_events`` events or
``flush_seconds`` seconds; undecodable events are written with their raw bytes and reason to
``_errors`` files, in the same offset order and the same exactly-once protocol, never dropped.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_NOT_AVAILABLE, KafkaException, Message, TopicPartition

from interchange.errors import ConfigError, RecordError, TransportError
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.registry import Registry
from interchange.kafka.sink.arrow import kafka_fields
from interchange.kafka.sink.decode import EventDecoder
from interchange.kafka.sink.files import Run, commit_file, lock_topic, remove_temporaries, resume_offsets, topic_dir
from interchange.kafka.transport import consumer, position

__all__ = ["Sink", "SinkOptions", "SinkStats", "ERROR_SCHEMA"]

log = logging.getLogger("interchange.kafka.sink")

ERROR_SCHEMA = pa.schema(
    [
        *kafka_fields(),
        pa.field("_value", pa.binary()),
        pa.field("_reason", pa.string()),
        pa.field("_error", pa.string()),
        pa.field("_field", pa.string()),
    ]
)


@dataclass(frozen=True)
class SinkOptions:
    """What to land where, and how often to commit a file."""

    topic: str
    to: Path
    flush_events: int = 10_000
    flush_seconds: float = 10.0
    group: str | None = None  # only for lag monitoring: offsets are committed, never read

    def __post_init__(self) -> None:
        if self.flush_events < 1:
            raise ConfigError(f"flush_events must be at least 1, got {self.flush_events}", key="flush_events")
        if self.flush_seconds <= 0:
            raise ConfigError(f"flush_seconds must be positive, got {self.flush_seconds}", key="flush_seconds")


@dataclass
class SinkStats:
    events: int = 0
    rows: int = 0
    errors: int = 0
    files: int = 0
    removed_temporaries: int = 0
    resumed: dict[int, int] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Events per second since start."""
        spent = time.monotonic() - self.started_at
        return self.events / spent if spent > 0 else 0.0


@lru_cache(maxsize=64)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def _date(epoch_ms: int) -> str:
    """YYYY-MM-DD (UTC) of an epoch-millisecond timestamp."""
    return _day(epoch_ms // 86_400_000)


@dataclass
class _Pending:
    offset: int
    key: tuple[bool, str, int | None]  # (is error, date, schema id): a run ends where this changes
    row: dict[str, Any]


class Sink:
    """Lands one topic in ``DIR/topic=T/date=YYYY-MM-DD/part-....parquet`` exactly once.

    Example::

        Sink(SinkOptions("iris-predictions", Path("lake"))).run(idle_timeout=5)
    """

    def __init__(self, options: SinkOptions, config: ClientConfig | None = None) -> None:
        self.options = options
        self.config = config or load_config()
        self.root = topic_dir(options.to, options.topic)
        self.stats = SinkStats()
        self._stop = threading.Event()
        self._lock = lock_topic(self.root)
        self.decoder = EventDecoder(Registry(self.config))
        self.consumer = consumer(self.config, options.group or f"interchange-sink-{options.topic}")
        self._pending: dict[int, list[_Pending]] = {}
        self._buffered = 0
        self._oldest: float | None = None
        self._next: dict[int, int] = {}
        self._assigned: set[int] = set()

    # --- partitions -------------------------------------------------------------------
    def _partitions(self) -> list[int]:
        try:
            meta = self.consumer.list_topics(self.options.topic, timeout=15)
        except KafkaException as exc:
            raise TransportError(f"cannot reach Kafka at {self.config.bootstrap_servers}: {exc.args[0]}") from exc
        topic = meta.topics.get(self.options.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise TransportError(
                f"topic {self.options.topic} does not exist; create it or check the name", topic=self.options.topic
            )
        return sorted(topic.partitions)

    def _assign_new(self) -> None:
        new = [p for p in self._partitions() if p not in self._assigned]
        if not new:
            return
        parts = [TopicPartition(self.options.topic, p, self._next.get(p, OFFSET_BEGINNING)) for p in new]
        self.consumer.incremental_assign(parts)
        self._assigned.update(new)
        log.info("sink %s: reading partitions %s from %s", self.options.topic, new, {p: self._next.get(p, "start") for p in new})

    # --- events -----------------------------------------------------------------------
    def _take(self, msg: Message) -> None:
        _, p, offset = position(msg)
        if offset < self._next.get(p, 0):
            return  # already in a committed file (never expected after the seek; cheap to guard)
        ts_type, ts = msg.timestamp()
        when = ts if ts_type != TIMESTAMP_NOT_AVAILABLE else None  # epoch ms: Arrow takes it as is
        date = _date(int(time.time() * 1000) if when is None else when)
        coords = {"_topic": msg.topic(), "_partition": p, "_offset": offset, "_timestamp": when, "_key": msg.key()}
        try:
            schema_id, record = self.decoder.decode(msg.value())
            entry = _Pending(offset, (False, date, schema_id), self.decoder.layouts[schema_id].row(record, coords))
        except RecordError as exc:
            row = {**coords, "_value": msg.value(), "_reason": exc.message, "_error": type(exc).__name__}
            entry = _Pending(offset, (True, date, None), {**row, "_field": getattr(exc, "field", None)})
        self._pending.setdefault(p, []).append(entry)
        self._next[p] = offset + 1
        self._buffered += 1
        self.stats.events += 1
        if self._oldest is None:
            self._oldest = time.monotonic()

    def flush(self) -> None:
        """Commit everything buffered: one file per run of equal (errors?, date, schema id), in offset order."""
        hints = []
        for p, entries in self._pending.items():
            start = 0
            for i in range(1, len(entries) + 1):
                if i == len(entries) or entries[i].key != entries[start].key:
                    self._write(p, entries[start:i])
                    start = i
            if entries:
                hints.append(TopicPartition(self.options.topic, p, entries[-1].offset + 1))
        self._pending.clear()
        self._buffered = 0
        self._oldest = None
        if hints:
            try:
                self.consumer.commit(offsets=hints, asynchronous=True)  # a lag hint only; files are the truth
            except KafkaException as exc:
                log.warning("sink %s: offset hint not committed: %s", self.options.topic, exc.args[0])

    def _write(self, partition: int, run: list[_Pending]) -> None:
        is_error, date, schema_id = run[0].key
        rows = [e.row for e in run]
        if is_error or schema_id is None:  # error rows carry no schema id
            table = pa.Table.from_pylist(rows, schema=ERROR_SCHEMA)
        else:
            table = self.decoder.layouts[schema_id].table(rows)
        where = Run(partition, run[0].offset, run[-1].offset, date, is_error)
        commit_file(self.root, where, table, self.options.topic, schema_id)
        self.stats.files += 1
        if is_error:
            self.stats.errors += len(rows)
            log.warning(
                "sink %s: %d undecodable events at [%d]@%d.. kept in %s",
                self.options.topic,
                len(rows),
                partition,
                where.first,
                where.path(self.root),
            )
        else:
            self.stats.rows += len(rows)

    # --- loop -------------------------------------------------------------------------
    def run(self, *, idle_timeout: float | None = None) -> SinkStats:
        """Land events until stopped (SIGINT/SIGTERM, ``stop()``) or ``idle_timeout`` seconds without events."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self._stop.set())
        self.stats.removed_temporaries = remove_temporaries(self.root)
        self._next = resume_offsets(self.root)
        self.stats.resumed = dict(self._next)
        if self.stats.removed_temporaries:
            log.info("sink %s: removed %d half-written files", self.options.topic, self.stats.removed_temporaries)
        self._assign_new()
        opts = self.options
        last_event = last_check = last_report = time.monotonic()
        try:
            while not self._stop.is_set():
                for msg in self.consumer.consume(min(opts.flush_events, 10_000), min(0.5, opts.flush_seconds)):
                    err = msg.error()
                    if err is None:
                        self._take(msg)
                    elif err.fatal():
                        raise TransportError(f"Kafka error reading {opts.topic}: {err.str()}", topic=opts.topic)
                    else:
                        log.warning("sink %s: %s", opts.topic, err.str())
                now = time.monotonic()
                if self._buffered:
                    last_event = now
                if self._buffered >= opts.flush_events or (self._oldest is not None and now - self._oldest >= opts.flush_seconds):
                    self.flush()
                if now - last_report >= 10:
                    last_report = now
                    log.info(
                        "sink %s: %d events, %d rows, %d errors in %d files (%.0f events/s)",
                        opts.topic,
                        self.stats.events,
                        self.stats.rows,
                        self.stats.errors,
                        self.stats.files,
                        self.stats.rate,
                    )
                if now - last_check >= 30:
                    last_check = now
                    self._assign_new()
                if idle_timeout is not None and not self._buffered and now - last_event > idle_timeout:
                    break
            self.flush()
        finally:
            self.close()
        return self.stats

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        try:
            self.consumer.close()
        finally:
            self._lock.close()
