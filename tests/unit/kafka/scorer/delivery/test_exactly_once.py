"""Exactly-once delivery with a full batch's commit in the background: the next batch's transaction begins
only once that commit is done, a failed commit rewinds to its batch, and a rewind never reads the group's
offsets while a commit is still running.

The transactional producer is a recorder here (the order of calls is what is tested);
tests/integration/test_scorer_faults.py runs exactly-once against a real broker, kill -9 included.
"""

from __future__ import annotations

import threading
import time

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery import SETTLE_S, ExactlyOnce, batch_inputs


class _Producer:
    """Records transactional calls; commit_transaction blocks until the test lets it go (``release``)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()
        self.fail: KafkaException | None = None

    def init_transactions(self, timeout: float) -> None:
        self.calls.append("init")

    def begin_transaction(self) -> None:
        self.calls.append("begin")

    def produce(self, topic, key=None, value=None, headers=None, on_delivery=None) -> None:
        self.calls.append(f"produce {value!r}")

    def send_offsets_to_transaction(self, offsets, metadata, timeout: float) -> None:
        self.calls.append(f"offsets {[tp.offset for tp in offsets]}")

    def commit_transaction(self, timeout: float) -> None:
        self.release.wait(10)
        if self.fail is not None:
            raise self.fail
        self.calls.append("committed")

    def abort_transaction(self, timeout: float) -> None:
        self.calls.append("aborted")

    def flush(self, timeout: float = 0) -> int:
        return 0


class _Consumer:
    def consumer_group_metadata(self) -> object:
        return object()


def _delivery(stop: threading.Event | None = None, settle_s: float = 0.0) -> tuple[ExactlyOnce, _Producer]:
    config = ClientConfig({"bootstrap.servers": "127.0.0.1:9"})
    delivery = ExactlyOnce(config, stop or threading.Event(), lambda why: None, "test-txn", overlap_from=10, settle_s=settle_s)
    fake = _Producer()
    delivery.producer = fake  # type: ignore[assignment]
    return delivery, fake


def _batch(delivery: ExactlyOnce, n: int, first: int, counted: list[int] | None = None) -> bool:
    """One batch of ``n`` inputs from offset ``first``; ``counted`` gets ``first`` when the batch counts as committed."""
    delivery.begin()
    delivery.produce("out", b"k", str(first).encode())
    return delivery.commit(
        _Consumer(),  # type: ignore[arg-type]
        [TopicPartition("in", 0, first + n)],
        [TopicPartition("in", 0, first)],
        None if counted is None else lambda: counted.append(first),
    )


def test_a_full_batch_commits_in_the_background_and_the_next_transaction_waits_for_it() -> None:
    delivery, fake = _delivery()
    assert _batch(delivery, 10, 0)  # full: returns before the commit is done
    assert fake.calls[-1] == "offsets [10]"
    started = threading.Thread(target=delivery.begin)
    started.start()
    started.join(0.3)
    assert started.is_alive()  # the next transaction waits for the previous commit
    assert "committed" not in fake.calls
    fake.release.set()
    started.join(5)
    assert fake.calls == ["init", "begin", "produce b'0'", "offsets [10]", "committed", "begin"]


def test_a_small_batch_is_committed_before_commit_returns() -> None:
    delivery, fake = _delivery()
    fake.release.set()
    assert _batch(delivery, 3, 0)
    assert fake.calls[-1] == "committed"
    assert delivery.unsettled() == []


def test_a_failed_background_commit_aborts_and_hands_back_its_offsets() -> None:
    delivery, fake = _delivery()
    fake.fail = KafkaException(KafkaError(KafkaError._STATE, "fenced meanwhile", txn_requires_abort=True))
    assert _batch(delivery, 10, 100)
    fake.release.set()
    with pytest.raises(TransportError, match="transaction aborted"):
        delivery.begin()  # the next batch learns it: the scorer rewinds
    assert fake.calls[-1] == "aborted"
    assert [(tp.partition, tp.offset) for tp in delivery.unsettled()] == [(0, 100)]
    assert delivery.unsettled() == []  # handed back once


def test_a_rewind_waits_for_the_commit_in_flight() -> None:
    """unsettled() is what the scorer calls before asking the group's committed offsets: with a commit still
    running it would read the offsets before that batch and score the batch a second time."""
    delivery, fake = _delivery()
    assert _batch(delivery, 10, 0)
    threading.Timer(0.3, fake.release.set).start()
    assert delivery.unsettled() == []  # waited: the commit landed
    assert fake.calls[-1] == "committed"


def test_an_idle_scorer_abandons_a_background_commit_past_the_deadline() -> None:
    """With no next batch to wait for it, a commit hung for good must still be given up (its producer replaced
    and fenced, its batch handed back to be scored again), as a waiting begin() would."""
    delivery, fake = _delivery()
    delivery.watch_deadline_s = 0.3
    assert _batch(delivery, 10, 100)  # full: committed in the background, and the commit hangs
    delivery.settle()  # still under the deadline: left running
    time.sleep(0.4)
    with pytest.raises(TransportError, match="did not finish"):
        delivery.settle()
    assert delivery.producer is not fake and fake in delivery._stuck_clients
    fresh = _Producer()
    delivery.producer = fresh  # type: ignore[assignment]  # the replacement, recorded
    assert [(tp.partition, tp.offset) for tp in delivery.unsettled()] == [(0, 100)]
    assert fresh.calls == ["init"]  # fenced the hung producer's transaction before the group's offsets are read
    fake.release.set()


def test_stop_while_the_previous_commit_runs_leaves_it_alone() -> None:
    stop = threading.Event()
    delivery, fake = _delivery(stop)
    assert _batch(delivery, 10, 0)
    stop.set()  # SIGTERM; the broker does not answer
    with pytest.raises(TransportError, match="stopped"):
        delivery.begin()
    delivery.abort()
    delivery.close()  # a stuck call: neither aborted nor flushed under it
    assert "aborted" not in fake.calls
    fake.release.set()


def test_close_after_stop_lets_the_background_commit_finish() -> None:
    stop = threading.Event()
    delivery, fake = _delivery(stop)
    assert _batch(delivery, 10, 0)  # full: committed in the background
    stop.set()  # SIGTERM while the commit runs; the broker answers 1 s later (a stopped wait gives up after 0.5 s)
    threading.Timer(1.0, fake.release.set).start()
    delivery.close()
    assert fake.calls[-1] == "committed" and "aborted" not in fake.calls


def test_batch_inputs_counts_offsets_over_partitions() -> None:
    nxt = [TopicPartition("a", 0, 15), TopicPartition("a", 1, 7)]
    first = [TopicPartition("a", 0, 10), TopicPartition("a", 1, 4)]
    assert batch_inputs(nxt, first) == 8


def test_the_next_transaction_begins_a_settle_time_after_the_last_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Begun at once, its AddPartitionsToTxn would be refused while the commit's markers are written, and librdkafka
    asks again only 20 ms later; the pause is taken only for what is left of the settle time."""
    delivery, fake = _delivery(settle_s=0.5)
    fake.release.set()
    clock = [100.0]
    slept: list[float] = []
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(time, "sleep", slept.append)
    assert _batch(delivery, 3, 0)  # committed at 100.0
    clock[0] = 100.2
    delivery.begin()
    assert slept == [pytest.approx(0.3)]
    assert fake.calls[-2:] == ["committed", "begin"]
    delivery.commit(_Consumer(), [TopicPartition("in", 0, 5)], [TopicPartition("in", 0, 3)])  # type: ignore[arg-type]
    clock[0] = 101.0  # long after this commit: no pause
    delivery.begin()
    assert slept == [pytest.approx(0.3)]


