"""Confluent framing, schema resolution on decode, and BACKWARD compatibility diagnosis."""

from __future__ import annotations

import pytest

from interchange.errors import RecordError
from interchange.registry.client import incompatible_fields
from interchange.registry.wire import AvroCodec, unframe

V1 = {"type": "record", "name": "Input", "fields": [{"name": "a", "type": ["null", "double"], "default": None}]}
V2 = {
    "type": "record",
    "name": "Input",
    "fields": [
        {"name": "a", "type": ["null", "double"], "default": None},
        {"name": "b", "type": ["null", "double"], "default": None},
    ],
}


def test_round_trip_and_resolution() -> None:
    old = AvroCodec(V1, 1, lambda i: V1)
    new = AvroCodec(V2, 2, {1: V1, 2: V2}.__getitem__)
    data = old.encode({"a": 2.5})
    assert unframe(data)[0] == 1
    assert new.decode(data) == {"a": 2.5, "b": None}


@pytest.mark.parametrize("payload", [b"", b"\x01\x00\x00\x00\x01", b"\x00\x00\x00\x00\x01\xff\xff"])
def test_bad_bytes_are_record_errors(payload: bytes) -> None:
    codec = AvroCodec(V1, 1, lambda i: V1)
    with pytest.raises(RecordError):
        codec.decode(payload)


def test_unknown_schema_id_is_a_record_error() -> None:
    def lookup(i: int) -> dict:
        raise KeyError(i)

    codec = AvroCodec(V1, 1, lookup)
    with pytest.raises(RecordError, match="schema id 9"):
        codec.decode(b"\x00\x00\x00\x00\x09\x00")


def test_backward_diagnosis_names_field() -> None:
    required = {"type": "record", "name": "Input", "fields": V1["fields"] + [{"name": "c", "type": "double"}]}
    assert incompatible_fields(V1, V2, "BACKWARD") == []
    assert [f for f, _ in incompatible_fields(V1, required, "BACKWARD")] == ["c"]
    retyped = {"type": "record", "name": "Input", "fields": [{"name": "a", "type": "string"}]}
    assert [f for f, _ in incompatible_fields(V1, retyped, "BACKWARD")] == ["a"]
    assert incompatible_fields(V1, required, "NONE") == []
