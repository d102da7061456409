"""Exactly-once with two transactional producers taken in turn: the next batch begins and produces on the other
producer while the previous commit runs, commits stay in order (a commit's offsets are sent only once the previous
batch's commit is done), and a failed commit aborts every later one and rewinds to the first failed batch.

The producers are recorders writing to one shared log (the order across them is what is tested);
tests/integration/test_scorer_faults.py runs them against a real broker, kill -9 included.
"""

from __future__ import annotations

import threading
import time

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery import ExactlyOnce


class _Producer:
    """Records its calls as ``<name> <call>`` in a shared log; commit_transaction blocks until ``release``."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log
        self.release = threading.Event()
        self.fail: KafkaException | None = None

    def _note(self, what: str) -> None:
        self.log.append(f"{self.name} {what}")

    def init_transactions(self, timeout: float) -> None:
        self._note("init")

    def begin_transaction(self) -> None:
        self._note("begin")

    def produce(self, topic, key=None, value=None, headers=None, on_delivery=None) -> None:
        self._note(f"produce {value.decode()}")

    def send_offsets_to_transaction(self, offsets, metadata, timeout: float) -> None:
        self._note(f"offsets {[tp.offset for tp in offsets]}")

    def commit_transaction(self, timeout: float) -> None:
        self.release.wait(10)
        if self.fail is not None:
            raise self.fail
        self._note("committed")

    def abort_transaction(self, timeout: float) -> None:
        self._note("aborted")

    def flush(self, timeout: float = 0) -> int:
        return 0


class _Consumer:
    def consumer_group_metadata(self) -> object:
        return object()


def _delivery() -> tuple[ExactlyOnce, _Producer, _Producer, list[str]]:
    config = ClientConfig({"bootstrap.servers": "127.0.0.1:9"})
    delivery = ExactlyOnce(config, threading.Event(), lambda why: None, "test-txn", overlap_from=10, settle_s=0.0, producers=2)
    log: list[str] = []
    a, b = _Producer("A", log), _Producer("B", log)
    delivery._lanes[0].producer, delivery._lanes[1].producer = a, b
    return delivery, a, b, log


def _batch(delivery: ExactlyOnce, n: int, first: int) -> bool:
    delivery.begin()
    delivery.produce("out", b"k", str(first).encode())
    return delivery.commit(
        _Consumer(),  # type: ignore[arg-type]
        [TopicPartition("in", 0, first + n)],
        [TopicPartition("in", 0, first)],
    )


def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_each_producer_has_its_own_transactional_id() -> None:
    config = ClientConfig({"bootstrap.servers": "127.0.0.1:9"})
    delivery = ExactlyOnce(config, threading.Event(), lambda why: None, "scorer-x", producers=3)
    assert [lane.transactional_id for lane in delivery._lanes] == ["scorer-x", "scorer-x-1", "scorer-x-2"]


def test_the_next_batch_produces_on_the_other_producer_while_the_commit_runs_and_commits_after_it() -> None:
    delivery, a, b, log = _delivery()
    assert _batch(delivery, 2, 0)  # small batches too: in the background with two producers
    assert _batch(delivery, 3, 2)  # begins and produces on B while A's commit is held
    assert log[-2:] == ["B begin", "B produce 2"]
    time.sleep(0.2)
    assert "B offsets [5]" not in log  # B's offsets wait for A's commit
    a.release.set()
    _until(lambda: "B offsets [5]" in log)
    assert log.index("A committed") < log.index("B offsets [5]")
    b.release.set()
    assert delivery.unsettled() == []
    assert log[-1] == "B committed"
    assert log[:2] == ["A init", "B init"]  # both ids registered (fencing their previous incarnations) at start


def test_a_producer_begins_again_only_after_its_own_commit() -> None:
    delivery, a, b, log = _delivery()
    a.release.set()
    assert _batch(delivery, 2, 0)
    assert _batch(delivery, 2, 2)  # B's commit held
    started = threading.Thread(target=_batch, args=(delivery, 2, 4))  # A again: A's commit is done, B's is not
    started.start()
    started.join(5)
    assert not started.is_alive()
    assert log.count("A begin") == 2
    b.release.set()
    assert delivery.unsettled() == []
    assert log.index("B committed") < log.index("A offsets [6]")


def test_a_failed_commit_aborts_the_later_one_and_rewinds_to_the_first_failed_batch() -> None:
    delivery, a, b, log = _delivery()
    a.fail = KafkaException(KafkaError(KafkaError._STATE, "fenced meanwhile", txn_requires_abort=True))
    assert _batch(delivery, 2, 100)
    assert _batch(delivery, 3, 102)
    a.release.set()
    b.release.set()
    with pytest.raises(TransportError, match="transaction aborted"):
        delivery.begin()  # the next batch (A again) learns it: the scorer rewinds
    assert "A aborted" in log and "B aborted" in log
    assert not any(line.startswith("B offsets") or line == "B committed" for line in log)  # B never committed
    assert sorted(tp.offset for tp in delivery.unsettled()) == [100, 102]  # the scorer seeks to the earliest
    assert delivery.unsettled() == []


def test_a_rewind_waits_for_every_commit_in_flight() -> None:
    delivery, a, b, log = _delivery()
    assert _batch(delivery, 2, 0)
    assert _batch(delivery, 2, 2)
    threading.Timer(0.2, a.release.set).start()
    threading.Timer(0.3, b.release.set).start()
    assert delivery.unsettled() == []
    assert log[-1] == "B committed"


def test_the_scorer_option_picks_the_producers_and_refuses_none() -> None:
    from interchange.errors import ConfigError
    from interchange.kafka.scorer import ScorerOptions
    from interchange.kafka.scorer.delivery import delivery_for

    with pytest.raises(ConfigError, match="transactional_producers"):
        ScorerOptions(model="m", guarantee="exactly-once", transactional_producers=0)
    config = ClientConfig({"bootstrap.servers": "127.0.0.1:9"})
    delivery = delivery_for("exactly-once", config, threading.Event(), lambda why: None, "g-1", 100, producers=2)
    assert isinstance(delivery, ExactlyOnce) and len(delivery._lanes) == 2
