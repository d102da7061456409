"""ModelEnvelope: one published model version, as a record of ``schemas/model_envelope.avsc``.

Keys on the model topic: an envelope is keyed ``<name>/<version>``, each chunk of a large
document ``<name>/<version>/<index>``; a null value (tombstone) under either key withdraws it.
Envelopes keyed by the bare model name (written before keys carried the version) are still read.
Model names cannot contain '/', so the three key shapes never collide.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from interchange.document import Document
from interchange.errors import ModelError
from interchange.kafka.modeltopic import signing
from interchange.signature import Signature
from interchange.verification import Verification

__all__ = ["Envelope", "DEFAULT_MODEL_TOPIC", "CHUNK_BYTES", "envelope_key", "chunk_key", "parse_key", "TopicKey"]

DEFAULT_MODEL_TOPIC = "interchange-models"
CHUNK_BYTES = 512 * 1024  # stays below Kafka's default 1 MiB message limit with headroom


def envelope_key(name: str, version: int) -> bytes:
    return f"{name}/{version}".encode()


def chunk_key(name: str, version: int, index: int) -> bytes:
    return f"{name}/{version}/{index}".encode()


@dataclass(frozen=True)
class TopicKey:
    """A parsed model-topic key: ``kind`` is "envelope", "chunk" or "legacy" (bare model name, version unknown)."""

    kind: str
    name: str
    version: int | None = None
    index: int | None = None


def parse_key(raw: bytes | None) -> TopicKey | None:
    """The meaning of a model-topic key, or None when it is none of the three shapes."""
    text = (raw or b"").decode(errors="replace")
    parts = text.split("/")
    if not parts[0] or len(parts) > 3:
        return None
    if len(parts) == 1:
        return TopicKey("legacy", parts[0])
    if not all(p.isdigit() for p in parts[1:]):
        return None
    if len(parts) == 2:
        return TopicKey("envelope", parts[0], int(parts[1]))
    return TopicKey("chunk", parts[0], int(parts[1]), int(parts[2]))


@dataclass
class Envelope:
    """A model version as carried on the model topic."""

    name: str
    version: int
    format: str
    media_type: str
    document: bytes
    sha256: str
    size: int
    signature: str
    input_schema_id: int
    output_schema_id: int
    verification: str
    lineage: str
    created_at: int
    publisher: str
    chunks: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    publisher_signature: str | None = None
    signed_fields: str | None = None
    profile: str | None = None  # reference profile JSON (interchange.profile), for drift

    def to_record(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Envelope:
        created = record["created_at"]
        if hasattr(created, "timestamp"):  # fastavro returns datetimes for timestamp-millis
            created = int(created.timestamp() * 1000)
        return cls(**{**record, "created_at": created})

    def model_signature(self) -> Signature:
        return Signature.from_json(self.signature)

    def model_verification(self) -> Verification:
        return Verification.from_json(self.verification, self.model_signature())

    def to_document(self, data: bytes | None = None) -> Document:
        """The document, checked against the envelope's sha256 and size."""
        data = self.document if data is None else data
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.sha256 or len(data) != self.size:
            raise ModelError(
                f"model {self.name} v{self.version}: document sha256 {digest[:12]}… / {len(data)} bytes does "
                f"not match the envelope's {self.sha256[:12]}… / {self.size} bytes",
                model=self.name,
                version=self.version,
            )
        return Document(self.format, data, self.media_type)

    # --- publisher signature (scheme and canonical bytes: interchange/kafka/modeltopic/signing.py) ---
    def covered_fields(self) -> dict[str, Any]:
        """The fields the publisher signature covers, as the verifier recomputes them."""
        return signing.covered_fields(
            name=self.name,
            version=self.version,
            format=self.format,
            media_type=self.media_type,
            sha256=self.sha256,
            size=self.size,
            chunks=self.chunks,
            input_schema_id=self.input_schema_id,
            output_schema_id=self.output_schema_id,
            signature=self.signature,
            verification=self.verification,
        )

    def sign(self, key: signing.KeySource | Ed25519PrivateKey) -> None:
        """Sign this envelope with a publisher's Ed25519 private key (path, PEM bytes or key object)."""
        private = signing.load_signing_key(key)
        self.signed_fields = signing.fields_json(self.covered_fields())
        self.publisher_signature = signing.sign_fields(private, self.signed_fields)

    def check_signature(self, key: signing.KeySource | Ed25519PublicKey | None) -> None:
        """With a key, refuse (ModelError) a version that is not signed by that key over its current fields.

        ``key`` is the public key the scorer trusts: a PEM file path (str or Path), PEM bytes, or an
        ``Ed25519PublicKey``; None (or "") accepts every version. A key that cannot be loaded raises
        ConfigError (the scorer's setting is wrong, not the model): load it once with
        ``signing.load_verify_key`` at start-up and pass the object. The ModelError message says
        which check failed: unsigned, unknown scheme, different key, wrong signature, or a
        covered field changed after signing; its ``reason`` attribute is one of ``unsigned``,
        ``scheme``, ``other-key``, ``bad-signature``, ``tampered``.
        """
        if key is None or key == "" or key == b"":
            return
        public = signing.load_verify_key(key)
        label = f"model {self.name} v{self.version}"
        if not self.publisher_signature:
            raise self._refuse(
                f"{label} is unsigned and this scorer requires versions signed by key {signing.key_id(public)}", "unsigned"
            )
        if ":" not in self.publisher_signature:
            raise self._refuse(
                f"{label} carries an old shared-secret HMAC signature, which this scorer does not accept "
                f"(only {signing.SCHEME!r}; re-publish with an Ed25519 key)",
                "scheme",
            )
        try:
            scheme, kid, raw = signing.parse_signature(self.publisher_signature)
        except ValueError as exc:
            raise self._refuse(f"{label} has a malformed publisher signature ({exc})", "bad-signature") from None
        if scheme != signing.SCHEME:
            raise self._refuse(
                f"{label} is signed with scheme {scheme!r}, which this scorer does not accept (only {signing.SCHEME!r}; "
                "re-publish with an Ed25519 key)",
                "scheme",
            )
        expected_kid = signing.key_id(public)
        if kid != expected_kid:  # key ids are public: no need for a constant-time compare
            raise self._refuse(
                f"{label} is signed with a different key (key id {kid}, this scorer trusts {expected_kid})", "other-key"
            )
        claimed = self.signed_fields if self.signed_fields is not None else signing.fields_json(self.covered_fields())
        if not signing.verify_bytes(public, raw, signing.canonical_bytes(claimed)):
            raise self._refuse(f"{label} has a wrong signature: it does not verify with key {expected_kid}", "bad-signature")
        changed = self._changed_fields(claimed)
        if changed:
            raise self._refuse(
                f"{label} was changed after signing: {', '.join(changed)} differ from the signed values", "tampered"
            )

    def _changed_fields(self, claimed: str) -> list[str]:
        try:
            signed = json.loads(claimed)
        except ValueError:
            return ["signed_fields"]
        if not isinstance(signed, dict):
            return ["signed_fields"]
        actual = self.covered_fields()
        changed = sorted(k for k in actual.keys() | signed.keys() if actual.get(k) != signed.get(k))
        if not changed and signing.fields_json(signed) != claimed:
            changed = ["signed_fields"]  # same values, non-canonical text: refuse rather than guess
        return changed

    def _refuse(self, message: str, reason: str) -> ModelError:
        return ModelError(message, model=self.name, version=self.version, reason=reason)

    def summary(self) -> str:
        return json.dumps({"name": self.name, "version": self.version, "format": self.format, "sha256": self.sha256})