def test_the_scorer_settles_by_default() -> None:
    config = ClientConfig({"bootstrap.servers": "127.0.0.1:9"})
    assert ExactlyOnce(config, threading.Event(), lambda why: None, "t").settle_s == SETTLE_S > 0


def test_a_background_commit_counts_once_it_is_done_and_a_failed_one_never() -> None:
    """The scorer's statistics follow what is committed: counted at commit() time, a batch whose background commit
    failed was counted twice (once more when scored again)."""
    delivery, fake = _delivery()
    counted: list[int] = []
    assert _batch(delivery, 10, 0, counted)
    assert counted == []  # still committing
    fake.release.set()
    delivery.begin()
    assert counted == [0]
    fake.release.clear()
    fake.fail = KafkaException(KafkaError(KafkaError._STATE, "fenced meanwhile", txn_requires_abort=True))
    delivery.produce("out", b"k", b"10")
    assert delivery.commit(_Consumer(), [TopicPartition("in", 0, 20)], [TopicPartition("in", 0, 10)], lambda: counted.append(10))  # type: ignore[arg-type]
    fake.release.set()
    with pytest.raises(TransportError, match="transaction aborted"):
        delivery.begin()
    assert counted == [0]


@pytest.mark.parametrize(("group_offset", "counts"), [(110, True), (100, False)])
def test_an_abandoned_commit_counts_when_the_group_offsets_show_it_landed(group_offset: int, counts: bool) -> None:
    """A commit whose answer is lost (the broker killed while writing it) is abandoned past the deadline with its
    outcome unknown. The rewind reads the group's committed offsets: past the batch, the transaction landed and the
    batch is not scored again, so it must count now (else the scorer under-reports it for good); before it, the
    batch is scored again and counts then."""
    delivery, fake = _delivery()
    delivery.watch_deadline_s = 0.3
    counted: list[int] = []
    with pytest.raises(TransportError, match="did not finish"):
        _batch(delivery, 5, 100, counted)  # small: committed in the foreground, and the commit hangs
    delivery.producer = _Producer()  # type: ignore[assignment]  # the replacement, recorded
    assert delivery.unsettled() == []  # fenced; the scorer rewinds to the batch it was scoring
    delivery.resolve([TopicPartition("in", 0, group_offset)])
    assert counted == ([100] if counts else [])
    delivery.resolve([TopicPartition("in", 0, group_offset)])
    assert len(counted) == (1 if counts else 0)  # resolved once
    fake.release.set()
