"""The model version currently serving, and the checks a new version must pass first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from interchange.errors import InterchangeError, ModelError
from interchange.model import Model, load
from interchange.modeltopic import Envelope
from interchange.registry import AvroCodec, Registry
from interchange.verification import Verification

__all__ = ["LiveModel", "activate"]

log = logging.getLogger("interchange.scorer")


@dataclass(frozen=True)
class LiveModel:
    """A verified model version with its codecs: everything the hot path needs."""

    envelope: Envelope
    model: Model
    input_codec: AvroCodec
    output_codec: AvroCodec

    @property
    def ref(self) -> dict[str, Any]:
        return {"name": self.envelope.name, "version": self.envelope.version, "format": self.envelope.format}


def activate(envelope: Envelope, registry: Registry, signing_key: str | None = None, engine: str = "auto") -> LiveModel:
    """Load and verify a published version; ModelError when it must not go live."""
    try:
        envelope.check_signature(signing_key)
        model = load(envelope.to_document(), engine=engine)
        verification = Verification.from_json(envelope.verification, envelope.model_signature())
        if verification.expected:
            verification.check(model, envelope.model_signature())
        input_codec = AvroCodec(registry.schema(envelope.input_schema_id), envelope.input_schema_id, registry.schema)
        output_codec = AvroCodec(registry.schema(envelope.output_schema_id), envelope.output_schema_id, registry.schema)
    except ModelError:
        raise
    except InterchangeError as exc:
        raise ModelError(
            f"model {envelope.name} v{envelope.version} refused: {exc.message}", model=envelope.name, version=envelope.version
        ) from exc
    return LiveModel(envelope, model, input_codec, output_codec)
