"""Avro codecs for the model topic's envelope and chunk records, registered once per topic."""

from __future__ import annotations

from dataclasses import dataclass

from interchange.kafka.registry import AvroCodec, Registry
from interchange.resources import avro_schema

__all__ = ["TopicCodecs", "topic_codecs"]


@dataclass(frozen=True)
class TopicCodecs:
    envelope: AvroCodec
    chunk: AvroCodec


def topic_codecs(registry: Registry, topic: str) -> TopicCodecs:
    """Register (idempotently) the envelope and chunk schemas and return their codecs."""
    env_schema, chunk_schema = avro_schema("model_envelope"), avro_schema("model_chunk")
    env_id = registry.register(f"{topic}-value", env_schema)
    chunk_id = registry.register("interchange.ModelChunk", chunk_schema)
    return TopicCodecs(AvroCodec(env_schema, env_id, registry.schema), AvroCodec(chunk_schema, chunk_id, registry.schema))
