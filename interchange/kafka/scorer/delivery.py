"""How a batch's outputs and its input offsets reach Kafka: at-least-once or exactly-once.

Both strategies block until the batch is safe or the scorer is told to stop, retrying through
broker outages; neither ever ends the process because Kafka is away. A batch that cannot be
made safe raises TransportError, and the scorer rewinds to the batch's first offsets and
scores it again, so nothing is lost.

- ``AtLeastOnce``: produce, and once every delivery report of the batch (and of the batches
  before it) is in, commit the offsets (without waiting for the commit's answer); the next
  batch is scored meanwhile. A crash between the two re-scores the batch (duplicates, never loss).
- ``ExactlyOnce``: one Kafka transaction per batch holding the outputs, the dead letters and
  the input offsets (``send_offsets_to_transaction``); consumers of the outputs read with
  ``isolation.level=read_committed``. An aborted transaction leaves no trace downstream.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.transport import producer

__all__ = ["Delivery", "AtLeastOnce", "ExactlyOnce", "delivery_for"]

log = logging.getLogger("interchange.kafka.scorer")

Offsets = list[TopicPartition]
WATCH_DEADLINE_S = 30.0  # longest wait for one commit before the client is presumed stuck and replaced
# retry.backoff.ms 2, retry.backoff.max.ms 5 (defaults 100 / 1000): a transaction begun right after a commit
# has its AddOffsetsToTxn answered CONCURRENT_TRANSACTIONS until the previous commit's markers are written
# (librdkafka's debug log: 26 of 40 back-to-back transactions here, the markers done ~1 ms later), and
# librdkafka asks again after retry.backoff.ms, doubling up to retry.backoff.max.ms while refused. Back to
# back, interleaved (3 x 150 transactions each, loaded machine), send_offsets + commit p50 / p99: 26.8 /
# 306 ms at 10 / 1000, 16.6 / 106 ms at 1 / 1000, 9.8 / 81 ms at 2 / 20 (better in each round). (100 ms
# before: exactly-once p50 from the broker 78-92 ms; 42-57 ms at 10.) The cap went from 20 to 5 ms: a refusal
# lasts 1-3 ms, so waits of 8, 16 and 20 ms overshot it (scorer at 1,000/s, 3 interleaved rounds, loaded
# machine: p50 5 against 8 ms, benchmarks/latency_ab.py eos-backoff-max-5).
TRANSACTIONAL = {"transaction.timeout.ms": 60_000, "retry.backoff.ms": 2, "retry.backoff.max.ms": 5}
# A pause between a commit's return and the next transaction's first produce. AddPartitionsToTxn, sent at a
# transaction's first produce, is refused with CONCURRENT_TRANSACTIONS while the previous commit's markers are
# being written, and librdkafka asks again only after a hard-coded 20 ms (rd_kafka_txn_handle_AddPartitionsToTxn;
# the Java client does the same): that one wait was the exactly-once p99. Back-to-back transactions of one
# output and one offset (150 per round, 2 rounds, load average 13): with no pause 15 and 6 refusals and a
# transaction p99 of 38 / 33 ms; with 1 ms, 0 and 1 refusals and p99 7 / 4 ms.
SETTLE_S = 0.001
_REBALANCED = {KafkaError.ILLEGAL_GENERATION, KafkaError.UNKNOWN_MEMBER_ID, KafkaError.REBALANCE_IN_PROGRESS}


class Delivery:
    """Produce a batch's records and make them safe together with its input offsets."""

    def __init__(self, config: ClientConfig, stop: threading.Event, report: Callable[[str], None], **extra: Any) -> None:
        self.config = config
        self.stop = stop
        self.report = report  # tells the scorer it is waiting for Kafka (unhealthy)
        self._extra = extra
        self._errors: list[str] = []
        self._stuck_clients: list[Any] = []
        self.stuck = False  # a call was left running at stop: close() must not touch the client
        self.producer = self._new_producer()

    def _new_producer(self) -> Producer:
        # message.timeout.ms=0: never give up on a message while the broker is away; the
        # scorer decides when to stop waiting (SIGTERM), not librdkafka's 5-minute timer.
        return producer(self.config, **{"message.timeout.ms": 0, "linger.ms": 2, **self._extra})

    def rebuild(self) -> None:
        """A new producer with the current settings (``_extra``): side-by-side benchmarks change them."""
        self.producer = self._new_producer()

    def _delivered(self, err: Any, msg: Any) -> None:
        if err is not None:
            self._errors.append(f"{msg.topic()}: {err}")

    def start(self) -> None:
        """Prepare (exactly-once: register the transactional id); retried by the caller."""

    def begin(self) -> None:
        self._errors.clear()

    def produce(self, topic: str, key: bytes | None, value: bytes, headers: Any = None) -> None:
        while True:
            try:
                self.producer.produce(topic, key=key, value=value, headers=headers, on_delivery=self._delivered)
                return
            except BufferError:  # the local queue is full: let deliveries drain
                self.producer.poll(0.5)
                if self.stop.is_set():
                    raise TransportError("stopping with the producer queue full") from None

    def produce_many(self, topic: str, keys: list[bytes | None], values: list[bytes], headers: list[Any] | None = None) -> None:
        """:meth:`produce` for each key and value (and headers) side by side: a batch's outputs in one loop,
        without a Python call of ours per event around the client's produce()."""
        _produce_each(self, self._delivered, topic, keys, values, headers)

    def commit(self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None) -> bool:
        """Make the batch safe (``offsets``: the next ones to read; ``first``: the batch's first ones);
        False when stopped first (nothing committed). TransportError to retry."""
        raise NotImplementedError

    def settle(self) -> None:
        """Finish what earlier batches left in flight, without waiting (pipelined deliveries only)."""

    def unsettled(self) -> Offsets:
        """After a TransportError: first offsets of earlier batches that must be scored again too."""
        return []

    def abort(self) -> None:
        """Forget the batch in flight (its inputs will be scored again)."""

    def close(self) -> None:
        if not self.stuck:
            self.producer.flush(5)

    def _watched(self, what: str, call: Callable[[], None], deadline: float = WATCH_DEADLINE_S) -> bool:
        """Run a blocking librdkafka call on a helper thread, so the scorer reports itself unhealthy
        while it waits and SIGTERM is honoured (librdkafka can block past its own timeouts while the
        broker is away, and once seen, for good after it came back). False when stopped first;
        TransportError (with the stuck client abandoned) when ``deadline`` passes."""
        return self._wait(_Call(what, call), deadline)

    def _wait(self, call: _Call, deadline: float = WATCH_DEADLINE_S) -> bool:
        """Wait for a call started on its helper thread (see :meth:`_watched`); re-raises its exception."""
        while not call.finished(0.5):
            if self.stop.is_set():
                self.stuck = True
                return False
            waited = time.monotonic() - call.started
            if waited > deadline:
                self.stuck = True
                self._abandon()
                raise TransportError(f"{call.what} did not finish within {deadline:.0f} s; the client was replaced")
            if waited > 2.0:
                self.report(f"{call.what}: waiting for Kafka")
        if call.outcome and call.outcome[0] is not None:
            raise call.outcome[0]
        return True

    def _abandon(self) -> None:
        """A call outlived its deadline (at-least-once: a late offset commit is harmless)."""
        self.stuck = False


