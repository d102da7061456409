"""The model versions a scorer knows, the one serving, and the checks a version passes first.

A version goes live only through :func:`activate` (signature, sha256, load, verification
cases). :class:`Versions` keeps every version the model topic holds, serves the newest one
that passes, and falls back to the newest older one when a version is refused, withdrawn or
quarantined (it failed on every event at run time). A registry or broker that cannot answer
is not the version's fault: those errors propagate and the version is tried again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from interchange.errors import InterchangeError, ModelError, RegistryError, TransportError
from interchange.kafka.modeltopic import Envelope
from interchange.kafka.registry import AvroCodec, Registry, input_subject, same_shape
from interchange.model import Model, load
from interchange.verification import Verification

__all__ = ["LiveModel", "Versions", "activate"]

log = logging.getLogger("interchange.kafka.scorer")


@dataclass(frozen=True)
class LiveModel:
    """A verified model version with its codecs: everything the hot path needs."""

    envelope: Envelope
    model: Model
    input_codec: AvroCodec
    output_codec: AvroCodec

    @property
    def ref(self) -> dict[str, Any]:
        """The prediction's ``model`` record without its role (dead letters use name and version)."""
        env = self.envelope
        return {"name": env.name, "version": env.version, "format": env.format, "sha256": env.sha256}

    def self_check(self) -> str | None:
        """Run the version's own verification cases again: None when they still pass, else why not."""
        envelope = self.envelope
        try:
            verification = Verification.from_json(envelope.verification, envelope.model_signature())
            if verification.expected:
                verification.check(self.model, envelope.model_signature())
        except Exception as exc:
            return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return None


def activate(envelope: Envelope, registry: Registry, verify_key: Any = None, engine: str = "auto") -> LiveModel:
    """Load and verify a published version; ModelError when it must not go live.

    RegistryError / TransportError mean the infrastructure could not answer; try again later.
    """
    try:
        envelope.check_signature(verify_key)
        model = load(envelope.to_document(), engine=engine)
        verification = Verification.from_json(envelope.verification, envelope.model_signature())
        if verification.expected:
            verification.check(model, envelope.model_signature())
        reader = registry.schema(envelope.input_schema_id)
        accept = same_shape(registry, input_subject(envelope.name), reader)
        input_codec = AvroCodec(reader, envelope.input_schema_id, registry.schema, accept)
        output_codec = AvroCodec(registry.schema(envelope.output_schema_id), envelope.output_schema_id, registry.schema)
    except (ModelError, RegistryError, TransportError):
        raise
    except InterchangeError as exc:
        raise ModelError(
            f"model {envelope.name} v{envelope.version} refused: {exc.message}", model=envelope.name, version=envelope.version
        ) from exc
    except Exception as exc:  # a hostile or broken document must never take the scorer down
        raise ModelError(
            f"model {envelope.name} v{envelope.version} refused: {type(exc).__name__}: {exc}",
            model=envelope.name,
            version=envelope.version,
        ) from exc
    return LiveModel(envelope, model, input_codec, output_codec)


class Versions:
    """Every known version of one model; serves the newest that passes its checks (``live``) and,
    on demand, a named version (``serve``: pinned, canary and shadow versions of a route)."""

    def __init__(
        self, name: str, load_version: Callable[[Envelope], LiveModel], changed: Callable[[], None] = lambda: None
    ) -> None:
        self.name = name
        self._load = load_version
        self._changed = changed  # told of every change to what this model serves (the router's plans depend on it)
        self.envelopes: dict[int, Envelope] = {}
        self.bad: dict[int, str] = {}  # refused or quarantined versions, never tried again
        self.loaded: dict[int, LiveModel] = {}  # versions that passed activate(), kept while in use
        self.live: LiveModel | None = None
        self.events: list[str] = []  # what happened, for logs and stats

    def add(self, envelopes: Iterable[Envelope]) -> None:
        for env in envelopes:
            if env.name == self.name:
                self.envelopes[env.version] = env
                self._changed()

    def withdraw(self, version: int) -> None:
        """A version removed from the model topic (tombstone): stop serving it."""
        self._changed()
        self.envelopes.pop(version, None)
        self.loaded.pop(version, None)
        if self.live is not None and self.live.envelope.version == version:
            self.live = None

    def quarantine(self, reason: str, version: int | None = None) -> None:
        """A version (default: the live one) failed at run time: take it out; routes fall back."""
        if version is None:
            if self.live is None:
                return
            version = self.live.envelope.version
        self._changed()
        self.bad[version] = f"quarantined: {reason}"
        self.loaded.pop(version, None)
        self.events.append(f"v{version} quarantined: {reason}")
        log.error("model %s v%s quarantined: %s", self.name, version, reason)
        if self.live is not None and self.live.envelope.version == version:
            self.live = None

    def serve(self, version: int) -> LiveModel | None:
        """The named version, loaded and verified once; None when it is unknown, refused or quarantined.

        RegistryError / TransportError propagate (not the version's fault: try again later)."""
        if version in self.loaded:
            return self.loaded[version]
        if version in self.bad or version not in self.envelopes:
            return None
        self._changed()
        try:
            live = self._load(self.envelopes[version])
        except ModelError as exc:
            self.bad[version] = exc.message
            self.events.append(f"v{version} refused: {exc.message}")
            log.error("refused %s v%s: %s", self.name, version, exc.message)
            return None
        self.loaded[version] = live
        log.info("loaded %s v%s (%s via %s)", self.name, version, live.envelope.format, live.model.info.engine)
        return live

    def prune(self, keep: Iterable[int]) -> None:
        """Forget loaded versions no route serves any more (the live one always stays)."""
        wanted = set(keep) | ({self.live.envelope.version} if self.live else set())
        for version in [v for v in self.loaded if v not in wanted]:
            del self.loaded[version]
            self._changed()

    def choose(self) -> bool:
        """Serve the newest version that passes; True when the serving version changed."""
        current = self.live.envelope.version if self.live else None
        for version in sorted(self.envelopes, reverse=True):
            if version == current:
                return False
            live = self.serve(version)
            if live is None:
                continue
            self.live = live
            self._changed()
            log.info("serving %s v%s (%s via %s)", self.name, version, live.envelope.format, live.model.info.engine)
            return True
        if current is not None and current not in self.envelopes:
            self.live = None
            self._changed()
            return True
        return False
