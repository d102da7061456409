"""Follow the model topic from its beginning: complete envelopes, chunks reassembled."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from confluent_kafka import OFFSET_BEGINNING, KafkaException, TopicPartition

from interchange.config import ClientConfig
from interchange.errors import ModelError, RecordError, TransportError
from interchange.modeltopic.codec import topic_codecs
from interchange.modeltopic.envelope import DEFAULT_MODEL_TOPIC, Envelope
from interchange.registry import Registry
from interchange.transport import consumer

__all__ = ["ModelFollower", "latest_versions"]


class ModelFollower:
    """Reads every envelope on the model topic, oldest first, then keeps up with new ones.

    ``names`` restricts which models are returned. Bad records on the topic are reported as
    ModelError values in ``errors`` instead of stopping the follower.
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
        self._consumer = consumer(config, f"interchange-follower-{uuid.uuid4().hex[:8]}")
        self._chunks: dict[tuple[str, int], dict[int, bytes]] = {}
        self.errors: list[ModelError] = []
        try:
            meta = self._consumer.list_topics(topic, timeout=15)
        except KafkaException as exc:
            raise TransportError(f"cannot read model topic {topic}: {exc.args[0]}", topic=topic) from exc
        parts = meta.topics[topic].partitions if topic in meta.topics else {}
        self._parts = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(parts)]
        self._consumer.assign(self._parts)

    def poll(self, timeout: float = 0.0, max_messages: int = 100) -> list[Envelope]:
        """Envelopes that arrived since the last call (possibly none)."""
        out: list[Envelope] = []
        for msg in self._consumer.consume(max_messages, timeout):
            if msg.error():
                continue  # partition EOF and transient errors: librdkafka retries by itself
            key = (msg.key() or b"").decode(errors="replace")
            try:
                if "/" in key:
                    chunk = self.codecs.chunk.decode(msg.value())
                    self._chunks.setdefault((chunk["name"], chunk["version"]), {})[chunk["index"]] = chunk["data"]
                    continue
                envelope = Envelope.from_record(self.codecs.envelope.decode(msg.value()))
            except RecordError as exc:
                self.errors.append(
                    ModelError(f"unreadable record at {self.topic}[{msg.partition()}]@{msg.offset()}: {exc}", offset=msg.offset())
                )
                continue
            if self.names is not None and envelope.name not in self.names:
                continue
            if envelope.chunks:
                parts = self._chunks.pop((envelope.name, envelope.version), {})
                if len(parts) != envelope.chunks:
                    self.errors.append(
                        ModelError(
                            f"model {envelope.name} v{envelope.version}: {len(parts)} of {envelope.chunks} chunks arrived",
                            model=envelope.name,
                        )
                    )
                    continue
                envelope.document = b"".join(parts[i] for i in range(envelope.chunks))
            out.append(envelope)
        return out

    def read_to_end(self, timeout: float = 10.0) -> list[Envelope]:
        """Every envelope currently on the topic."""
        ends = {}
        for tp in self._parts:
            low, high = self._consumer.get_watermark_offsets(tp, timeout=timeout)
            if high > low:
                ends[tp.partition] = high
        out: list[Envelope] = []
        import time

        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            out += self.poll(0.2, 500)
            positions = self._consumer.position([TopicPartition(self.topic, p) for p in ends])
            ends = {tp.partition: ends[tp.partition] for tp in positions if tp.offset < ends[tp.partition]}
        if ends:
            raise TransportError(f"timed out reading model topic {self.topic} to its end", topic=self.topic)
        return out

    def close(self) -> None:
        self._consumer.close()


def latest_versions(config: ClientConfig, topic: str = DEFAULT_MODEL_TOPIC, registry: Registry | None = None) -> dict[str, int]:
    """The highest published version of each model on the topic."""
    follower = ModelFollower(config, topic, registry=registry)
    try:
        versions: dict[str, int] = {}
        for env in follower.read_to_end():
            versions[env.name] = max(versions.get(env.name, 0), env.version)
        return versions
    finally:
        follower.close()
