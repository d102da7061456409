"""ModelEnvelope: one published model version, as a record of ``schemas/model_envelope.avsc``."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from interchange.document import Document
from interchange.errors import ModelError
from interchange.signature import Signature
from interchange.verification import Verification

__all__ = ["Envelope", "DEFAULT_MODEL_TOPIC", "CHUNK_BYTES", "sign"]

DEFAULT_MODEL_TOPIC = "interchange-models"
CHUNK_BYTES = 512 * 1024  # stays below Kafka's default 1 MiB message limit with headroom


def sign(key: str, sha256: str, name: str, version: int) -> str:
    """The publisher signature: HMAC-SHA256 over the document hash, name and version."""
    return hmac.new(key.encode(), f"{sha256}|{name}|{version}".encode(), hashlib.sha256).hexdigest()


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
    profile: str | None = None  # reference profile JSON (interchange.monitor.profile), for drift

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

    def check_signature(self, key: str | None) -> None:
        """With a key set, refuse envelopes that are unsigned or signed with another key."""
        if not key:
            return
        expected = sign(key, self.sha256, self.name, self.version)
        if not self.publisher_signature or not hmac.compare_digest(expected, self.publisher_signature):
            raise ModelError(
                f"model {self.name} v{self.version} is not signed with this scorer's key", model=self.name, version=self.version
            )

    def summary(self) -> str:
        return json.dumps({"name": self.name, "version": self.version, "format": self.format, "sha256": self.sha256})
