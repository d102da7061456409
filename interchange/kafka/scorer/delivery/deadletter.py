"""The dead-letter topic: an unusable event, its reason and its original bytes, untouched.

A dead letter must always fit in one Kafka message, or the event that caused it would block
its partition for ever (the batch could never be committed). Past ``max_bytes`` the value is
cut to a prefix and the record carries the original's size and sha256 instead.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from confluent_kafka import Message, Producer

from interchange.errors import InterchangeError
from interchange.kafka.registry import AvroCodec, Registry
from interchange.resources import avro_schema

__all__ = ["DeadLetters", "dead_letter", "PREFIX_BYTES", "MAX_BYTES"]

PREFIX_BYTES = 1024
MAX_BYTES = 900_000  # below the producer's default message.max.bytes (1,000,000)


def dead_letter(codec: AvroCodec, msg: Message, error: Exception, model: dict[str, Any] | None, max_bytes: int) -> bytes:
    """The encoded DeadLetter record (``schemas/dead_letter.avsc``) for ``msg``."""
    value, key = msg.value(), msg.key()
    timestamp_type, timestamp = msg.timestamp()
    record = {
        "topic": msg.topic() or "",
        "partition": msg.partition() or 0,
        "offset": msg.offset() or 0,
        "key": key,
        "value": value,
        "value_size": None if value is None else len(value),
        "value_sha256": None if value is None else hashlib.sha256(value).hexdigest(),
        "truncated": False,
        "reason": (getattr(error, "message", None) or str(error))[:4000],
        "error": type(error).__name__,
        "field": getattr(error, "field", None) if isinstance(error, InterchangeError) else None,
        "model": model["name"] if model else None,
        "model_version": model["version"] if model else None,
        "source_timestamp": timestamp if timestamp_type else None,
        "at": int(time.time() * 1000),
    }
    encoded = codec.encode(record)
    if len(encoded) <= max_bytes:
        return encoded
    record["truncated"] = True
    record["value"] = None if value is None else value[:PREFIX_BYTES]
    record["key"] = None if key is None else key[:PREFIX_BYTES]
    return codec.encode(record)


class DeadLetters:
    """Writes dead letters for one topic with a plain producer (the monitor and the trainer)."""

    def __init__(self, registry: Registry, producer: Producer, topic: str, max_bytes: int = MAX_BYTES) -> None:
        schema = avro_schema("dead_letter")
        self.codec = AvroCodec(schema, registry.register(f"{topic}-value", schema), registry.schema)
        self.producer = producer
        self.topic = topic
        self.max_bytes = max_bytes
        self.count = 0

    def send(self, msg: Message, error: Exception, model: dict[str, Any] | None = None) -> None:
        self.producer.produce(self.topic, key=msg.key(), value=dead_letter(self.codec, msg, error, model, self.max_bytes))
        self.count += 1
