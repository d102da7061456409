"""What every delivery shares: the Delivery interface, producing a batch, and watching blocking client calls.

librdkafka can block past its own timeouts while the broker is away (and, once seen, for good after it came
back), so a blocking call runs on a helper thread and is watched: the scorer reports itself unhealthy while it
waits, SIGTERM is honoured, and a call past ``WATCH_DEADLINE_S`` has its client abandoned and replaced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.transport import producer

__all__ = ["Call", "Delivery", "Offsets", "WATCH_DEADLINE_S", "produce_each"]

Offsets = list[TopicPartition]
WATCH_DEADLINE_S = 30.0  # longest wait for one commit before the client is presumed stuck and replaced


class Delivery:
    """Produce a batch's records and make them safe together with its input offsets."""

    watch_deadline_s = WATCH_DEADLINE_S

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
        self._send(topic, key, value, headers, self._delivered)

    def _send(self, topic: str, key: bytes | None, value: bytes, headers: Any, on_delivery: Callable[[Any, Any], None]) -> None:
        """One produce(), waiting while the client's local queue is full."""
        while True:
            try:
                self.producer.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
                return
            except BufferError:  # the local queue is full: let deliveries drain
                self.producer.poll(0.5)
                if self.stop.is_set():
                    raise TransportError("stopping with the producer queue full") from None

    def produce_many(self, topic: str, keys: list[bytes | None], values: list[bytes], headers: list[Any] | None = None) -> None:
        """:meth:`produce` for each key and value (and headers) side by side: a batch's outputs in one loop,
        without a Python call of ours per event around the client's produce()."""
        produce_each(self, self._delivered, topic, keys, values, headers)

    def commit(
        self, consumer: Consumer, offsets: Offsets, first: Offsets | None = None, counted: Callable[[], None] | None = None
    ) -> bool:
        """Make the batch safe (``offsets``: the next ones to read; ``first``: the batch's first ones);
        False when stopped first (nothing committed). TransportError to retry. ``counted`` is called once
        the batch's outputs count as produced (see each delivery: the scorer's statistics follow it)."""
        raise NotImplementedError

    def resolve(self, committed: Offsets) -> None:
        """Told the group's committed offsets before a rewind: a batch whose commit was abandoned with its
        outcome unknown (exactly-once) is counted if those offsets show it landed."""

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

    def _watched(self, what: str, call: Callable[[], None], deadline: float | None = None) -> bool:
        """Run a blocking librdkafka call on a helper thread, so the scorer reports itself unhealthy
        while it waits and SIGTERM is honoured (librdkafka can block past its own timeouts while the
        broker is away, and once seen, for good after it came back). False when stopped first;
        TransportError (with the stuck client abandoned) when ``deadline`` (default ``watch_deadline_s``) passes."""
        return self._wait(Call(what, call), deadline)

    def _wait(self, call: Call, deadline: float | None = None) -> bool:
        """Wait for a call started on its helper thread (see :meth:`_watched`); re-raises its exception."""
        deadline = self.watch_deadline_s if deadline is None else deadline
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


def produce_each(
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


class Call:
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
