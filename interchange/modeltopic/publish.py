"""publish(): register a model's Avro contract and append its next version to the model topic."""

from __future__ import annotations

import getpass
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interchange.config import ClientConfig, load_config
from interchange.convert import Converted
from interchange.errors import SchemaError, TransportError
from interchange.model import load, read_document
from interchange.modeltopic.codec import topic_codecs
from interchange.modeltopic.envelope import CHUNK_BYTES, DEFAULT_MODEL_TOPIC, Envelope, sign
from interchange.modeltopic.follow import latest_versions
from interchange.registry import Registry, input_subject, output_subject
from interchange.transport import ensure_topics, producer
from interchange.verification import Verification

__all__ = ["publish", "Published"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,100}$")


@dataclass(frozen=True)
class Published:
    """Where a published version went."""

    name: str
    version: int
    format: str
    topic: str
    input_schema_id: int
    output_schema_id: int
    sha256: str


def _as_converted(model: Converted | str | Path | bytes) -> Converted:
    """A Converted for a document file we did not convert: signature from the document, no cases."""
    if isinstance(model, Converted):
        return model
    document = read_document(model)
    loaded = load(document)
    empty = {f.name: np.empty(0, dtype=object) for f in loaded.signature.inputs}
    return Converted(document, loaded.signature, Verification(empty, {}), {}, loaded)


def publish(
    model: Converted | str | Path | bytes,
    *,
    name: str,
    config: ClientConfig | None = None,
    topic: str = DEFAULT_MODEL_TOPIC,
    metrics: dict[str, float] | None = None,
    publisher: str | None = None,
    signing_key: str | None = None,
) -> Published:
    """Register ``<name>-input`` / ``<name>-output`` schemas and publish the next version.

    The document is verified once more against its cases first; a new input schema that
    breaks the subject's compatibility rule is refused with SchemaError naming the field.

    Example::

        published = interchange.publish(converted, name="iris")
        published.version
    """
    if not _NAME.match(name):
        raise SchemaError(f"model name {name!r} must start with a letter and use letters, digits, '_', '.', '-'", field="name")
    converted = _as_converted(model)
    config = config or load_config()
    if converted.verification.expected:
        converted.verification.check(converted.model, converted.signature)
    registry = Registry(config)
    input_id = registry.register(input_subject(name), converted.signature.input_schema(name))
    output_id = registry.register(output_subject(name), converted.signature.output_schema(name))
    ensure_topics(config, {topic: {"compacted": True, "partitions": 1}})
    codecs = topic_codecs(registry, topic)
    version = latest_versions(config, topic, registry).get(name, 0) + 1
    doc = converted.document
    chunks = [doc.data[i : i + CHUNK_BYTES] for i in range(0, doc.size, CHUNK_BYTES)] if doc.size > CHUNK_BYTES else []
    key = signing_key or os.environ.get("INTERCHANGE_SIGNING_KEY")
    envelope = Envelope(
        name=name,
        version=version,
        format=doc.format,
        media_type=doc.media_type,
        document=b"" if chunks else doc.data,
        chunks=len(chunks),
        sha256=doc.sha256,
        size=doc.size,
        signature=converted.signature.to_json(),
        input_schema_id=input_id,
        output_schema_id=output_id,
        verification=converted.verification.to_json(),
        lineage=_json(converted.lineage),
        created_at=int(time.time() * 1000),
        publisher=publisher or _whoami(),
        metrics=dict(metrics or {}),
        publisher_signature=sign(key, doc.sha256, name, version) if key else None,
        profile=_json(converted.profile) if converted.profile else None,
    )
    prod = producer(config)
    errors: list[str] = []

    def delivered(err: Any, msg: Any) -> None:
        if err is not None:
            errors.append(str(err))

    for i, data in enumerate(chunks):
        prod.produce(
            topic,
            key=f"{name}/{version}/{i}".encode(),
            value=codecs.chunk.encode({"name": name, "version": version, "index": i, "data": data}),
            on_delivery=delivered,
        )
    prod.produce(topic, key=name.encode(), value=codecs.envelope.encode(envelope.to_record()), on_delivery=delivered)
    if prod.flush(30) or errors:
        raise TransportError(f"publishing {name} v{version} to {topic} failed: {errors or 'timed out'}", topic=topic)
    return Published(name, version, doc.format, topic, input_id, output_id, doc.sha256)


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, sort_keys=True, default=str)


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