def _produce_each(
    delivery: Delivery,
    delivered: Callable[[Any, Any], None],
    topic: str,
    keys: list[Any],
    values: list[bytes],
    headers: list[Any] | None,
    on_sent: Callable[[int], None] | None = None,
) -> None:
    """Hand every record to the producer, waiting for room while its queue is full (as :meth:`Delivery.produce`
    does); ``on_sent`` is told how many were handed over, also when it stops part way (TransportError)."""
    produce = delivery.producer.produce
    if len(keys) != len(values) or (headers is not None and len(headers) != len(values)):
        raise ValueError("keys, values and headers must be side by side")
    n = len(values)
    i = 0
    try:
        while i < n:
            start = i  # 0, or the record the full queue refused
            try:
                if headers is None:  # one loop each way: no per-event test of headers, no Python call of ours
                    for i in range(start, n):
                        produce(topic, key=keys[i], value=values[i], on_delivery=delivered)
                else:
                    for i in range(start, n):
                        produce(topic, key=keys[i], value=values[i], headers=headers[i], on_delivery=delivered)
                i = n
            except BufferError:  # the local queue is full at record i: let deliveries drain, then go on from it
                delivery.producer.poll(0.5)
                if delivery.stop.is_set():
                    raise TransportError("stopping with the producer queue full") from None
    finally:
        if on_sent is not None:
            on_sent(i)


