"""The model topic's rules without Kafka: keys, chunks in any order, tombstones, retention."""

from __future__ import annotations

import hashlib

import pytest

from interchange.kafka.modeltopic.envelope import Envelope, parse_key
from interchange.kafka.modeltopic.publish import retired_versions
from interchange.kafka.modeltopic.state import TopicState
from interchange.kafka.registry import AvroCodec
from interchange.resources import avro_schema

ENV_SCHEMA, CHUNK_SCHEMA = avro_schema("model_envelope"), avro_schema("model_chunk")
ENV = AvroCodec(ENV_SCHEMA, 1, lambda _: ENV_SCHEMA)
CHUNK = AvroCodec(CHUNK_SCHEMA, 2, lambda _: CHUNK_SCHEMA)


def _state(names=None) -> TopicState:
    return TopicState(ENV, CHUNK, names, "models")


def _envelope(name: str, version: int, document: bytes = b"doc", chunks: int = 0) -> bytes:
    full = document
    env = Envelope(
        name=name,
        version=version,
        format="onnx",
        media_type="application/x-onnx",
        document=b"" if chunks else full,
        sha256=hashlib.sha256(full).hexdigest(),
        size=len(full),
        signature="{}",
        input_schema_id=1,
        output_schema_id=2,
        verification="{}",
        lineage="{}",
        created_at=0,
        publisher="p",
        chunks=chunks,
    )
    return ENV.encode(env.to_record())


def _chunk(name: str, version: int, index: int, data: bytes) -> bytes:
    return CHUNK.encode({"name": name, "version": version, "index": index, "data": data})


def _take(state: TopicState, key: str, value: bytes | None) -> list[tuple[str, int]]:
    out = state.take(key.encode(), value, "models[0]@?")
    state.deliver(out)
    return sorted(out)


def test_keys_parse_into_three_shapes() -> None:
    assert parse_key(b"iris").kind == "legacy"
    assert (parse_key(b"iris/3").kind, parse_key(b"iris/3").version) == ("envelope", 3)
    assert (parse_key(b"iris/3/2").version, parse_key(b"iris/3/2").index) == (3, 2)
    for bad in (b"", None, b"iris/x", b"iris/1/2/3", b"/1", b"iris/1/-2"):
        assert parse_key(bad) is None


def test_every_version_stays_live_newest_first_and_old_name_keys_are_read() -> None:
    st = _state()
    assert _take(st, "iris", _envelope("iris", 1)) == [("iris", 1)]  # an envelope from before name/version keys
    assert _take(st, "iris/2", _envelope("iris", 2)) == [("iris", 2)]
    assert _take(st, "iris/3", _envelope("iris", 3)) == [("iris", 3)]
    assert list(st.versions("iris")) == [3, 2, 1]
    assert st.highest == {"iris": 3}
    assert st.version_keys("iris") == {1: [b"iris/1", b"iris"], 2: [b"iris/2"], 3: [b"iris/3"]}
    # a tombstone under the bare name withdraws the version that key held
    _take(st, "iris", None)
    assert list(st.versions("iris")) == [3, 2] and st.withdrawn == [("iris", 1)]


@pytest.mark.parametrize("order", ["chunks-first", "envelope-first", "interleaved"])
def test_chunks_assemble_in_any_order(order: str) -> None:
    data = bytes(range(256)) * 10
    parts = [data[:1000], data[1000:2000], data[2000:]]
    chunks = [(f"big/1/{i}", _chunk("big", 1, i, p)) for i, p in enumerate(parts)]
    envelope = ("big/1", _envelope("big", 1, data, chunks=3))
    records = {
        "chunks-first": chunks + [envelope],
        "envelope-first": [envelope] + chunks,
        "interleaved": [chunks[2], envelope, chunks[0], chunks[1]],
    }[order]
    st = _state()
    went_live = [_take(st, k, v) for k, v in records]
    assert went_live[:-1] == [[]] * (len(records) - 1) and went_live[-1] == [("big", 1)]
    assert st.versions("big")[1].to_document().data == data
    assert not st.chunks and not st.pending


