"""Pipelined at-least-once delivery: offsets are committed only once a batch's outputs and every earlier
batch's are delivered, and a failed delivery hands back the offsets to score again.

The Kafka clients are replaced by recorders here (the order of callbacks and commits is what is tested);
tests/integration/test_scorer_faults.py covers the same path against a real broker.
"""

from __future__ import annotations

import threading

import pytest
from confluent_kafka import TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery import AtLeastOnce


class _Msg:
    def __init__(self, topic: str) -> None:
        self._topic = topic

    def topic(self) -> str:
        return self._topic


class _Producer:
    """Holds delivery callbacks until the test answers them; poll() serves the answered ones."""

    def __init__(self) -> None:
        self.waiting: list = []  # (topic, callback)
        self.answered: list = []

    def produce(self, topic, key=None, value=None, headers=None, on_delivery=None) -> None:
        self.waiting.append((topic, on_delivery))

    def answer(self, index: int, err: str | None = None) -> None:
        topic, callback = self.waiting[index]
        self.answered.append((callback, err, _Msg(topic)))

    def poll(self, timeout: float = 0) -> int:
        served, self.answered = self.answered, []
        for callback, err, msg in served:
            callback(err, msg)
        return len(served)

    def flush(self, timeout: float = 0) -> int:
        return 0

    def __len__(self) -> int:
        return 0


class _Consumer:
    def __init__(self) -> None:
        self.commits: list[dict[tuple[str, int], int]] = []

    def commit(self, offsets, asynchronous: bool) -> None:
        self.commits.append({(tp.topic, tp.partition): tp.offset for tp in offsets})


def _delivery(stop: threading.Event | None = None) -> tuple[AtLeastOnce, _Producer]:
    delivery = AtLeastOnce(ClientConfig({"bootstrap.servers": "127.0.0.1:9"}), stop or threading.Event(), lambda why: None)
    fake = _Producer()
    delivery.producer = fake  # type: ignore[assignment]
    return delivery, fake


def _batch(delivery: AtLeastOnce, consumer: _Consumer, n: int, partition: int, first: int) -> bool:
    delivery.begin()
    for _ in range(n):
        delivery.produce("out", b"k", b"v")
    return delivery.commit(
        consumer,  # type: ignore[arg-type]
        [TopicPartition("in", partition, first + n)],
        [TopicPartition("in", partition, first)],
    )


def test_offsets_wait_for_every_earlier_batch() -> None:
    delivery, fake = _delivery()
    consumer = _Consumer()
    assert _batch(delivery, consumer, 2, 0, 0)  # batch A: outputs 0, 1
    assert _batch(delivery, consumer, 1, 1, 10)  # batch B: output 2 (another partition)
    assert consumer.commits == []  # nothing delivered yet: the scorer went on without waiting
    fake.answer(2)
    delivery.settle()
    assert consumer.commits == []  # B is delivered, A is not: B's offsets wait
    fake.answer(0)
    fake.answer(1)
    delivery.settle()
    assert consumer.commits == [{("in", 0): 2, ("in", 1): 11}]  # A and B in one commit


def test_failed_delivery_rewinds_to_the_first_uncommitted_batch() -> None:
    delivery, fake = _delivery()
    consumer = _Consumer()
    _batch(delivery, consumer, 1, 0, 0)
    _batch(delivery, consumer, 1, 0, 1)
    assert delivery.unsettled() == []  # no failure: in-flight batches are left alone
    fake.answer(0, err="MSG_SIZE_TOO_LARGE")
    fake.answer(1)
    with pytest.raises(TransportError, match="not delivered"):
        delivery.settle()
    assert consumer.commits == []
    assert [(tp.partition, tp.offset) for tp in delivery.unsettled()] == [(0, 0), (0, 1)]
    assert delivery.unsettled() == []  # forgotten once handed back


def test_too_many_batches_in_flight_waits_and_stop_ends_the_wait() -> None:
    stop = threading.Event()
    delivery, fake = _delivery(stop)
    consumer = _Consumer()
    for i in range(AtLeastOnce.IN_FLIGHT):
        assert _batch(delivery, consumer, 1, 0, i)
    stop.set()  # the broker never answers; SIGTERM arrives
    assert not _batch(delivery, consumer, 1, 0, AtLeastOnce.IN_FLIGHT)
    assert consumer.commits == []