class _Call:
    """A blocking client call running on its own (daemon) thread; ``outcome`` holds None or its exception."""

    def __init__(self, what: str, call: Callable[[], None]) -> None:
        self.what = what
        self.outcome: list[BaseException | None] = []
        self.started = time.monotonic()

        def run() -> None:
            try:
                call()
                self.outcome.append(None)
            except BaseException as exc:  # handed to the waiting thread
                self.outcome.append(exc)

        self.thread = threading.Thread(target=run, name=f"interchange-{what.replace(' ', '-')}", daemon=True)
        self.thread.start()

    def finished(self, timeout: float | None = 0) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()


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
        batch = self._batch
        while True:
            try:
                self.producer.produce(topic, key=key, value=value, headers=headers, on_delivery=batch.delivered)
                batch.sent += 1
                return
            except BufferError:  # the local queue is full: let deliveries drain
                self.producer.poll(0.5)
                if self.stop.is_set():
                    raise TransportError("stopping with the producer queue full") from None

    def produce_many(self, topic: str, keys: list[bytes | None], values: list[bytes], headers: list[Any] | None = None) -> None:
        batch = self._batch

        def sent(count: int) -> None:
            batch.sent += count

        _produce_each(self, batch.delivered, topic, keys, values, headers, sent)

    def commit(self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None) -> bool:
        self._consumer = consumer
        self._batch.offsets, self._batch.first = offsets, first or []
        self._pending.append(self._batch)
        self._batch = _Batch()
        self.producer.poll(0)
        if not self._wait_for(len(self._pending) - self.IN_FLIGHT):
            return False
        self.settle()
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


