"""The last hour of metrics and alerts, read from their topics for the status page.

Metrics (``schemas/metric.avsc``) and alerts (``schemas/alert.avsc``) are written by the
scorer and the monitor; serve only reads them. On start it seeks each partition to the first
event of the window (``offsets_for_times``), then keeps up; events older than the window are
dropped from memory. An event that does not decode is counted and logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaException, TopicPartition

from interchange.errors import InterchangeError, RecordError
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.transport import consumer, ensure_topics
from interchange.resources import avro_schema

__all__ = ["StatusFeed", "Snapshot", "METRICS_TOPIC", "ALERTS_TOPIC"]

log = logging.getLogger("interchange.kafka.serve")

METRICS_TOPIC = "interchange-metrics"
ALERTS_TOPIC = "interchange-alerts"


def _seconds(at: Any) -> float:
    return at.timestamp() if hasattr(at, "timestamp") else float(at) / 1000.0


@dataclass
class Snapshot:
    """What the page draws: metrics and alert transitions inside the window, and alerts firing now."""

    metrics: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    firing: list[dict[str, Any]] = field(default_factory=list)
    undecodable: int = 0
    now: float = 0.0
    window_s: float = 3600.0


class StatusFeed:
    """Follows the metrics and alerts topics on a thread; ``snapshot()`` for the page."""

    def __init__(
        self,
        config: ClientConfig,
        registry: Registry,
        *,
        metrics_topic: str = METRICS_TOPIC,
        alerts_topic: str = ALERTS_TOPIC,
        window_s: float = 3600.0,
    ) -> None:
        self.config = config
        self.topics = {metrics_topic: AvroCodec(avro_schema("metric"), 0, registry.schema)}
        self.topics[alerts_topic] = AvroCodec(avro_schema("alert"), 0, registry.schema)
        self.metrics_topic, self.alerts_topic = metrics_topic, alerts_topic
        self.window_s = window_s
        self._metrics: deque[dict[str, Any]] = deque()
        self._alerts: deque[dict[str, Any]] = deque()
        self._state: dict[tuple[str, str], dict[str, Any]] = {}  # (rule, model) -> latest alert
        self._undecodable = 0
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def _open(self) -> Any:
        ensure_topics(self.config, {t: {} for t in self.topics})
        cons = consumer(self.config, f"interchange-serve-status-{uuid.uuid4().hex[:8]}")
        since = int((time.time() - self.window_s) * 1000)
        wanted = []
        for topic in self.topics:
            meta = cons.list_topics(topic, timeout=15).topics.get(topic)
            wanted += [TopicPartition(topic, p, since) for p in sorted(meta.partitions if meta else {})]
        cons.assign(cons.offsets_for_times(wanted, timeout=15) if wanted else [])
        return cons

    def _take(self, topic: str, value: bytes | None) -> None:
        try:
            record = self.topics[topic].decode(value)
        except RecordError as exc:
            self._undecodable += 1
            log.warning("status feed: undecodable event on %s: %s", topic, exc.message)
            return
        record["at"] = _seconds(record["at"])
        with self._guard:
            if topic == self.metrics_topic:
                self._metrics.append(record)
            else:
                self._alerts.append(record)
                self._state[(record["rule"], record["model"])] = record

    def _follow(self) -> None:
        cons = None
        while not self._stop.is_set():
            try:
                if cons is None:
                    cons = self._open()
                    self.ready.set()
                for msg in cons.consume(500, 0.5):
                    if not msg.error():
                        self._take(msg.topic(), msg.value())
                self._trim()
            except (InterchangeError, KafkaException) as exc:
                log.error("status feed: %s", exc)
                if cons is not None:
                    cons.close()
                    cons = None
                self._stop.wait(2.0)
        if cons is not None:
            cons.close()

    def _trim(self) -> None:
        oldest = time.time() - self.window_s
        with self._guard:
            for queue in (self._metrics, self._alerts):
                while queue and queue[0]["at"] < oldest:
                    queue.popleft()

    def snapshot(self) -> Snapshot:
        with self._guard:
            firing = [a for a in self._state.values() if a["state"] == "FIRING"]
            return Snapshot(
                list(self._metrics),
                list(self._alerts),
                sorted(firing, key=lambda a: -a["at"]),
                self._undecodable,
                time.time(),
                self.window_s,
            )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="interchange-serve-status", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
