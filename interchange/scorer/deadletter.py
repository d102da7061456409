"""The dead-letter topic: an unusable event, its reason and its original bytes, untouched."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import Message, Producer

from interchange.errors import InterchangeError
from interchange.registry import AvroCodec, Registry
from interchange.resources import avro_schema

__all__ = ["DeadLetters"]


class DeadLetters:
    """Writes DeadLetter records (``schemas/dead_letter.avsc``) to one topic."""

    def __init__(self, registry: Registry, producer: Producer, topic: str) -> None:
        schema = avro_schema("dead_letter")
        self.codec = AvroCodec(schema, registry.register(f"{topic}-value", schema), registry.schema)
        self.producer = producer
        self.topic = topic
        self.count = 0

    def send(self, msg: Message, error: Exception, model: dict[str, Any] | None = None) -> None:
        record = {
            "topic": msg.topic() or "",
            "partition": msg.partition() or 0,
            "offset": msg.offset() or 0,
            "key": msg.key(),
            "value": msg.value(),
            "reason": getattr(error, "message", None) or str(error),
            "error": type(error).__name__,
            "field": getattr(error, "field", None) if isinstance(error, InterchangeError) else None,
            "model": model["name"] if model else None,
            "model_version": model["version"] if model else None,
            "at": int(time.time() * 1000),
        }
        self.producer.produce(self.topic, key=msg.key(), value=self.codec.encode(record), headers=msg.headers())
        self.count += 1
