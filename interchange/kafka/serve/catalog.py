"""Every model version on the model topic, and the verified one each name answers with.

A background thread follows the model topic. Each new version goes through ``load_version``
at once; the newest version that passes becomes the one ``predict`` uses by default, and a
refused version is listed with its reason while the previous one keeps serving (the scorer's
hot swap, without a restart). A version a tombstone withdraws is no longer listed or served.
Versions are keyed by envelope name and version, never by the topic's record key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from interchange.errors import InterchangeError, RegistryError, TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.modeltopic import DEFAULT_MODEL_TOPIC, Envelope, ModelFollower, ModelRef
from interchange.kafka.modeltopic.signing import load_verify_key
from interchange.kafka.registry import Registry
from interchange.kafka.serve.loading import Loaded, load_version, verification_summary
from interchange.kafka.transport import ensure_topics
from interchange.signature import Signature

__all__ = ["Catalog", "Version"]

log = logging.getLogger("interchange.kafka.serve")


@dataclass
class Version:
    """One published version as serve knows it."""

    envelope: Envelope
    loaded: Loaded | None = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def signature(self) -> Signature:
        return self.envelope.model_signature()

    def describe(self, *, full: bool = False) -> dict[str, Any]:
        env = self.envelope
        out: dict[str, Any] = {
            "version": env.version,
            "format": env.format,
            "status": "verified" if self.loaded else "refused" if self.error else "pending",
            "engine": self.loaded.engine if self.loaded else None,
            "error": self.error,
            "sha256": env.sha256,
            "size": env.size,
            "created_at": env.created_at,
            "publisher": env.publisher,
        }
        if full:
            out["signature"] = self.signature.to_dict()
            out["verification"] = verification_summary(env)
            out["lineage"] = _json_or_text(env.lineage)
            out["metrics"] = env.metrics
            out["input_schema_id"] = env.input_schema_id
            out["output_schema_id"] = env.output_schema_id
        return out


def _json_or_text(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


class Catalog:
    """Model versions by name, kept current by a follower thread (``start`` / ``stop``); ``names`` limits which."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        model_topic: str = DEFAULT_MODEL_TOPIC,
        verify_key: Any = None,
        engine: str = "auto",
        registry: Registry | None = None,
        names: Iterable[str] | None = None,
    ) -> None:
        self.config = config
        self.only = set(names) if names else None
        self.model_topic = model_topic
        self.verify_key = None if verify_key is None else load_verify_key(verify_key)
        self.engine = engine
        self.registry = registry or Registry(config)
        self._models: dict[str, dict[int, Version]] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()
        self.last_error: str | None = None

    # --- reading ----------------------------------------------------------------------
    def names(self) -> list[str]:
        with self._guard:
            return sorted(self._models)

    def versions(self, name: str) -> list[Version]:
        with self._guard:
            return sorted(self._models.get(name, {}).values(), key=lambda v: v.envelope.version)

    def get(self, name: str, version: int | None = None) -> Version | None:
        """A version by number, or the newest verified one; None when there is none."""
        found = self.versions(name)
        if version is not None:
            return next((v for v in found if v.envelope.version == version), None)
        return next((v for v in reversed(found) if v.loaded is not None), None)

    # --- following --------------------------------------------------------------------
    def offer(self, envelopes: list[Envelope]) -> None:
        """Add new versions and load them, oldest first (a republished same version is replaced)."""
        for env in sorted(envelopes, key=lambda e: (e.name, e.version)):
            with self._guard:
                known = self._models.get(env.name, {}).get(env.version)
            if known is not None and known.envelope.sha256 == env.sha256:
                continue
            entry = Version(env)
            try:
                entry.loaded = load_version(env, self.registry, verify_key=self.verify_key, engine=self.engine)
                log.info("serving %s v%s (%s via %s)", env.name, env.version, env.format, entry.loaded.engine)
            except (RegistryError, TransportError):
                raise  # the registry or Kafka is away: not the version's fault, try it again later
            except InterchangeError as exc:
                entry.error = exc.message
                log.error("refused %s v%s: %s", env.name, env.version, exc.message)
            with self._guard:
                self._models.setdefault(env.name, {})[env.version] = entry

    def withdraw(self, refs: Iterable[ModelRef]) -> None:
        """Forget versions a tombstone removed from the model topic; the newest verified one left answers."""
        for ref in refs:
            with self._guard:
                gone = self._models.get(ref.name, {}).pop(ref.version, None)
                if gone is not None and not self._models[ref.name]:
                    del self._models[ref.name]
            if gone is not None:
                log.info("withdrawn %s v%s: no longer served", ref.name, ref.version)

    def _follow(self) -> None:
        follower: ModelFollower | None = None
        while not self._stop.is_set():
            try:
                if follower is None:
                    ensure_topics(self.config, {self.model_topic: {"compacted": True, "partitions": 1}})
                    follower = ModelFollower(self.config, self.model_topic, self.only, registry=self.registry)
                    self.offer(follower.read_to_end())
                    self.ready.set()
                self.offer(follower.poll(0.5))
                self.withdraw(follower.withdrawn)
                follower.withdrawn.clear()
                for err in follower.errors:
                    log.error("model topic: %s", err.message)
                    self.last_error = err.message
                follower.errors.clear()
            except InterchangeError as exc:  # the topic or registry is away: retry, keep serving
                self.last_error = exc.message
                log.error("following %s: %s", self.model_topic, exc.message)
                if follower is not None:
                    follower.close()
                    follower = None
                self._stop.wait(2.0)
        if follower is not None:
            follower.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="interchange-serve-models", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
