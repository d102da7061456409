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


class _FullProducer(_Producer):
    """Refuses a produce() with BufferError once ``room`` records wait; poll() answers them and makes room."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room, self.records = room, []
        self.answered_all: list = []

    def produce(self, topic, key=None, value=None, headers=None, on_delivery=None) -> None:
        if len(self.waiting) - len(self.answered_all) >= self.room:
            raise BufferError("queue full")
        self.records.append((key, value, headers))
        super().produce(topic, key, value, headers, on_delivery)

    def poll(self, timeout: float = 0) -> int:
        for i in range(len(self.answered_all), len(self.waiting)):
            self.answer(i)
        self.answered_all = list(self.waiting)
        return super().poll(timeout)


def test_produce_many_hands_over_every_record_in_order_through_a_full_queue() -> None:
    delivery, _ = _delivery()
    fake = _FullProducer(room=3)
    delivery.producer = fake  # type: ignore[assignment]
    consumer = _Consumer()
    delivery.begin()
    keys, values = [b"k%d" % i for i in range(10)], [b"v%d" % i for i in range(10)]
    headers = [[("h", b"%d" % i)] for i in range(10)]
    delivery.produce_many("out", keys, values, headers)
    delivery.produce_many("out", [None], [b"last"])
    assert fake.records == [*zip(keys, values, headers, strict=True), (None, b"last", None)]
    assert delivery._batch.sent == 11  # the batch knows how many answers to wait for
    assert delivery.commit(consumer, [TopicPartition("in", 0, 11)], [TopicPartition("in", 0, 0)])  # type: ignore[arg-type]
    assert consumer.commits == [{("in", 0): 11}]  # commit's poll answered the last ones


def test_produce_many_stopped_with_the_queue_full_counts_what_it_handed_over() -> None:
    stop = threading.Event()
    delivery, _ = _delivery(stop)
    fake = _FullProducer(room=2)
    fake.poll = lambda timeout=0: 0  # type: ignore[method-assign]  # the broker never answers
    delivery.producer = fake  # type: ignore[assignment]
    delivery.begin()
    stop.set()
    with pytest.raises(TransportError, match="queue full"):
        delivery.produce_many("out", [b"a", b"b", b"c"], [b"1", b"2", b"3"])
    assert delivery._batch.sent == 2 and len(fake.records) == 2
