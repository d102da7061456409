"""Confluent framing, schema resolution on decode, and BACKWARD compatibility diagnosis."""

from __future__ import annotations

import pytest

from interchange.errors import RecordError, RegistryError
from interchange.kafka.registry.client import incompatible_fields
from interchange.kafka.registry.shape import same_shape
from interchange.kafka.registry.wire import AvroCodec, unframe

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
        raise RegistryError(f"schema {i} not found", status=404)

    codec = AvroCodec(V1, 1, lookup)
    with pytest.raises(RecordError, match="schema id 9"):
        codec.decode(b"\x00\x00\x00\x00\x09\x00")


def test_registry_outage_is_not_the_events_fault() -> None:
    """A registry that cannot answer must not turn good events into dead letters."""
    calls = []

    def lookup(i: int) -> dict:
        calls.append(i)
        if len(calls) == 1:
            raise RegistryError("cannot reach the schema registry")
        return V2

    codec = AvroCodec(V1, 1, lookup)
    event = AvroCodec(V2, 2, lambda i: V2).encode({"a": 1.0, "b": 2.0})
    with pytest.raises(RegistryError):
        codec.decode(event)
    assert codec.decode(event) == {"a": 1.0}  # asked again once the registry answers


def test_foreign_record_of_the_same_name_is_refused_unless_it_is_a_subject_version() -> None:
    class Subjects:
        def __init__(self, ids: set[int]) -> None:
            self.ids = ids

        def subject_ids(self, subject: str) -> set[int]:
            return self.ids

    foreign = {"type": "record", "name": "Input", "fields": [{"name": "z", "type": "double"}]}
    event = AvroCodec(foreign, 7, lambda i: foreign).encode({"z": 1.0})
    refusing = AvroCodec(V1, 1, lambda i: foreign, same_shape(Subjects(set()), "m-input", V1))  # type: ignore[arg-type]
    with pytest.raises(RecordError, match=r"not a version of m-input and lacks its fields \['a'\]"):
        refusing.decode(event)
    with pytest.raises(RecordError):  # the verdict is kept per schema id
        refusing.decode(event)
    evolving = AvroCodec(V1, 1, lambda i: foreign, same_shape(Subjects({7}), "m-input", V1))  # type: ignore[arg-type]
    assert evolving.decode(event) == {"a": None}


def test_backward_diagnosis_names_field() -> None:
    required = {"type": "record", "name": "Input", "fields": V1["fields"] + [{"name": "c", "type": "double"}]}
    assert incompatible_fields(V1, V2, "BACKWARD") == []
    assert [f for f, _ in incompatible_fields(V1, required, "BACKWARD")] == ["c"]
    retyped = {"type": "record", "name": "Input", "fields": [{"name": "a", "type": "string"}]}
    assert [f for f, _ in incompatible_fields(V1, retyped, "BACKWARD")] == ["a"]
    assert incompatible_fields(V1, required, "NONE") == []
