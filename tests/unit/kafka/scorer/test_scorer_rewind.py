"""The scorer's rewind when the consumer refuses a seek: kept and retried on a partition it still owns
(scoring on would commit past the batch), dropped on one that moved to another member."""

from __future__ import annotations

import pytest
from confluent_kafka import TopicPartition

from interchange.errors import TransportError
from interchange.kafka.scorer.scorer import Scorer


class _Consumer:
    """Refuses seeks on the partitions in ``refuse`` (librdkafka's "Erroneous state" after a broker restart)."""

    def __init__(self, owned: list[tuple[str, int]], refuse: set[tuple[str, int]]) -> None:
        self.owned, self.refuse, self.at = owned, refuse, {}

    def seek(self, tp: TopicPartition) -> None:
        if (tp.topic, tp.partition) in self.refuse:
            raise RuntimeError('KafkaError{code=_STATE,val=-172,str="Failed to seek to offset: Local: Erroneous state"}')
        self.at[(tp.topic, tp.partition)] = tp.offset

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(t, p) for t, p in self.owned]


def _scorer(consumer: _Consumer) -> Scorer:
    scorer = Scorer.__new__(Scorer)  # only the rewind's state: no Kafka behind it
    scorer.consumer = consumer  # type: ignore[assignment]
    scorer._pending_seek = []
    return scorer


def test_a_refused_seek_on_an_owned_partition_is_retried_before_the_next_batch() -> None:
    consumer = _Consumer(owned=[("in", 0), ("in", 1)], refuse={("in", 0)})
    scorer = _scorer(consumer)
    scorer._seek([TopicPartition("in", 0, 150), TopicPartition("in", 1, 40)])
    assert consumer.at == {("in", 1): 40}
    assert [(t.partition, t.offset) for t in scorer._pending_seek] == [(0, 150)]
    with pytest.raises(TransportError, match="cannot rewind 1 partition"):  # still refused: no batch is taken
        scorer._retry_seek()
    assert [(t.partition, t.offset) for t in scorer._pending_seek] == [(0, 150)]
    consumer.refuse.clear()
    scorer._retry_seek()
    assert consumer.at == {("in", 0): 150, ("in", 1): 40} and scorer._pending_seek == []


def test_a_refused_seek_on_a_partition_that_moved_away_is_dropped() -> None:
    consumer = _Consumer(owned=[("in", 1)], refuse={("in", 0)})
    scorer = _scorer(consumer)
    scorer._seek([TopicPartition("in", 0, 150)])
    assert scorer._pending_seek == []


def test_the_earliest_offset_wins_when_a_partition_is_rewound_twice() -> None:
    consumer = _Consumer(owned=[("in", 0)], refuse={("in", 0)})
    scorer = _scorer(consumer)
    scorer._seek([TopicPartition("in", 0, 300)])
    scorer._seek([TopicPartition("in", 0, 150)])
    consumer.refuse.clear()
    scorer._retry_seek()
    assert consumer.at == {("in", 0): 150}
