"""Follow the model topic from its beginning: live envelopes per model, chunks reassembled, withdrawals.

The topic is compacted: each key keeps its newest record, a null value (tombstone) removes the
key. The rules for keys, chunks and tombstones live in ``state.py``; this module reads Kafka.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

from confluent_kafka import KafkaError, KafkaException, TopicPartition

from interchange.errors import ModelError, TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.modeltopic.codec import topic_codecs
from interchange.kafka.modeltopic.envelope import DEFAULT_MODEL_TOPIC, Envelope
from interchange.kafka.modeltopic.state import ModelRef, Ref, TopicState
from interchange.kafka.registry import Registry
from interchange.kafka.transport import assign_from_start, consumer, position

__all__ = ["ModelFollower", "latest_versions"]


class ModelFollower:
    """Reads every record on the model topic, oldest first, then keeps up with new ones.

    Per model it keeps every live version (``versions(name)``, newest first; ``latest(name)``),
    so a scorer can fall back to the newest version that passes its checks or load a pinned
    older one, and the highest version number ever seen (``highest_version``; withdrawn ones
    count, so numbers are never reused). ``withdrawn`` lists ``ModelRef(name, version)`` of versions this
    follower returned earlier that a tombstone has since removed: drop them, then clear the
    list. ``names`` restricts which models are read. Bad records are reported as ModelError
    values in ``errors`` instead of stopping the follower (clear it once reported).
    """

    def __init__(
        self,
        config: ClientConfig,
        topic: str = DEFAULT_MODEL_TOPIC,
        names: Iterable[str] | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.topic = topic
        self.names = set(names) if names else None
        self.registry = registry or Registry(config)
        self.codecs = topic_codecs(self.registry, topic)
        self.state = TopicState(self.codecs.envelope, self.codecs.chunk, self.names, topic)
        self._consumer = consumer(config, f"interchange-follower-{uuid.uuid4().hex[:8]}", **{"enable.partition.eof": True})
        self._eof: set[int] = set()
        self._last_error = ""
        self._parts = assign_from_start(self._consumer, topic, "model topic")

    @property
    def errors(self) -> list[ModelError]:
        return self.state.errors

    @property
    def withdrawn(self) -> list[ModelRef]:
        return self.state.withdrawn

    # --- reading ------------------------------------------------------------------------
    def poll(self, timeout: float = 0.0, max_messages: int = 100) -> list[Envelope]:
        """Versions that went live since the last call (possibly none), oldest first."""
        out = self._poll(timeout, max_messages)
        self.state.deliver(out)
        return _ordered(out)

    def read_to_end(self, timeout: float = 10.0) -> list[Envelope]:
        """Versions that went live up to the topic's current end (on a fresh follower: all live ones).

        TransportError when Kafka does not answer or the end is not reached within ``timeout`` s.
        """
        deadline = time.monotonic() + timeout
        ends: dict[int, int] = {}
        for tp in self._parts:
            try:
                low, high = self._consumer.get_watermark_offsets(tp, timeout=max(deadline - time.monotonic(), 0.5))
            except KafkaException as exc:
                raise TransportError(
                    f"cannot read the end offset of model topic {self.topic} partition {tp.partition}: {exc.args[0]}",
                    topic=self.topic,
                ) from exc
            if high > low:
                ends[tp.partition] = high
        self._eof.clear()  # only an end of partition seen from now on counts
        out: dict[Ref, Envelope] = {}
        while ends:
            if time.monotonic() >= deadline:
                lag = ", ".join(f"partition {p} not read up to offset {end}" for p, end in sorted(ends.items()))
                last = f"; last error: {self._last_error}" if self._last_error else ""
                raise TransportError(
                    f"timed out after {timeout:g} s reading model topic {self.topic} ({lag}){last}", topic=self.topic
                )
            out.update(self._poll(0.2, 500))
            try:
                positions = self._consumer.position([TopicPartition(self.topic, p) for p in ends])
            except KafkaException as exc:
                raise TransportError(
                    f"cannot read positions on model topic {self.topic}: {exc.args[0]}", topic=self.topic
                ) from exc
            ends = {
                tp.partition: ends[tp.partition]
                for tp in positions
                if tp.partition not in self._eof and tp.offset < ends[tp.partition]
            }
        live = {ref: env for ref, env in out.items() if self.state.is_live(env)}
        self.state.deliver(live)
        self.state.report_incomplete()
        return _ordered(live)

    def _poll(self, timeout: float, max_messages: int) -> dict[Ref, Envelope]:
        out: dict[Ref, Envelope] = {}
        try:
            messages = self._consumer.consume(max_messages, timeout)
        except KafkaException as exc:
            raise TransportError(f"cannot read model topic {self.topic}: {exc.args[0]}", topic=self.topic) from exc
        for msg in messages:
            err = msg.error()
            if err is not None:  # end of partition, or a transient error librdkafka retries by itself
                if err.code() == KafkaError._PARTITION_EOF:
                    self._eof.add(position(msg)[1])
                else:
                    self._last_error = err.str()
                continue
            self._eof.discard(position(msg)[1])
            went_live = self.state.take(msg.key(), msg.value(), f"{self.topic}[{msg.partition()}]@{msg.offset()}")
            for ref in [r for r in out if not self.state.is_live(out[r])]:
                del out[ref]  # withdrawn by this record before the caller saw it
            out.update(went_live)
        return out

    # --- queries ------------------------------------------------------------------------
    def versions(self, name: str) -> dict[int, Envelope]:
        """The live (complete, not withdrawn) versions of a model, newest first."""
        return self.state.versions(name)

    def latest(self, name: str) -> Envelope | None:
        """The newest live version of a model, or None."""
        return next(iter(self.state.versions(name).values()), None)

    def highest_version(self, name: str) -> int:
        """The highest version number seen for a model in any record, withdrawn ones included (0: none)."""
        return self.state.highest.get(name, 0)

    def version_keys(self, name: str) -> dict[int, list[bytes]]:
        """Every version with records on the topic (live, incomplete, or orphan chunks) and the keys holding them."""
        return self.state.version_keys(name)

    def close(self) -> None:
        self._consumer.close()


def _ordered(envelopes: dict[Ref, Envelope]) -> list[Envelope]:
    return [envelopes[ref] for ref in sorted(envelopes)]


def latest_versions(config: ClientConfig, topic: str = DEFAULT_MODEL_TOPIC, registry: Registry | None = None) -> dict[str, int]:
    """The highest version number of each model on the topic (withdrawn versions included)."""
    follower = ModelFollower(config, topic, registry=registry)
    try:
        follower.read_to_end()
        return dict(follower.state.highest)
    finally:
        follower.close()
