"""Score one route's share of a batch by its plan: base and canary versions, then the shadow.

Each version scores its events in one vectorised call (decode -> score -> encode, one step
each). Versions that read the same input schema share one decode of the batch (a shadow, and
a canary's and the base's parts, are slices of it). The result lists what to produce and what
to dead-letter; nothing reaches Kafka here, so the caller writes a whole batch in one
transaction. A version that fails on a batch with no record to blame raises
:class:`ModelFailure` naming the version, which is then quarantined.

Lineage travels in each prediction's Avro fields (``model`` with sha256 and role, ``source``);
the six ``interchange.*`` headers only when asked for (``lineage_headers``) or when the
version's output schema was published without the ``source`` field.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from confluent_kafka import Message

from interchange.errors import RecordError
from interchange.kafka.scorer.batch.columns import BatchCodec
from interchange.kafka.scorer.batch.messages import sampled_created_ms, sources
from interchange.kafka.scorer.batch.steps import (
    Decoded,
    agreement,
    canary_flags,
    column_values,
    comparable,
    decode_batch,
    encode_outputs,
    lineage,
    source_of,
    take,
)
from interchange.kafka.scorer.live import LiveModel
from interchange.kafka.scorer.router import Plan
from interchange.signature import SOURCE_REF

__all__ = ["ModelFailure", "Outcome", "score_route"]

_SOURCE = "interchange.source"  # the header steps.source writes, built inline on the hot path


class ModelFailure(Exception):
    """A version failed on a batch for a reason not tied to any record."""

    def __init__(self, live: LiveModel, reason: str) -> None:
        super().__init__(reason)
        self.model, self.version, self.reason = live.envelope.name, live.envelope.version, reason


Headers = list[tuple[str, bytes]]


@dataclass
class Outcome:
    """What one batch writes, and the figures it adds once committed.

    ``produce`` holds one entry per route and role: the output topic, then keys, values and headers
    side by side (lists of equal length; headers None when the outputs carry none), so the
    producing loop builds no tuple per event.
    """

    produce: list[tuple[str, list[bytes | None], list[bytes], list[Headers] | None]] = field(default_factory=list)
    dead: list[tuple[str, Message, Exception, str, dict[str, Any]]] = field(
        default_factory=list
    )  # topic, msg, why, class, model ref
    scored: list[tuple[str, int, str, int, np.ndarray]] = field(default_factory=list)  # model, version, role, count, latencies
    shadow: list[tuple[str, int, list[bool]]] = field(default_factory=list)  # model, version, agreement per event
    consumed: list[tuple[str, str, int]] = field(default_factory=list)  # model, topic, count

    @property
    def main_count(self) -> int:
        return sum(n for _, _, role, n, _ in self.scored if role != "shadow")

    @property
    def shadow_count(self) -> int:
        return sum(n for _, _, role, n, _ in self.scored if role == "shadow")


def score_route(
    plan: Plan, messages: list[Message], out: Outcome, max_event_bytes: int, codec: BatchCodec, lineage_headers: bool = False
) -> None:
    """Score ``messages`` (all from ``plan.route``'s input topic) into ``out``."""
    route = plan.route
    out.consumed.append((route.model, route.input_topic, len(messages)))
    canary = plan.canary if plan.canary is not None and route.canary_fraction else None
    readers = [v.envelope.input_schema_id for v in (plan.base, canary, plan.shadow) if v is not None]
    whole: dict[int, Decoded] = {}

    def decoded(
        live: LiveModel, part: list[Message] | None = None, flags: list[bool] | None = None, side: bool = False
    ) -> Decoded:
        """The batch decoded for ``live``: once per input schema when another version reads it too."""
        schema = live.envelope.input_schema_id
        if flags is not None and readers.count(schema) == 1:
            return decode_batch(codec, live, part, max_event_bytes) if part else Decoded()  # nobody shares it: the part alone
        if schema not in whole:
            whole[schema] = decode_batch(codec, live, messages, max_event_bytes)
        return whole[schema] if flags is None else take(whole[schema], messages, flags, side)

    if canary is None:
        parts = [(plan.base, decoded(plan.base), "base")]
    else:
        flags = canary_flags(messages, route.canary_fraction or 0.0)
        base = [m for m, f in zip(messages, flags, strict=True) if not f]
        chosen = [m for m, f in zip(messages, flags, strict=True) if f]
        parts = [
            (plan.base, decoded(plan.base, base, flags, False), "base"),
            (canary, decoded(canary, chosen, flags, True), "canary"),
        ]
    shadow = None
    if plan.shadow is not None:
        shadow = _score_version(codec, plan.shadow, decoded(plan.shadow), "shadow", route.input_topic)
    now_ms = time.time() * 1000
    for live, part, role in parts:
        if not part.kept and not part.dead:
            continue
        _, outputs, refused, encoded = _score_version(codec, live, part, role, route.input_topic)
        kept, values = part.kept, encoded
        if refused:
            out.dead += [(route.dead_letters, kept[i], exc, "refused", live.ref) for i, exc in sorted(refused.items())]
            served = [i for i in range(len(kept)) if i not in refused]
            kept, values = [kept[i] for i in served], [encoded[i] for i in served]
        _add_outputs(out, route.output, live, role, route.input_topic, kept, values, lineage_headers)
        out.dead += [(route.dead_letters, msg, exc, why, live.ref) for msg, exc, why in part.dead]
        latencies = now_ms - sampled_created_ms(kept)
        out.scored.append((route.model, live.envelope.version, role, len(kept), latencies))
        if shadow is not None:
            _compare(plan, live, part.kept, outputs, refused, shadow, out)
    if shadow is not None:
        assert plan.shadow is not None
        s_decoded, _, _, encoded = shadow
        # events the shadow refuses or cannot decode are only counted as disagreeing
        served = [i for i, value in enumerate(encoded) if value is not None]
        kept, values = [s_decoded.kept[i] for i in served], [encoded[i] for i in served]
        _add_outputs(out, route.shadow_topic, plan.shadow, "shadow", route.input_topic, kept, values, lineage_headers)
        out.scored.append((route.model, plan.shadow.envelope.version, "shadow", len(kept), np.empty(0)))


def _add_outputs(
    out: Outcome,
    topic: str,
    live: LiveModel,
    role: str,
    source_topic: str,
    kept: list[Message],
    values: list[Any],
    lineage_headers: bool,
) -> None:
    """One version's predictions: the input keys, and lineage headers when asked for or when the
    version's output schema has no ``source`` field (published before lineage moved into it)."""
    if not kept:
        return
    headers = None
    if lineage_headers or not _has_source_field(live):
        shared = lineage(live, role)
        headers = [[*shared, (_SOURCE, where)] for where in sources(source_topic, kept)]
    out.produce.append((topic, list(map(Message.key, kept)), values, headers))


def _has_source_field(live: LiveModel) -> bool:
    schema = live.output_codec.schema
    return isinstance(schema, dict) and any(f.get("name") == SOURCE_REF for f in schema.get("fields", ()))


def _score_version(
    codec: BatchCodec, live: LiveModel, decoded: Decoded, role: str, topic: str
) -> tuple[Decoded, dict[str, np.ndarray], dict[int, RecordError], list[bytes | None]]:
    n = len(decoded.kept)
    outputs, refused = _score(live, decoded.batch, n)
    source = source_of(topic, decoded.kept) if n else None
    return decoded, outputs, refused, encode_outputs(codec, live, outputs, n, refused, role, source)


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
