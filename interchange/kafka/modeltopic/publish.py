"""publish(): register a model's Avro contract and append its next version to the model topic."""

from __future__ import annotations

import getpass
import json
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from confluent_kafka import KafkaError, KafkaException
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interchange.convert import Converted
from interchange.errors import ConfigError, SchemaError, TransportError
from interchange.kafka.config import ClientConfig, load_config
from interchange.kafka.modeltopic.codec import topic_codecs
from interchange.kafka.modeltopic.envelope import CHUNK_BYTES, DEFAULT_MODEL_TOPIC, Envelope, chunk_key, envelope_key
from interchange.kafka.modeltopic.follow import ModelFollower
from interchange.kafka.modeltopic.signing import KeySource, load_signing_key, signing_key_from_env
from interchange.kafka.registry import Registry, input_subject, output_subject
from interchange.kafka.transport import ensure_topics, producer
from interchange.model import load, read_document
from interchange.verification import Verification

__all__ = ["publish", "Published", "retired_versions", "DEFAULT_KEEP_VERSIONS"]

DEFAULT_KEEP_VERSIONS = 10
_ATTEMPTS = 10  # fenced publishes retried (each new init_transactions fences the others' open transaction)
_FENCED = {KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH}

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
    signed: bool = False
    retired: list[int] = field(default_factory=list)


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
    signing_key: KeySource | Ed25519PrivateKey | None = None,
    keep_versions: int | None = DEFAULT_KEEP_VERSIONS,
) -> Published:
    """Register ``<name>-input`` / ``<name>-output`` schemas and publish the next version.

    The document is verified once more against its cases first; a new input schema that
    breaks the subject's compatibility rule is refused with SchemaError naming the field.
    ``signing_key`` (a PKCS#8 PEM path, PEM bytes or an Ed25519 private key; default: the file
    named by ``INTERCHANGE_SIGNING_KEY``) signs the envelope. ``keep_versions`` keeps the newest
    N versions of this model on the topic and writes tombstones for the envelope and chunks of
    older ones (None keeps every version). Version numbers are never reused, withdrawn ones
    included.

    Example::

        published = interchange.publish(converted, name="iris", signing_key="keys/interchange.key")
        published.version
    """
    if not _NAME.match(name):
        raise SchemaError(f"model name {name!r} must start with a letter and use letters, digits, '_', '.', '-'", field="name")
    if keep_versions is not None and keep_versions < 1:
        raise ConfigError(
            f"keep_versions must be at least 1 (or None to keep every version), got {keep_versions}", key="keep_versions"
        )
    key = load_signing_key(signing_key) if signing_key is not None else signing_key_from_env()
    converted = _as_converted(model)
    config = config or load_config()
    if converted.verification.expected:
        converted.verification.check(converted.model, converted.signature)
    registry = Registry(config)
    input_id = registry.register(input_subject(name), converted.signature.input_schema(name))
    output_id = registry.register(output_subject(name), converted.signature.output_schema(name))
    ensure_topics(config, {topic: {"compacted": True, "partitions": 1}})
    codecs = topic_codecs(registry, topic)
    doc = converted.document
    chunks = [doc.data[i : i + CHUNK_BYTES] for i in range(0, doc.size, CHUNK_BYTES)] if doc.size > CHUNK_BYTES else []
    created_at = int(time.time() * 1000)

    def records(version: int) -> list[tuple[bytes, bytes | None]]:
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
            created_at=created_at,
            publisher=publisher or _whoami(),
            metrics=dict(metrics or {}),
            profile=_json(converted.profile) if converted.profile else None,
        )
        if key is not None:
            envelope.sign(key)
        out: list[tuple[bytes, bytes | None]] = [
            (chunk_key(name, version, i), codecs.chunk.encode({"name": name, "version": version, "index": i, "data": data}))
            for i, data in enumerate(chunks)
        ]
        out.append((envelope_key(name, version), codecs.envelope.encode(envelope.to_record())))
        return out

    version, retired = _append_version(config, topic, name, registry, records, keep_versions)
    return Published(name, version, doc.format, topic, input_id, output_id, doc.sha256, signed=key is not None, retired=retired)


def retired_versions(held: dict[int, list[bytes]], live: Iterable[int], new_version: int, keep_versions: int | None) -> list[int]:
    """The versions to withdraw after publishing ``new_version``: all but the newest ``keep_versions`` live ones.

    ``held`` maps each version with records on the topic to its keys; ``live`` are the complete
    versions. Incomplete versions and orphan chunks (a publish that died before its envelope)
    go once they are older than every kept version; newer ones are left alone: another
    publisher may be writing them right now.
    """
    if keep_versions is None:
        return []
    kept = sorted(set(live) | {new_version}, reverse=True)[:keep_versions]
    return [v for v in sorted(held) if v not in kept and v < min(kept)]


def _append_version(
    config: ClientConfig,
    topic: str,
    name: str,
    registry: Registry,
    records: Callable[[int], list[tuple[bytes, bytes | None]]],
    keep_versions: int | None,
) -> tuple[int, list[int]]:
    """Write version highest+1 and the tombstones of retired versions in one transaction.

    Every publisher of ``name`` on ``topic`` shares one transactional id, so two publishing at
    once cannot both take the same number: the later ``init_transactions`` fences the earlier
    publisher, whose transaction then fails and is retried after reading the topic again.
    """
    last = ""
    for attempt in range(_ATTEMPTS):
        prod = producer(config, **{"transactional.id": f"interchange-publish-{topic}-{name}", "transaction.timeout.ms": 60000})
        try:
            prod.init_transactions(30)
            follower = ModelFollower(config, topic, [name], registry)
            try:
                follower.read_to_end(timeout=60.0)
                version = follower.highest_version(name) + 1
                held, live = follower.version_keys(name), set(follower.versions(name))
            finally:
                follower.close()
            retired = retired_versions(held, live, version, keep_versions)
            prod.begin_transaction()
            for k, value in records(version) + [(k, None) for v in retired for k in held[v]]:
                prod.produce(topic, key=k, value=value)
            prod.commit_transaction(30)
            return version, retired
        except KafkaException as exc:
            err = exc.args[0]
            last = err.str()
            if not (err.fatal() or err.code() in _FENCED):
                if err.txn_requires_abort():
                    prod.abort_transaction(10)
                raise TransportError(f"publishing {name} to {topic} failed: {last}", topic=topic) from exc
            # fenced by a concurrent publish of the same model: read again after a random wait, so publishers that
            # collided do not start again in step and fence each other once more (exponential, capped at 1.6 s)
            time.sleep(random.uniform(0.0, 0.1 * 2 ** min(attempt, 4)))
    raise TransportError(f"publishing {name} to {topic}: fenced by concurrent publishers {_ATTEMPTS} times ({last})", topic=topic)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
