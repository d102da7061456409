"""Consumer lag as the reporter measures it, from a consumer's positions and cached watermarks."""

from __future__ import annotations

from confluent_kafka import KafkaException, TopicPartition

from interchange.kafka.scorer.observe.report import _lag


class _Consumer:
    """Plain stand-in: the assignment, positions and watermarks a librdkafka consumer would report."""

    def __init__(self, positions: dict[int, int], watermarks: dict[int, tuple[int, int]], fail: bool = False) -> None:
        self.positions, self.watermarks, self.fail = positions, watermarks, fail

    def assignment(self) -> list[TopicPartition]:
        if self.fail:
            raise KafkaException("broker down")
        return [TopicPartition("features", p) for p in self.positions]

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return [TopicPartition(tp.topic, tp.partition, self.positions[tp.partition]) for tp in partitions]

    def get_watermark_offsets(self, tp: TopicPartition, cached: bool) -> tuple[int, int]:
        assert cached  # no broker round trip between batches
        return self.watermarks[tp.partition]


def test_lag_is_the_distance_to_the_high_watermark_per_partition() -> None:
    consumer = _Consumer(
        positions={0: 90, 1: -1001, 2: 5, 3: 40},  # 1: no position yet (OFFSET_INVALID) counts from the low mark
        watermarks={0: (0, 100), 1: (20, 50), 2: (10, 30), 3: (0, -1)},  # 2: position below a truncated log; 3: unknown
    )
    assert _lag(consumer) == {("features", 0): 10, ("features", 1): 30, ("features", 2): 20}


def test_no_assignment_or_an_unreachable_broker_measures_nothing() -> None:
    assert _lag(_Consumer({}, {})) == {}
    assert _lag(_Consumer({0: 1}, {0: (0, 2)}, fail=True)) == {}