class ExactlyOnce(Delivery):
    """One transaction per batch; a fenced or failed producer is replaced and the batch re-scored.

    A full batch (``overlap_from`` inputs or more: more events are already waiting) is committed on a
    helper thread while the scorer takes, decodes and scores the next one; that batch's :meth:`begin`
    waits for the commit (one producer has one transaction at a time), and a commit that failed raises
    TransportError there, with :meth:`unsettled` giving its first offsets (the scorer then rewinds to
    the group's committed offsets, so nothing is scored twice or lost). A smaller batch means the scorer
    is caught up: it is committed before the next batch is taken, because taking the next batch at the
    commit's start would make the events arriving during the commit wait for a second one. The next
    transaction begins no sooner than ``settle_s`` after a commit returned (see SETTLE_S).
    """

    def __init__(
        self,
        config: ClientConfig,
        stop: threading.Event,
        report: Callable[[str], None],
        transactional_id: str | None = None,
        overlap_from: int | None = None,
        settle_s: float = SETTLE_S,
    ) -> None:
        self.transactional_id = transactional_id or f"interchange-scorer-{uuid.uuid4().hex}"
        super().__init__(config, stop, report, **TRANSACTIONAL, **{"transactional.id": self.transactional_id})
        self.overlap_from = overlap_from  # None: every commit in the foreground
        self.settle_s = settle_s
        self._committed_at = 0.0  # time.monotonic() when the last transaction's commit returned
        self._ready = False  # init_transactions done
        self._open = False  # a transaction begun and not yet committed or aborted
        self._committing: _Call | None = None  # a full batch's commit running in the background
        self._committing_first: Offsets = []
        self._failed_first: Offsets = []

    def rebuild(self) -> None:
        super().rebuild()
        self._ready = False

    def start(self) -> None:
        """Register the transactional id (fencing a previous incarnation's transactions)."""
        if self._ready:
            return
        try:
            if not self._watched("starting transactions", functools.partial(self.producer.init_transactions, 10)):
                raise TransportError("stopped while starting transactions")
        except KafkaException as exc:
            err = exc.args[0]
            if err.fatal():
                self.producer = self._new_producer()
            raise TransportError(f"cannot start transactions: {err}") from exc
        self._ready = True

    def begin(self) -> None:
        if not self._finish_committing():
            raise TransportError("stopped while the previous transaction was committing")
        super().begin()
        self.start()
        wait = self._committed_at + self.settle_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.producer.begin_transaction()
        self._open = True

    def commit(self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None) -> bool:
        metadata = consumer.consumer_group_metadata()
        client = self.producer  # this transaction's producer: a call left running must not touch its replacement

        def finish() -> None:
            # send_offsets_to_transaction is not retried after a failure (seen hanging for good once the
            # broker came back): the transaction is aborted instead and the batch scored again
            client.send_offsets_to_transaction(offsets, metadata, 10)
            while True:  # librdkafka documents commit_transaction as safe to call again on a retriable error
                try:
                    client.commit_transaction(5)
                    self._committed_at = time.monotonic()
                    return
                except KafkaException as exc:
                    err = exc.args[0]
                    if not err.retriable() or err.txn_requires_abort() or err.fatal() or self.stop.is_set():
                        raise
                    self.report(f"transaction commit waiting for Kafka: {err}")

        call = _Call("committing the transaction", finish)
        if self.overlap_from is not None and first and batch_inputs(offsets, first) >= self.overlap_from:
            self._committing, self._committing_first = call, list(first)
            return True
        return self._finish(call)

    def _finish(self, call: _Call) -> bool:
        """Wait for a transaction's commit; False when stopped first, TransportError when it failed (aborted)."""
        try:
            if not self._wait(call):
                return False
        except KafkaException as exc:
            self.abort()
            raise TransportError(f"transaction aborted: {exc.args[0]}") from exc
        self._open = False
        return True

    def _finish_committing(self) -> bool:
        """Wait for the commit left running by the previous batch (True when there is none)."""
        call, self._committing = self._committing, None
        if call is None:
            return True
        try:
            return self._finish(call)
        except TransportError:
            self._failed_first = self._committing_first
            raise

    def settle(self) -> None:
        """Idle: collect a background commit that has finished (raising its failure), without waiting."""
        if self._committing is not None and self._committing.finished():
            self._finish_committing()

    def unsettled(self) -> Offsets:
        """Before a rewind: waits for a background commit (the scorer then asks the group's committed offsets,
        which must not change after), and gives its batch's first offsets if it failed (scored again)."""
        try:
            self._finish_committing()
        except TransportError as exc:
            log.warning("%s", exc)
        while not self.stop.is_set() and not self.stuck:  # a producer replaced after a failure or a stuck call:
            try:  # its init_transactions fences the old one, whose commit could otherwise still land after the
                self.start()  # scorer read the group's committed offsets (and the batch would be scored twice)
                break
            except TransportError as exc:
                self.report(f"fencing the replaced producer before a rewind: {exc}")
                self.stop.wait(1.0)
        first, self._failed_first = self._failed_first, []
        return first

    def abort(self) -> None:
        if not self._open or self.stuck:  # stuck: a commit is still running in the abandoned call
            return
        self._open = False
        try:
            self.producer.abort_transaction(5)
        except KafkaException as exc:
            err = exc.args[0]
            log.warning("abort failed (%s); starting a new transactional producer", err)
            self._replace()
        self._errors.clear()

    def _abandon(self) -> None:
        """Leave the producer stuck inside a call (kept referenced: destroying it would block) and start
        afresh: the new producer's init_transactions fences the old one's transaction."""
        self._stuck_clients.append(self.producer)
        self.producer = self._new_producer()
        self._ready = self._open = self.stuck = False

    def _replace(self) -> None:
        try:
            self.producer.purge()
        except Exception:
            pass
        self.producer = self._new_producer()
        self._ready = False

    def close(self) -> None:
        if self.stuck:
            return
        try:
            self._finish_committing()
        except TransportError as exc:  # left uncommitted: scored again by whoever reads the topic next
            log.warning("last transaction not committed: %s", exc)
        if self.stuck:
            return
        self.abort()
        super().close()


def batch_inputs(offsets: Offsets, first: Offsets) -> int:
    """How many input offsets a batch spans (next offsets minus first offsets, over its partitions)."""
    start = {(tp.topic, tp.partition): tp.offset for tp in first}
    return sum(tp.offset - start.get((tp.topic, tp.partition), tp.offset) for tp in offsets)


def delivery_for(
    guarantee: str,
    config: ClientConfig,
    stop: threading.Event,
    report: Callable[[str], None],
    transactional_id: str,
    batch_size: int | None = None,
) -> Delivery:
    """The scorer's delivery; ``batch_size``: a batch this full has its transaction committed in the background."""
    if guarantee == "exactly-once":
        return ExactlyOnce(config, stop, report, transactional_id, overlap_from=batch_size)
    return AtLeastOnce(config, stop, report)
