"""At-least-once delivery: a batch's input offsets are committed once its outputs (and every earlier batch's) are
delivered; a crash in between re-scores the batch (duplicates, never loss)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery.base import Delivery, Offsets, produce_each

__all__ = ["AtLeastOnce"]

log = logging.getLogger("interchange.kafka.scorer")

_REBALANCED = {KafkaError.ILLEGAL_GENERATION, KafkaError.UNKNOWN_MEMBER_ID, KafkaError.REBALANCE_IN_PROGRESS}


class _Batch:
    """One batch's outputs in flight: how many were handed over and answered, and its input offsets."""

    __slots__ = ("sent", "answered", "errors", "offsets", "first")

    def __init__(self) -> None:
        self.sent = self.answered = 0
        self.errors: list[str] = []
        self.offsets: Offsets = []
        self.first: Offsets = []

    def delivered(self, err: Any, msg: Any) -> None:
        self.answered += 1
        if err is not None:
            self.errors.append(f"{msg.topic()}: {err}")

    @property
    def done(self) -> bool:
        return self.answered >= self.sent


class AtLeastOnce(Delivery):
    """Offsets are committed once the batch's outputs (and every earlier batch's) are delivered, without
    waiting for the commit's answer: a commit that fails (rebalance, broker away) is superseded by a later
    one, and a crash before it lands re-scores the batch (duplicates, never loss), as at-least-once allows.

    Pipelined: ``commit`` hands the batch over and returns, so the scorer decodes and scores the next batch
    while this one's deliveries come back (waiting for them took ~20% of the scorer's time, profiled). At
    most ``IN_FLIGHT`` batches wait; past that ``commit`` waits for the oldest, reporting the scorer
    unhealthy while Kafka is away, as before. A failed delivery raises TransportError and
    :meth:`unsettled` gives the offsets to rewind to (the first undelivered batch's).
    """

    IN_FLIGHT = 4

    def __init__(self, config: ClientConfig, stop: threading.Event, report: Callable[[str], None], **extra: Any) -> None:
        super().__init__(config, stop, report, **extra)
        self._pending: deque[_Batch] = deque()
        self._batch = _Batch()
        self._consumer: Consumer | None = None
        self._failed = False

    def begin(self) -> None:
        super().begin()
        self._batch = _Batch()

    def produce(self, topic: str, key: bytes | None, value: bytes, headers: Any = None) -> None:
        self._send(topic, key, value, headers, self._batch.delivered)
        self._batch.sent += 1

    def produce_many(self, topic: str, keys: list[bytes | None], values: list[bytes], headers: list[Any] | None = None) -> None:
        batch = self._batch

        def sent(count: int) -> None:
            batch.sent += count

        produce_each(self, batch.delivered, topic, keys, values, headers, sent)

    def commit(
        self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None, counted: Callable[[], None] | None = None
    ) -> bool:
        """Hands the batch over (``counted`` at once: a batch scored again after a failed delivery has its
        outputs produced again, and counts again)."""
        self._consumer = consumer
        self._batch.offsets, self._batch.first = offsets, first or []
        self._pending.append(self._batch)
        self._batch = _Batch()
        self.producer.poll(0)
        if not self._wait_for(len(self._pending) - self.IN_FLIGHT):
            return False
        self.settle()
        if counted is not None:
            counted()
        return True

    def settle(self) -> None:
        """Commit the offsets of the leading batches whose outputs are all delivered (no waiting)."""
        if not self._pending:
            return
        self.producer.poll(0)
        done: dict[tuple[str, int], int] = {}
        while self._pending and self._pending[0].done:
            batch = self._pending[0]
            if batch.errors:
                self._failed = True
                raise TransportError(f"outputs were not delivered: {batch.errors[:3]}")
            self._pending.popleft()
            for tp in batch.offsets:
                done[(tp.topic, tp.partition)] = tp.offset
        if done and self._consumer is not None:
            self._commit(self._consumer, [TopicPartition(t, p, o) for (t, p), o in done.items()])

    def unsettled(self) -> Offsets:
        """After a failed delivery: the first input offsets of every batch not yet committed (forgotten now).
        Other troubles (the registry away mid-batch) leave the batches in flight alone."""
        if not self._failed:
            return []
        self._failed = False
        first = [tp for batch in self._pending for tp in batch.first]
        self._pending.clear()
        self._batch = _Batch()
        return first

    def _wait_for(self, excess: int) -> bool:
        """Wait until at most the newest ``len - excess`` batches are undelivered; False when stopped first."""
        while excess > 0 and not all(b.done for b in list(self._pending)[:excess]):
            if self.producer.poll(1.0) == 0 and not all(b.done for b in list(self._pending)[:excess]):
                if self.stop.is_set():
                    return False
                self.report(f"waiting for Kafka to take {len(self.producer)} outputs")
        return True

    def _commit(self, consumer: Consumer, offsets: Offsets) -> None:
        while True:
            try:
                consumer.commit(offsets=offsets, asynchronous=True)
                return
            except KafkaException as exc:
                err = exc.args[0]
                if err.code() in _REBALANCED:  # the partitions moved on: the new owner re-scores (at-least-once)
                    log.warning("offsets not committed, the group rebalanced: %s", err)
                    return
                if self.stop.is_set():
                    return
                if not err.retriable() and err.code() not in (KafkaError._TRANSPORT, KafkaError._TIMED_OUT):
                    raise TransportError(f"cannot commit offsets: {err}") from exc
                self.report(f"offset commit waiting for Kafka: {err}")
                self.stop.wait(1.0)

    def close(self) -> None:
        """Deliver what is in flight and commit it (a clean stop re-scores nothing)."""
        if self.stuck:
            return
        self.producer.flush(5)
        try:
            self.settle()
        except TransportError as exc:  # left uncommitted: scored again by whoever reads the topic next
            log.warning("last outputs not delivered: %s", exc)
