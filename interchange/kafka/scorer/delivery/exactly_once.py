"""Exactly-once delivery: one Kafka transaction per batch holding its outputs, its dead letters and its input
offsets (``send_offsets_to_transaction``); consumers of the outputs read with ``isolation.level=read_committed``,
and an aborted transaction leaves no trace downstream."""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery.base import Call, Delivery, Offsets

__all__ = ["SETTLE_S", "TRANSACTIONAL", "ExactlyOnce", "batch_inputs"]

log = logging.getLogger("interchange.kafka.scorer")

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

    close_wait_s = 5.0

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
        self._committing: _Txn | None = None  # a full batch's commit running in the background
        self._failed_first: Offsets = []
        self._in_doubt: list[_Txn] = []  # commits abandoned past the deadline: they may still have landed

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

    def commit(
        self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None, counted: Callable[[], None] | None = None
    ) -> bool:
        """``counted`` is called once the transaction is known to be committed: when its commit returns, or, for
        a commit abandoned past the deadline, when :meth:`resolve` finds the group's offsets past the batch."""
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

        txn = _Txn(Call("committing the transaction", finish), offsets, list(first or []), counted)
        if self.overlap_from is not None and first and batch_inputs(offsets, first) >= self.overlap_from:
            self._committing = txn
            return True
        return self._finish(txn)

    def _finish(self, txn: _Txn) -> bool:
        """Wait for a transaction's commit; False when stopped first, TransportError when it failed (aborted)
        or was abandoned past the deadline (its outcome unknown until :meth:`resolve`)."""
        try:
            if not self._wait(txn.call):
                return False
        except KafkaException as exc:
            self.abort()
            raise TransportError(f"transaction aborted: {exc.args[0]}") from exc
        except TransportError:
            self._in_doubt.append(txn)
            raise
        self._open = False
        if txn.counted is not None:
            txn.counted()
        return True

    def _finish_committing(self) -> bool:
        """Wait for the commit left running by the previous batch (True when there is none)."""
        txn, self._committing = self._committing, None
        if txn is None:
            return True
        try:
            return self._finish(txn)
        except TransportError:
            self._failed_first = txn.first
            raise

    def settle(self) -> None:
        """Idle: collect a background commit that has finished (raising its failure), without waiting. One running
        past the watch deadline is abandoned here too (TransportError; its batch is scored again), as the next
        :meth:`begin` would: with no next batch, a commit hung for good would otherwise hold the batch's outputs
        invisible and its inputs unscored until the coordinator aborts the transaction behind the scorer's back."""
        txn = self._committing
        if txn is not None and (txn.call.finished() or time.monotonic() - txn.call.started > self.watch_deadline_s):
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

    def resolve(self, committed: Offsets) -> None:
        """An abandoned commit may have landed (the broker wrote it, its answer was lost): once the replaced
        producer has fenced it, the group's committed offsets at or past its batch's next offsets say it did,
        and its batch counts (it is not scored again); otherwise the rewind scores it again and it counts then."""
        at = {(tp.topic, tp.partition): tp.offset for tp in committed}
        for txn in self._in_doubt:
            landed = all(at.get((tp.topic, tp.partition), -1) >= tp.offset for tp in txn.offsets)
            log.warning("the abandoned commit of a batch ending at %s %s", txn.offsets, "landed" if landed else "did not land")
            if landed and txn.counted is not None:
                txn.counted()
        self._in_doubt.clear()

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
        """Let a background commit still running finish (at most ``close_wait_s``, the scorer being stopped): cut
        off by the process's exit, its transaction would stay open and hold every later output on the topic from
        read_committed consumers until the coordinator's timeout, unless a scorer with the same id starts."""
        if self.stuck:
            return
        if self._committing is not None:
            self._committing.call.finished(self.close_wait_s)
        try:
            self._finish_committing()
        except TransportError as exc:  # left uncommitted: scored again by whoever reads the topic next
            log.warning("last transaction not committed: %s", exc)
        if self.stuck:
            return
        self.abort()
        super().close()


class _Txn:
    """One transaction's commit: the call running it, its batch's next and first input offsets, how to count it."""

    __slots__ = ("call", "offsets", "first", "counted")

    def __init__(self, call: Call, offsets: Offsets, first: Offsets, counted: Callable[[], None] | None) -> None:
        self.call, self.offsets, self.first, self.counted = call, offsets, first, counted


def batch_inputs(offsets: Offsets, first: Offsets) -> int:
    """How many input offsets a batch spans (next offsets minus first offsets, over its partitions)."""
    start = {(tp.topic, tp.partition): tp.offset for tp in first}
    return sum(tp.offset - start.get((tp.topic, tp.partition), tp.offset) for tp in offsets)
