"""The one gate a model version passes before serve answers with it.

Serve loads versions through exactly the checks the scorer applies (publisher signature,
document hash, format validation, verification cases). Today that is
``interchange.kafka.scorer.live.activate``; when the scorer's gate moves, only this function changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from interchange.kafka.modeltopic import Envelope
from interchange.kafka.registry import Registry
from interchange.kafka.scorer.live import activate
from interchange.model import Model

__all__ = ["Loaded", "load_version", "verification_summary"]


@dataclass(frozen=True)
class Loaded:
    """A version that passed the gate: the model to predict with and which engine runs it."""

    model: Model
    engine: str
    reason: str | None


def load_version(envelope: Envelope, registry: Registry, *, verify_key: Any = None, engine: str = "auto") -> Loaded:
    """Load and verify ``envelope``; ModelError when it must not serve."""
    live = activate(envelope, registry, verify_key, engine)
    return Loaded(live.model, live.model.info.engine, live.model.info.reason)


def verification_summary(envelope: Envelope) -> dict[str, Any]:
    """What the envelope says about its verification: cases carried, tolerance, publish-time differences."""
    try:
        data = json.loads(envelope.verification)
    except (TypeError, ValueError):
        return {"cases": 0, "tolerance": None, "max_difference": None}
    return {
        "cases": len(data.get("inputs") or []),
        "tolerance": data.get("tolerance"),
        "max_difference": data.get("max_difference"),
    }
