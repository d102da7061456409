"""The scorer's periodic report: consumer lag, live versions, and Metric events to the metrics topic.

Called from the scoring loop between batches (the consumer is not shared with another thread);
the Prometheus collector reads the state it leaves in ``state`` (replaced whole, never mutated).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer

from interchange.kafka.registry import AvroCodec
from interchange.kafka.scorer.observe.metrics import ScorerMetrics
from interchange.kafka.scorer.router import Router

__all__ = ["Reporter"]

log = logging.getLogger("interchange.kafka.scorer")


class Reporter:
    """Every ``interval`` s: measure lag, publish the window's Metric events (when a topic is set)."""

    def __init__(
        self, metrics: ScorerMetrics, interval: float, producer: Producer | None = None, topic: str | None = None
    ) -> None:
        self.metrics = metrics
        self.interval = interval
        self.producer = producer
        self.topic = topic
        self.codec: AvroCodec | None = None
        self.state: dict[str, Any] = {}
        self._due = time.monotonic() + interval

    def tick(self, consumer: Consumer, router: Router, healthy: bool, force: bool = False) -> int | None:
        """Measure and report when due; the total lag (None when not measured this time)."""
        now = time.monotonic()
        if not force and now < self._due:
            return None
        self._due = now + self.interval
        lag = _lag(consumer)
        serving = {}
        for topic in router.topics():
            plan = router.plan(topic)
            if plan is None:
                continue
            for role, version in plan.serving().items():
                serving[(plan.route.model, topic, role)] = version
        self.state = {"serving": serving, "lag": lag, "healthy": healthy}
        self._publish(router, lag, serving)
        return sum(lag.values()) if lag else 0

    def _publish(self, router: Router, lag: dict[tuple[str, int], int], serving: dict[tuple[str, str, str], int]) -> None:
        extra: list[tuple[str, str, int | None, float, dict[str, str]]] = []
        for (model, topic, role), version in serving.items():
            extra.append((model, "live_version", version, float(version), {"role": role, "route": topic}))
        for (topic, partition), value in lag.items():
            route = router.routes.get(topic)
            if route is not None:
                extra.append((route.model, "consumer_lag", None, float(value), {"topic": topic, "partition": str(partition)}))
        records = self.metrics.window(extra)
        if self.producer is None or self.codec is None or self.topic is None:
            return
        for record in records:
            try:
                self.producer.produce(self.topic, key=record["model"].encode(), value=self.codec.encode(record))
            except BufferError:
                log.warning("metrics producer queue full; metric events of this window dropped")
                break
        self.producer.poll(0)


def _lag(consumer: Consumer) -> dict[tuple[str, int], int]:
    """Events behind the high watermark per assigned partition, from the consumer's position and the
    watermarks librdkafka caches from fetch responses (no broker round trip)."""
    try:
        assignment = consumer.assignment()
        if not assignment:
            return {}
        positions = consumer.position(assignment)
    except KafkaException:
        return {}
    out = {}
    for tp in positions:
        try:
            low, high = consumer.get_watermark_offsets(tp, cached=True)
        except KafkaException:
            continue
        if high < 0:
            continue
        position = tp.offset if tp.offset >= 0 else low
        out[(tp.topic, tp.partition)] = max(high - max(position, low), 0)
    return out
