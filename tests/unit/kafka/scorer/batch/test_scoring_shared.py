"""Versions that read one input schema share one decode of a batch; canary parts are slices of it.

A route with a base, a 30% canary and a shadow, all on the same input schema, decodes its batch
once; every version's predictions (bytes, keys, dead letters) equal those of decoding each
version's own events alone, as the scorer did before. A canary with another input schema id
decodes its own part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from confluent_kafka import Message
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.registry.wire import AvroCodec
from interchange.kafka.routes.route import Route
from interchange.kafka.scorer.batch.columns import BatchCodec
from interchange.kafka.scorer.batch.scoring import Outcome, score_route
from interchange.kafka.scorer.batch.steps import canary_flags, decode_batch, encode_outputs, source_of
from interchange.kafka.scorer.live import LiveModel
from interchange.kafka.scorer.router import Plan


@dataclass(frozen=True)
class _Envelope:
    name: str
    version: int
    format: str
    sha256: str
    input_schema_id: int


@pytest.fixture(scope="module")
def versions() -> list[Any]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    out = []
    for version, C in ((1, 1.0), (2, 0.05), (3, 0.01)):
        converted = interchange.convert(LogisticRegression(max_iter=500, C=C).fit(X, y), "onnx", sample=X)
        out.append((version, converted))
    return out


def _live(converted: Any, version: int, input_id: int) -> LiveModel:
    sig = converted.signature
    in_schema, out_schema = sig.input_schema("iris"), sig.output_schema("iris")
    schemas = {1: in_schema, 2: in_schema, 9: out_schema}
    env = _Envelope("iris", version, "onnx", hashlib.sha256(converted.document.data).hexdigest(), input_id)
    return LiveModel(
        env,  # type: ignore[arg-type]  # the fields the hot path reads
        converted.model,
        AvroCodec(in_schema, input_id, schemas.__getitem__),
        AvroCodec(out_schema, 9, schemas.__getitem__),
    )


def _messages(converted: Any, n: int) -> list[Message]:
    X, _ = load_iris(return_X_y=True, as_frame=True)
    codec = AvroCodec(converted.signature.input_schema("iris"), 1, lambda i: None)
    rows = X.sample(n=n, replace=True, random_state=0).to_dict("records")
    out = []
    for i, row in enumerate(rows):
        value = b"\x00\x00\x00\x00\x01broken" if i % 17 == 5 else codec.encode(row)
        out.append(Message(topic="iris-features", partition=i % 2, offset=1000 + i, key=f"k{i}".encode(), value=value))
    return out


def _alone(codec: BatchCodec, live: LiveModel, messages: list[Message], role: str) -> tuple[dict[bytes, bytes], list[bytes]]:
    """A version's predictions and dead keys from decoding only its own events (the reference)."""
    decoded = decode_batch(codec, live, messages, 1_000_000)
    n = len(decoded.kept)
    scored = live.model.score(decoded.batch)
    values = encode_outputs(codec, live, scored.outputs, n, scored.refused, role, source_of("iris-features", decoded.kept))
    return {m.key(): v for m, v in zip(decoded.kept, values, strict=True) if v is not None}, [m.key() for m, _, _ in decoded.dead]


def _written(out: Outcome, topic: str) -> dict[bytes, bytes]:
    return {k: v for t, keys, values, headers in out.produce if t == topic for k, v in zip(keys, values, strict=True)}


@pytest.mark.parametrize("canary_input", [1, 2])
def test_one_decode_per_input_schema_and_the_same_predictions(versions: list[Any], canary_input: int) -> None:
    (_, c1), (_, c2), (_, c3) = versions
    base, canary, shadow = _live(c1, 1, 1), _live(c2, 2, canary_input), _live(c3, 3, 1)
    route = Route("iris-features", "iris", canary_version=2, canary_fraction=0.3, shadow_version=3)
    plan = Plan(route, base, canary, shadow)
    messages = _messages(c1, 300)
    codec = BatchCodec()
    calls: list[int] = []
    decode = codec.decode
    codec.decode = lambda live, msgs, limit: calls.append(len(msgs)) or decode(live, msgs, limit)  # type: ignore[method-assign]
    out = Outcome()
    score_route(plan, messages, out, 1_000_000, codec)

    flags = canary_flags(messages, 0.3)
    base_part = [m for m, f in zip(messages, flags, strict=True) if not f]
    canary_part = [m for m, f in zip(messages, flags, strict=True) if f]
    assert 0 < len(canary_part) < len(base_part)
    # one decode of the whole batch, shared by all three; a canary on another schema decodes its part alone
    assert calls == ([300] if canary_input == 1 else [300, len(canary_part)])

    reference = BatchCodec()
    want_base, dead_base = _alone(reference, base, base_part, "base")
    want_canary, dead_canary = _alone(reference, canary, canary_part, "canary")
    want_shadow, _ = _alone(reference, shadow, messages, "shadow")
    predictions = _written(out, route.output)
    assert predictions == {**want_base, **want_canary}
    assert _written(out, route.shadow_topic) == want_shadow
    dead = {m.key(): ref["version"] for _, m, _, why, ref in out.dead}
    assert dead == {**dict.fromkeys(dead_base, 1), **dict.fromkeys(dead_canary, 2)} and len(dead) == 18
    assert all(headers is None for *_, headers in out.produce)  # lineage headers are opt-in
    # each prediction names its version, role and the event it scored
    by_key = {m.key(): m for m in messages}
    for key, value in predictions.items():
        rec = base.output_codec.decode(value)
        role = "canary" if key in want_canary else "base"
        assert (rec["model"]["version"], rec["model"]["role"]) == ((2, role) if role == "canary" else (1, role))
        msg = by_key[key]
        assert rec["source"] == {"topic": "iris-features", "partition": msg.partition(), "offset": msg.offset()}
    assert [a for _, _, a in out.shadow] and sum(len(a) for _, _, a in out.shadow) == 300 - 18


def test_lineage_headers_when_asked(versions: list[Any]) -> None:
    (_, c1), _, _ = versions
    live = _live(c1, 1, 1)
    messages = _messages(c1, 40)
    out = Outcome()
    score_route(Plan(Route("iris-features", "iris"), live), messages, out, 1_000_000, BatchCodec(), lineage_headers=True)
    ((_, keys, values, headers),) = out.produce
    for key, value, hdrs in zip(keys, values, headers, strict=True):
        rec, h = live.output_codec.decode(value), dict(hdrs)
        assert h["interchange.model"] == b"iris" and h["interchange.version"] == b"1" and h["interchange.role"] == b"base"
        assert h["interchange.sha256"].decode() == rec["model"]["sha256"] == live.envelope.sha256
        source = rec["source"]
        assert h["interchange.source"] == f"{source['topic']}/{source['partition']}/{source['offset']}".encode()
        assert key == f"k{source['offset'] - 1000}".encode()
    assert np.all([len(h) == 6 for h in headers])
