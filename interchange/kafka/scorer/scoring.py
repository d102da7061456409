"""Score one route's share of a batch by its plan: base and canary versions, then the shadow.

Each version scores its events in one vectorised call (decode -> score -> encode, one step
each). The result lists what to produce and what to dead-letter; nothing reaches Kafka here,
so the caller writes a whole batch in one transaction. A version that fails on a batch with no
record to blame raises :class:`ModelFailure` naming the version, which is then quarantined.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from confluent_kafka import Message

from interchange.errors import RecordError
from interchange.kafka.scorer.columns import BatchCodec
from interchange.kafka.scorer.live import LiveModel
from interchange.kafka.scorer.router import Plan
from interchange.kafka.scorer.steps import (
    agreement,
    column_values,
    comparable,
    decode_batch,
    encode_outputs,
    lineage,
    source,
    split_canary,
)

__all__ = ["ModelFailure", "Outcome", "score_route"]

_CREATE_TIME = 1  # confluent_kafka.TIMESTAMP_CREATE_TIME
_SOURCE = "interchange.source"  # the header steps.source writes, built inline on the hot path


class ModelFailure(Exception):
    """A version failed on a batch for a reason not tied to any record."""

    def __init__(self, live: LiveModel, reason: str) -> None:
        super().__init__(reason)
        self.model, self.version, self.reason = live.envelope.name, live.envelope.version, reason


@dataclass
class Outcome:
    """What one batch writes, and the figures it adds once committed."""

    produce: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] = field(default_factory=list)
    dead: list[tuple[str, Message, Exception, str, dict[str, Any]]] = field(
        default_factory=list
    )  # topic, msg, why, class, model ref
    scored: list[tuple[str, int, str, int, list[float]]] = field(default_factory=list)  # model, version, role, count, latencies
    shadow: list[tuple[str, int, list[bool]]] = field(default_factory=list)  # model, version, agreement per event
    consumed: list[tuple[str, str, int]] = field(default_factory=list)  # model, topic, count

    @property
    def main_count(self) -> int:
        return sum(n for _, _, role, n, _ in self.scored if role != "shadow")

    @property
    def shadow_count(self) -> int:
        return sum(n for _, _, role, n, _ in self.scored if role == "shadow")


def score_route(plan: Plan, messages: list[Message], out: Outcome, max_event_bytes: int, codec: BatchCodec) -> None:
    """Score ``messages`` (all from ``plan.route``'s input topic) into ``out``."""
    route = plan.route
    out.consumed.append((route.model, route.input_topic, len(messages)))
    parts = [(plan.base, messages, "base")]
    if plan.canary is not None and route.canary_fraction:
        base, canary = split_canary(messages, route.canary_fraction)
        parts = [(plan.base, base, "base"), (plan.canary, canary, "canary")]
    shadow = _score_version(codec, plan.shadow, messages, max_event_bytes) if plan.shadow is not None else None
    now_ms = time.time() * 1000
    for live, part, role in parts:
        if not part:
            continue
        decoded, outputs, refused, encoded = _score_version(codec, live, part, max_event_bytes)
        headers = lineage(live, role)
        output, produce, prefix = route.output, out.produce, f"{route.input_topic}/"
        latencies = []
        for i, (msg, value) in enumerate(zip(decoded.kept, encoded, strict=True)):
            if value is None:
                out.dead.append((route.dead_letters, msg, refused[i], "refused", live.ref))
                continue
            where = f"{prefix}{msg.partition()}/{msg.offset()}".encode()
            produce.append((output, msg.key(), value, [*headers, (_SOURCE, where)]))
            kind, created = msg.timestamp()
            if kind == _CREATE_TIME:
                latencies.append(now_ms - created)
        out.dead += [(route.dead_letters, msg, exc, why, live.ref) for msg, exc, why in decoded.dead]
        out.scored.append((route.model, live.envelope.version, role, len(decoded.kept) - len(refused), latencies))
        if shadow is not None:
            _compare(plan, live, decoded.kept, outputs, refused, shadow, out)
    if shadow is not None:
        assert plan.shadow is not None
        decoded, _, _, encoded = shadow
        headers = lineage(plan.shadow, "shadow")
        written = 0
        for msg, value in zip(decoded.kept, encoded, strict=True):
            if value is not None:  # events the shadow refuses or cannot decode are only counted as disagreeing
                out.produce.append((route.shadow_topic, msg.key(), value, [*headers, source(msg)]))
                written += 1
        out.scored.append((route.model, plan.shadow.envelope.version, "shadow", written, []))


def _score_version(
    codec: BatchCodec, live: LiveModel, messages: list[Message], max_event_bytes: int
) -> tuple[Any, dict[str, np.ndarray], dict[int, RecordError], list[bytes | None]]:
    decoded = decode_batch(codec, live, messages, max_event_bytes)
    n = len(decoded.kept)
    outputs, refused = _score(live, decoded.batch, n)
    return decoded, outputs, refused, encode_outputs(codec, live, outputs, n, refused)


def _score(live: LiveModel, batch: Any, n: int) -> tuple[dict[str, np.ndarray], dict[int, RecordError]]:
    if not n:
        return {}, {}
    try:
        scored = live.model.score(batch)
    except Exception as exc:  # not a RecordError: no record is to blame
        raise ModelFailure(live, f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}") from exc
    if len(scored.refused) == n and n > 1:
        # every event refused: the events are bad, or the model is (its own cases tell which)
        why = live.self_check()
        if why is not None:
            raise ModelFailure(live, f"refused a whole batch and fails its own verification cases: {why}")
    return scored.outputs, scored.refused


def _compare(
    plan: Plan,
    live: LiveModel,
    kept: list[Message],
    outputs: dict[str, np.ndarray],
    refused: dict[int, Any],
    shadow: Any,
    out: Outcome,
) -> None:
    """Shadow agreement on the events this version served."""
    assert plan.shadow is not None
    s_decoded, s_outputs, s_refused, _ = shadow
    equal, close = comparable(live.model.signature, plan.shadow.model.signature)
    s_rows = {(m.partition(), m.offset()): i for i, m in enumerate(s_decoded.kept) if i not in s_refused}
    served = [i for i in range(len(kept)) if i not in refused]
    paired = [i for i in served if (kept[i].partition(), kept[i].offset()) in s_rows]
    agree = []
    if paired:
        main = column_values(outputs, equal + close, paired)
        other = column_values(s_outputs, equal + close, [s_rows[(kept[i].partition(), kept[i].offset())] for i in paired])
        agree = agreement(main, other, equal, close, plan.route.tolerance)
    agree += [False] * (len(served) - len(paired))  # the shadow could not score these
    if agree:
        out.shadow.append((plan.route.model, plan.shadow.envelope.version, agree))
