"""Send feature events and read predictions the way the scorer expects them.

Feature events are Avro records of ``<model>-input``'s latest schema in the Confluent wire
format; predictions come back as records of ``<model>-output``. Useful for examples, tests
and applications that feed a scorer from Python.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from interchange.batch import to_records
from interchange.errors import RegistryError, TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry, input_subject, output_subject
from interchange.kafka.transport import consumer, ensure_topics, producer

__all__ = ["send_features", "read_predictions", "codec_for"]


def codec_for(registry: Registry, subject: str) -> AvroCodec:
    """A codec for the latest schema of ``subject``."""
    registered = registry.client.get_latest_version(subject)
    if registered.schema_id is None:
        raise RegistryError(f"schema registry returned no schema id for {subject}", subject=subject)
    schema = registry.schema(registered.schema_id)
    return AvroCodec(schema, registered.schema_id, registry.schema)


def send_features(
    config: ClientConfig,
    model: str,
    rows: Iterable[dict[str, Any]] | Any,
    *,
    topic: str | None = None,
    keys: Iterable[bytes | str] | None = None,
) -> int:
    """Produce rows (records, or a DataFrame) as Avro feature events for ``model``; how many."""
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        rows = to_records({c: rows[c].to_numpy(dtype=object) for c in rows.columns})
    topic = topic or f"{model}-features"
    ensure_topics(config, {topic: {}})
    codec = codec_for(Registry(config), input_subject(model))
    prod = producer(config)
    keys_iter = iter(keys) if keys is not None else None
    count = 0
    for row in rows:
        key = next(keys_iter) if keys_iter is not None else str(count)
        prod.produce(topic, key=key.encode() if isinstance(key, str) else key, value=codec.encode(row))
        count += 1
        if count % 10_000 == 0:
            prod.poll(0)
    if prod.flush(30):
        raise TransportError(f"feature events to {topic} were not delivered within 30 s", topic=topic)
    return count


def read_predictions(
    config: ClientConfig,
    model: str,
    count: int,
    *,
    topic: str | None = None,
    key_prefix: bytes | None = None,
    timeout: float = 60.0,
) -> list[tuple[bytes | None, dict[str, Any]]]:
    """Read ``count`` predictions (key, record) from the start of ``model``'s prediction topic.

    With ``key_prefix``, only predictions whose key starts with it are kept and counted.
    """
    topic = topic or f"{model}-predictions"
    registry = Registry(config)
    codec = codec_for(registry, output_subject(model))
    cons = consumer(config, f"interchange-reader-{uuid.uuid4().hex[:8]}")
    cons.subscribe([topic])
    out: list[tuple[bytes | None, dict[str, Any]]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < count and time.monotonic() < deadline:
            for msg in cons.consume(min(1000, count - len(out)), 0.5):
                if not msg.error() and (key_prefix is None or (msg.key() or b"").startswith(key_prefix)):
                    out.append((msg.key(), codec.decode(msg.value())))
    finally:
        cons.close()
    return out
