"""The model topic: versioned ModelEnvelopes on a compacted Kafka topic, keyed ``name/version``.

``publish`` registers a model's Avro contract, appends its next version (signed with the
publisher's Ed25519 key when one is given) and withdraws versions beyond ``keep_versions`` with
tombstones; ``ModelFollower`` reads the topic from the beginning and keeps up with it, which is
how the scorer hot-swaps and falls back. Documents larger than one Kafka message travel as chunk
records keyed ``name/version/index``. ``signing`` holds keys, canonical bytes and verification.
"""

from __future__ import annotations

from interchange.kafka.modeltopic.envelope import DEFAULT_MODEL_TOPIC, Envelope
from interchange.kafka.modeltopic.follow import ModelFollower, latest_versions
from interchange.kafka.modeltopic.publish import DEFAULT_KEEP_VERSIONS, Published, publish
from interchange.kafka.modeltopic.signing import (
    load_signing_key,
    load_verify_key,
    signing_key_from_env,
    verify_key_from_env,
    write_keypair,
)
from interchange.kafka.modeltopic.state import ModelRef

__all__ = [
    "DEFAULT_KEEP_VERSIONS",
    "DEFAULT_MODEL_TOPIC",
    "Envelope",
    "ModelFollower",
    "ModelRef",
    "Published",
    "latest_versions",
    "load_signing_key",
    "load_verify_key",
    "publish",
    "signing_key_from_env",
    "verify_key_from_env",
    "write_keypair",
]