def test_missing_chunks_are_reported_at_the_end_and_keys_still_listed_for_retirement() -> None:
    st = _state()
    _take(st, "big/4/0", _chunk("big", 4, 0, b"a"))
    _take(st, "big/4", _envelope("big", 4, b"ab", chunks=2))
    assert st.versions("big") == {}
    st.report_incomplete()
    assert [e.message for e in st.errors] == ["model big v4: 1 of 2 chunks on the topic"]
    assert st.version_keys("big") == {4: [b"big/4", b"big/4/0", b"big/4/1"]}


def test_tombstones_withdraw_versions_and_numbers_are_never_reused() -> None:
    st = _state()
    _take(st, "m/1", _envelope("m", 1))
    _take(st, "m/2", _envelope("m", 2))
    _take(st, "m/1", None)
    assert st.withdrawn == [("m", 1)] and list(st.versions("m")) == [2]
    assert st.withdrawn[0].version == 1 and st.withdrawn[0].name == "m"
    # after compaction only a tombstone (or a chunk) may tell that a version number was used
    fresh = _state()
    _take(fresh, "m/2", _envelope("m", 2))
    _take(fresh, "m/5", None)
    _take(fresh, "m/7/0", None)
    assert fresh.highest["m"] == 7 and fresh.withdrawn == [] and list(fresh.versions("m")) == [2]


def test_a_version_withdrawn_before_the_caller_saw_it_is_not_returned_nor_reported() -> None:
    st = _state()
    out = st.take(b"m/1", _envelope("m", 1))
    out2 = st.take(b"m/1", None)  # same poll batch: nothing delivered yet
    assert ("m", 1) in out and out2 == {}
    assert not st.is_live(out[("m", 1)])
    assert st.withdrawn == [] and st.versions("m") == {}


def test_chunk_tombstones_drop_buffered_chunks() -> None:
    st = _state()
    _take(st, "m/3/0", _chunk("m", 3, 0, b"x"))
    _take(st, "m/3/0", None)
    assert st.chunks == {("m", 3): {}}
    _take(st, "m/3", None)
    assert st.chunks == {} and st.version_keys("m") == {}


def test_bad_records_become_errors_and_other_models_are_skipped() -> None:
    st = _state(names=["m"])
    assert _take(st, "other/1", b"garbage") == []  # filtered before decoding
    assert _take(st, "m/1", b"garbage") == []
    assert _take(st, "m/2", _envelope("m", 3)) == []  # key and record disagree
    assert _take(st, "m/2/0", _chunk("m", 2, 1, b"x")) == []
    assert _take(st, "m/x", _envelope("m", 1)) == []
    messages = [e.message for e in st.errors]
    assert len(messages) == 4
    assert "unreadable record at models[0]@? (key m/1)" in messages[0]
    assert "its envelope is m v3" in messages[1] and "its record is m/2/1" in messages[2]
    assert "not <name>, <name>/<version> or <name>/<version>/<index>" in messages[3]
    assert st.versions("m") == {} and "other" not in st.highest


def test_retirement_keeps_the_newest_n_live_and_leaves_newer_orphans_alone() -> None:
    held = {v: [f"m/{v}".encode()] for v in (1, 2, 3, 4)}
    live = {1, 2, 3, 4}
    assert retired_versions(held, live, 5, 2) == [1, 2, 3]
    assert retired_versions(held, live, 5, 10) == []
    assert retired_versions(held, live, 5, None) == []
    assert retired_versions(held, live, 5, 1) == [1, 2, 3, 4]
    # an orphan chunk of v6 (a publish in progress elsewhere) takes no slot and is not touched
    assert retired_versions({**held, 6: [b"m/6/0"]}, live, 7, 2) == [1, 2, 3]
    # an incomplete v3 between live versions takes no slot either; it goes once older than all kept
    assert retired_versions(held, {1, 2, 4}, 5, 3) == [1]
    assert retired_versions(held, {1, 2, 4}, 5, 2) == [1, 2, 3]
