"""What the model topic holds, rebuilt record by record: live versions, chunks, withdrawals.

Kept apart from the Kafka reading in ``follow.py`` so the rules can be tested with plain bytes.
Keys (``envelope.py``): ``name/version`` envelopes, ``name/version/index`` chunks, bare ``name``
for envelopes written before keys carried the version; a null value withdraws the key. Chunks
may come before or after their envelope (a reader may start mid-way; a multi-partition topic
spreads one version over partitions): an envelope goes live once its document is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from interchange.errors import ModelError, RecordError
from interchange.kafka.modeltopic.envelope import Envelope, TopicKey, chunk_key, envelope_key, parse_key

__all__ = ["TopicState", "Ref", "ModelRef"]

Ref = tuple[str, int]  # (model name, version)


class ModelRef(NamedTuple):
    """One version of one model, as reported in ``withdrawn``."""

    name: str
    version: int


class _Decoder(Protocol):
    def decode(self, data: bytes | None) -> dict: ...


class TopicState:
    """The model topic's contents as far as read; ``take`` one record at a time.

    ``take`` returns the versions that went live through that record (a version withdrawn
    before the caller saw it is never returned). ``withdrawn`` lists versions returned earlier
    that a tombstone has since removed; ``errors`` the unreadable records.
    """

    def __init__(
        self, envelope_codec: _Decoder, chunk_codec: _Decoder, names: Iterable[str] | None = None, topic: str = ""
    ) -> None:
        self.envelope_codec, self.chunk_codec = envelope_codec, chunk_codec
        self.names = set(names) if names else None
        self.topic = topic
        self.live: dict[str, dict[int, Envelope]] = {}
        self.pending: dict[Ref, Envelope] = {}  # chunked envelopes waiting for their chunks
        self.chunks: dict[Ref, dict[int, bytes]] = {}
        self.highest: dict[str, int] = {}  # highest version number seen in any record
        self.legacy: dict[str, int] = {}  # the version a bare-name key holds now
        self.delivered: set[Ref] = set()
        self.errors: list[ModelError] = []
        self.withdrawn: list[ModelRef] = []

    def take(self, key_bytes: bytes | None, value: bytes | None, where: str = "") -> dict[Ref, Envelope]:
        """Apply one record; the versions it made live."""
        out: dict[Ref, Envelope] = {}
        key = parse_key(key_bytes)
        if key is None:
            self._error(f"record at {where} has key {key_bytes!r}, not <name>, <name>/<version> or <name>/<version>/<index>")
            return out
        if self.names is not None and key.name not in self.names:
            return out
        if key.version is not None:
            self._saw(key.name, key.version)
        if value is None:
            self._tombstone(key, out)
            return out
        try:
            if key.kind == "chunk":
                chunk = self.chunk_codec.decode(value)
                if (chunk["name"], chunk["version"], chunk["index"]) != (key.name, key.version, key.index):
                    raise RecordError(f"its record is {chunk['name']}/{chunk['version']}/{chunk['index']}")
                self._add_chunk((key.name, chunk["version"]), chunk["index"], chunk["data"], out)
                return out
            envelope = Envelope.from_record(self.envelope_codec.decode(value))
            if envelope.name != key.name or key.version not in (None, envelope.version):
                raise RecordError(f"its envelope is {envelope.name} v{envelope.version}")
        except (RecordError, KeyError, TypeError) as exc:
            label = key.name if key.version is None else f"{key.name}/{key.version}"
            self._error(f"unreadable record at {where} (key {label}): {exc}")
            return out
        if key.kind == "legacy":
            self.legacy[envelope.name] = envelope.version
        self._saw(envelope.name, envelope.version)
        self._add_envelope(envelope, out)
        return out

    def deliver(self, refs: Iterable[Ref]) -> None:
        """Mark versions as seen by the caller: a later tombstone then lands in ``withdrawn``."""
        self.delivered.update(refs)

    def is_live(self, envelope: Envelope) -> bool:
        return self.live.get(envelope.name, {}).get(envelope.version) is envelope

    def report_incomplete(self) -> None:
        """An error for each chunked envelope whose chunks are not all on the topic (call at its end)."""
        for (name, version), env in sorted(self.pending.items()):
            have = len(self.chunks.get((name, version), {}))
            self.errors.append(
                ModelError(f"model {name} v{version}: {have} of {env.chunks} chunks on the topic", model=name, version=version)
            )

    # --- rules ---------------------------------------------------------------------------
    def _add_envelope(self, envelope: Envelope, out: dict[Ref, Envelope]) -> None:
        ref = (envelope.name, envelope.version)
        if envelope.chunks <= 0:
            self.chunks.pop(ref, None)
            self._go_live(envelope, out)
            return
        self.pending[ref] = envelope
        self._complete(ref, out)

    def _add_chunk(self, ref: Ref, index: int, data: bytes, out: dict[Ref, Envelope]) -> None:
        if ref[1] in self.live.get(ref[0], {}) and ref not in self.pending:
            return  # a duplicate of a document already assembled
        self.chunks.setdefault(ref, {})[index] = data
        self._complete(ref, out)

    def _complete(self, ref: Ref, out: dict[Ref, Envelope]) -> None:
        envelope = self.pending.get(ref)
        parts = self.chunks.get(ref, {})
        if envelope is None or any(i not in parts for i in range(envelope.chunks)):
            return
        envelope.document = b"".join(parts[i] for i in range(envelope.chunks))
        del self.pending[ref], self.chunks[ref]
        self._go_live(envelope, out)

    def _go_live(self, envelope: Envelope, out: dict[Ref, Envelope]) -> None:
        self.live.setdefault(envelope.name, {})[envelope.version] = envelope
        out[(envelope.name, envelope.version)] = envelope

    def _tombstone(self, key: TopicKey, out: dict[Ref, Envelope]) -> None:
        if key.kind == "chunk":
            self.chunks.get((key.name, key.version or 0), {}).pop(key.index or 0, None)
            return
        version = key.version if key.kind == "envelope" else self.legacy.pop(key.name, None)
        if version is None:
            return
        ref = (key.name, version)
        self.pending.pop(ref, None)
        self.chunks.pop(ref, None)
        gone = self.live.get(key.name, {}).pop(version, None)
        out.pop(ref, None)
        if gone is not None and ref in self.delivered:
            self.delivered.discard(ref)
            self.withdrawn.append(ModelRef(*ref))

    def _saw(self, name: str, version: int) -> None:
        self.highest[name] = max(self.highest.get(name, 0), version)

    def _error(self, message: str) -> None:
        self.errors.append(ModelError(message, topic=self.topic))

    # --- queries -------------------------------------------------------------------------
    def versions(self, name: str) -> dict[int, Envelope]:
        return dict(sorted(self.live.get(name, {}).items(), reverse=True))

    def version_keys(self, name: str) -> dict[int, list[bytes]]:
        versions = (
            set(self.live.get(name, {})) | {v for n, v in self.pending if n == name} | {v for n, v in self.chunks if n == name}
        )
        keys: dict[int, list[bytes]] = {}
        for version in sorted(versions):
            envelope = self.live.get(name, {}).get(version) or self.pending.get((name, version))
            indexes = set(self.chunks.get((name, version), {})) | set(range(envelope.chunks if envelope else 0))
            held = [envelope_key(name, version)] + [chunk_key(name, version, i) for i in sorted(indexes)]
            if self.legacy.get(name) == version:
                held.append(name.encode())
            keys[version] = held
        return keys
