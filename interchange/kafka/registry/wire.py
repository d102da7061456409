"""The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then Avro binary.

Encoding and decoding use fastavro's schemaless reader/writer with parsed schemas; decoding
resolves the writer's schema (looked up by id) against the reader's, so producers may send
any compatible version of a model's input schema. Fields whose column names are not legal
Avro carry their original name (``x-interchange-name``, see :mod:`interchange.avronames`);
the codec speaks original names on both sides, so models and users never see the legal ones.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from typing import Any

import fastavro

from interchange.avronames import original_names, rename
from interchange.errors import RecordError, RegistryError

__all__ = ["frame", "unframe", "AvroCodec", "MAGIC"]

MAGIC = 0
_HEADER = struct.Struct(">bI")
_BUFFER = re.compile(r" from <_io\.BytesIO object at 0x[0-9a-fA-F]+>")


def frame(schema_id: int, payload: bytes) -> bytes:
    return _HEADER.pack(MAGIC, schema_id) + payload


def unframe(data: bytes | None) -> tuple[int, memoryview]:
    """``(schema_id, avro payload)``; RecordError if the bytes are not Confluent-framed."""
    if data is None or len(data) < _HEADER.size:
        raise RecordError(f"event is {0 if data is None else len(data)} bytes, too short for the Confluent wire format")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise RecordError(f"event starts with byte {magic}, not the Confluent wire format's magic byte 0")
    return schema_id, memoryview(data)[_HEADER.size :]


class AvroCodec:
    """Encode records with one registered schema; decode any framed record into it.

    ``lookup(schema_id)`` returns the writer schema (a dict) for ids we have not seen yet; an id
    the registry does not know is the event's fault (RecordError), a registry that cannot answer
    is not (its RegistryError propagates, so callers retry instead of dead-lettering good events).
    ``accept(schema_id, writer_schema)`` may refuse a writer schema with a RecordError (e.g. a
    foreign record that happens to share the reader's name); its verdict is cached per id.
    Records go in and come out keyed by original column names (``names``: Avro name ->
    original, empty when every name was legal); Avro names are accepted on encode too.
    ``original_names=False`` keeps the schema's own names on both sides.
    """

    def __init__(
        self,
        schema: dict[str, Any],
        schema_id: int,
        lookup: Callable[[int], dict[str, Any]],
        accept: Callable[[int, dict[str, Any]], None] | None = None,
        *,
        original_names: bool = True,
    ) -> None:
        self.schema = fastavro.parse_schema(schema)
        self.schema_id = schema_id
        self._lookup = lookup
        self._accept = accept
        self._writers: dict[int, Any] = {schema_id: self.schema}
        self._refused: dict[int, RecordError] = {}
        self.names: dict[str, str] = _original_names(schema) if original_names else {}
        self.fields: dict[str, str] = {original: name for name, original in self.names.items()}

    def encode(self, record: dict[str, Any]) -> bytes:
        if self.fields:
            record = rename(record, self.fields)
        buf = io.BytesIO()
        buf.write(_HEADER.pack(MAGIC, self.schema_id))
        fastavro.schemaless_writer(buf, self.schema, record)
        return buf.getvalue()

    def writer(self, schema_id: int) -> Any:
        """The parsed writer schema for ``schema_id``; RecordError when the event's schema is unusable."""
        writer = self._writers.get(schema_id)
        if writer is not None:
            return writer
        if schema_id in self._refused:
            raise self._refused[schema_id]
        try:
            raw = self._lookup(schema_id)
        except RegistryError as exc:
            if getattr(exc, "status", None) != 404:
                raise  # the registry is down or failing: not the event's fault
            refused = RecordError(f"event names schema id {schema_id}, which the registry does not know")
        else:
            try:
                if self._accept is not None:
                    self._accept(schema_id, raw)
                writer = fastavro.parse_schema(raw)
            except RecordError as exc:
                refused = exc
            except Exception as exc:
                refused = RecordError(f"schema id {schema_id} is not a usable Avro schema: {exc}")
            else:
                self._writers[schema_id] = writer
                return writer
        self._refused[schema_id] = refused
        raise refused

    def decode(self, data: bytes | None) -> dict[str, Any]:
        schema_id, payload = unframe(data)
        writer = self.writer(schema_id)
        buf = io.BytesIO(payload)
        try:
            record = fastavro.schemaless_reader(buf, writer, self.schema)
        except Exception as exc:
            why = _BUFFER.sub("", str(exc))  # fastavro names its buffer object: reasons must not differ per call
            raise RecordError(
                f"event does not decode with schema id {schema_id} into the model's input schema: {type(exc).__name__}: {why}"
            ) from exc
        if buf.tell() != len(payload):
            raise RecordError(f"event has {len(payload) - buf.tell()} bytes left after its Avro record (schema id {schema_id})")
        if not isinstance(record, dict):  # an input schema is a record; fastavro types any Avro value
            raise RecordError(f"event decodes to a {type(record).__name__}, not a record (schema id {schema_id})")
        if self.names:
            return rename(record, self.names)
        return record


def _original_names(schema: Any) -> dict[str, str]:
    return original_names(schema) if isinstance(schema, dict) and schema.get("type") == "record" else {}
