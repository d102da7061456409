"""Reading a consumed batch without a Python call per message: the same answers as message by message."""

from __future__ import annotations

import random

import numpy as np
import pytest
from confluent_kafka import KafkaError, Message, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.scorer.batch.messages import (
    SAMPLE_EVERY,
    SAMPLE_FROM,
    by_topic,
    created_ms,
    offset_bounds,
    positions,
    sampled_created_ms,
    sources,
    usable,
)


def msg(topic: str | None = "t", partition: int | None = 0, offset: int | None = 0, **kw) -> Message:
    return Message(topic=topic, partition=partition, offset=offset, **kw)


def _by_hand(messages: list[Message]) -> tuple[dict, dict]:
    last, first = {}, {}
    for m in messages:
        key = (m.topic(), m.partition())
        last[key] = max(last.get(key, -1), m.offset() + 1)
        first[key] = min(first.get(key, m.offset()), m.offset())
    return last, first


def _as_dict(tps: list[TopicPartition]) -> dict:
    return {(tp.topic, tp.partition): tp.offset for tp in tps}


@pytest.mark.parametrize("seed", range(20))
def test_offset_bounds_equal_message_by_message(seed: int) -> None:
    rng = random.Random(seed)
    topics, partitions = rng.choice([["a"], ["a", "b"]]), rng.choice([[0], [0, 1, 2]])
    messages = [msg(rng.choice(topics), rng.choice(partitions), rng.randrange(10**9)) for _ in range(rng.randrange(1, 60))]
    nxt, first = offset_bounds(messages)
    assert (_as_dict(nxt), _as_dict(first)) == _by_hand(messages)


def test_one_partition_batch_out_of_order_still_spans_min_to_max() -> None:
    nxt, first = offset_bounds([msg(offset=7), msg(offset=3), msg(offset=5)])
    assert (_as_dict(nxt), _as_dict(first)) == ({("t", 0): 8}, {("t", 0): 3})
    assert offset_bounds([]) == ([], [])


def test_by_topic_keeps_order_within_each_topic() -> None:
    messages = [msg("a", offset=0), msg("b", offset=0), msg("a", offset=1)]
    grouped = by_topic(messages)
    assert {t: [m.offset() for m in ms] for t, ms in grouped.items()} == {"a": [0, 1], "b": [0]}
    one = [msg("a", offset=i) for i in range(3)]
    assert by_topic(one) == {"a": one} and by_topic([]) == {}


def test_a_message_without_a_position_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="without a position"):
        by_topic([msg(), msg(topic=None)])
    with pytest.raises(TransportError, match="without a position"):
        offset_bounds([msg(), msg(topic=None)])


def test_usable_drops_consumer_errors() -> None:
    good = [msg(offset=0), msg(offset=1)]
    assert usable(good) is good
    eof = msg(error=KafkaError(KafkaError._PARTITION_EOF))
    assert [m.offset() for m in usable([good[0], eof, good[1]])] == [0, 1]


def test_sources_name_topic_partition_offset() -> None:
    assert sources("in", [msg(partition=2, offset=10), msg(partition=2, offset=11)]) == [b"in/2/10", b"in/2/11"]
    assert sources("in", [msg(partition=0, offset=5), msg(partition=3, offset=0)]) == [b"in/0/5", b"in/3/0"]
    assert sources("in", []) == []


def test_created_ms_keeps_create_times_only() -> None:
    stamps = [msg(timestamp=(1, 1000)), msg(timestamp=(2, 2000)), msg(timestamp=(0, 0)), msg(timestamp=(1, 1500))]
    assert created_ms(stamps).tolist() == [1000.0, 1500.0]


def test_small_batches_have_every_create_time_read() -> None:
    stamps = [msg(offset=i, timestamp=(1, 1000 + i)) for i in range(SAMPLE_FROM)]
    assert sampled_created_ms(stamps).tolist() == [1000.0 + i for i in range(SAMPLE_FROM)]


def test_a_large_batch_is_sampled_with_its_weight_and_every_phase_in_turn() -> None:
    n = 1000
    stamps = [msg(offset=i, timestamp=(1, i)) for i in range(n)]
    seen = set()
    for _ in range(SAMPLE_EVERY):
        got = sampled_created_ms(stamps)
        picked = got[::SAMPLE_EVERY]
        assert np.array_equal(got, np.repeat(picked, SAMPLE_EVERY))  # each sampled event stands for SAMPLE_EVERY
        phase = int(picked[0])
        assert picked.tolist() == list(range(phase, n, SAMPLE_EVERY))
        seen.add(phase)
        assert abs(len(got) - n) < SAMPLE_EVERY and abs(np.median(got) - np.median(np.arange(n))) <= SAMPLE_EVERY
    assert seen == set(range(SAMPLE_EVERY))


def test_positions_are_read_once_per_batch_and_not_shared_across_batches() -> None:
    a = [msg(partition=1, offset=i) for i in range(5)]
    b = [msg(partition=2, offset=10 + i) for i in range(5)]
    pa, oa = positions(a)
    assert positions(a)[1] is oa  # the same batch: read once
    assert (pa.tolist(), oa.tolist()) == ([1] * 5, list(range(5)))
    pb, ob = positions(b)
    assert (pb.tolist(), ob.tolist()) == ([2] * 5, list(range(10, 15)))
    assert _as_dict(offset_bounds(a)[0]) == {("t", 1): 5}
    with pytest.raises(ValueError):
        oa[0] = 7  # shared arrays are read-only
