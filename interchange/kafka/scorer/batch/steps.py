"""The per-batch steps of the scorer, one call each: decode messages, encode outputs, and the small
pieces around them (lineage headers, the canary split and slicing a decoded batch, shadow agreement).

They hold no state and touch no Kafka client, so a faster codec can replace
:func:`decode_batch` / :func:`encode_outputs` without changing the loop around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from confluent_kafka import Message

from interchange.kafka.routes.route import in_canary
from interchange.kafka.scorer.batch.columns import BatchCodec, Source
from interchange.kafka.scorer.batch.messages import positions
from interchange.kafka.scorer.live import LiveModel
from interchange.signature import Signature

__all__ = ["Decoded", "decode_batch", "encode_outputs", "lineage", "canary_flags", "split_canary", "take", "agreement"]


@dataclass
class Decoded:
    """A decoded batch: what the model takes (columns, or records on the fallback path), the
    messages that decoded (in order), and the events that failed with a reason class."""

    batch: dict[str, np.ndarray] | list[dict[str, Any]] = field(default_factory=list)
    kept: list[Message] = field(default_factory=list)
    dead: list[tuple[Message, Exception, str]] = field(default_factory=list)


def decode_batch(codec: BatchCodec, live: LiveModel, messages: list[Message], max_event_bytes: int) -> Decoded:
    """Decode every message for the version (columnar for flat schemas); undecodable or oversized ones become dead letters."""
    inputs = codec.decode(live, messages, max_event_bytes)
    dead: list[tuple[Message, Exception, str]] = [
        (msg, exc, "oversized" if "over the scorer's limit" in exc.message else "undecodable") for msg, exc in inputs.dead
    ]
    return Decoded(inputs.batch, inputs.kept, dead)


def encode_outputs(
    codec: BatchCodec,
    live: LiveModel,
    outputs: dict[str, np.ndarray],
    count: int,
    skip: set[int] | dict[int, Any],
    role: str,
    source: Source | None,
) -> list[bytes | None]:
    """Each row's Confluent-framed output record with its lineage (None for rows in ``skip``: the model refused them)."""
    encoded: list[bytes | None] = list(codec.encode(live, outputs, count, role, source))
    for i in skip:
        encoded[i] = None
    return encoded


def source_of(topic: str, kept: list[Message]) -> Source:
    """The ``source`` lineage of decoded messages: their topic, and partitions and offsets as arrays."""
    partitions, offsets = positions(kept)
    return {"topic": topic, "partition": partitions, "offset": offsets}


def lineage(live: LiveModel, role: str) -> list[tuple[str, bytes]]:
    """Headers every output of this version carries; the source header is added per event."""
    env = live.envelope
    return [
        ("interchange.model", env.name.encode()),
        ("interchange.version", str(env.version).encode()),
        ("interchange.format", env.format.encode()),
        ("interchange.sha256", env.sha256.encode()),
        ("interchange.role", role.encode()),
    ]


def source(msg: Message) -> tuple[str, bytes]:
    return ("interchange.source", f"{msg.topic()}/{msg.partition()}/{msg.offset()}".encode())


def canary_flags(messages: list[Message], fraction: float) -> list[bool]:
    """Per message: in the canary, a stable share ``fraction`` of events by key hash (keyless: topic/partition/offset)."""
    flags = []
    for msg in messages:
        fallback = f"{msg.topic()}/{msg.partition()}/{msg.offset()}".encode()
        flags.append(in_canary(msg.key(), fraction, fallback))
    return flags


def split_canary(messages: list[Message], fraction: float) -> tuple[list[Message], list[Message]]:
    """(base, canary) by :func:`canary_flags`."""
    flags = canary_flags(messages, fraction)
    return [m for m, f in zip(messages, flags, strict=True) if not f], [m for m, f in zip(messages, flags, strict=True) if f]


def take(decoded: Decoded, messages: list[Message], flags: list[bool], side: bool) -> Decoded:
    """The part of a batch decoded once (``messages`` in order) whose canary flag is ``side``:
    its kept messages, their rows of the model batch, and its dead letters."""
    chosen = {id(m) for m, f in zip(messages, flags, strict=True) if f == side}
    rows = [i for i, m in enumerate(decoded.kept) if id(m) in chosen]
    batch = decoded.batch
    if isinstance(batch, dict):
        index = np.array(rows, dtype=np.int64)
        part: dict[str, np.ndarray] | list[dict[str, Any]] = {k: v[index] for k, v in batch.items()}
    else:
        part = [batch[i] for i in rows]
    dead = [d for d in decoded.dead if id(d[0]) in chosen]
    return Decoded(part, [decoded.kept[i] for i in rows], dead)


def comparable(main: Signature, shadow: Signature) -> tuple[list[str], list[str]]:
    """(fields compared for equality, numeric fields compared within tolerance): labels or cluster ids
    when both versions have them, else the numeric outputs they share."""
    main_names = {f.name: f.type for f in main.outputs}
    shadow_names = {f.name: f.type for f in shadow.outputs}
    for name in ("label", "cluster"):
        if name in main_names and name in shadow_names:
            return [name], []
    shared = [n for n, t in main_names.items() if shadow_names.get(n) == t and t in ("double", "integer")]
    return [], shared


def agreement(
    main: dict[str, list[Any]], shadow: dict[str, list[Any]], equal: list[str], close: list[str], tolerance: float
) -> list[bool]:
    """Per event: the shadow's output agrees with the served one (equal labels; numbers within
    ``tolerance * (1 + |served|)``). Columns are aligned row by row; a missing value never agrees."""
    n = len(next(iter(main.values()))) if main else 0
    agree = np.ones(n, dtype=bool)
    for name in equal:
        agree &= np.array([a is not None and a == b for a, b in zip(main[name], shadow[name], strict=True)], dtype=bool)
    for name in close:
        a = np.array([np.nan if v is None else v for v in main[name]], dtype=float)
        b = np.array([np.nan if v is None else v for v in shadow[name]], dtype=float)
        agree &= np.abs(a - b) <= tolerance * (1.0 + np.abs(a))
    return agree.tolist() if (equal or close) else [False] * n


def column_values(outputs: dict[str, np.ndarray], names: list[str], rows: list[int]) -> dict[str, list[Any]]:
    """Plain values of some output columns at some row positions (NaN -> None)."""
    out = {}
    for name in names:
        col = np.asarray(outputs[name])[rows].tolist() if rows else []
        out[name] = [None if isinstance(v, float) and v != v else v for v in col]
    return out
