"""Decode any Confluent-framed Avro event with its own writer schema, fetched by id from the registry.

The sink keeps what the producer wrote (no reader schema), so a topic holding feature events,
predictions, dead letters or metrics lands with each event's own fields. The split by cause:
bytes that are not framed Avro, a schema id the registry does not know, or a payload that does
not decode are the event's fault (RecordError → the ``_errors`` files); a registry that cannot
be reached is not, and stops the sink before anything is written for that event.
"""

from __future__ import annotations

import io
import time
from typing import Any

import fastavro

from interchange.errors import RecordError, RegistryError, SchemaError
from interchange.kafka.registry import Registry, unframe
from interchange.kafka.sink.arrow import RowLayout

__all__ = ["EventDecoder"]


class EventDecoder:
    """``decode(value) -> (schema_id, record)``; one parsed schema and Arrow layout per schema id."""

    def __init__(self, registry: Registry, retry_for: float = 30.0) -> None:
        self.registry = registry
        self.retry_for = retry_for
        self._schemas: dict[int, Any] = {}
        self.layouts: dict[int, RowLayout] = {}
        self._unknown: dict[int, str] = {}

    def _writer(self, schema_id: int) -> Any:
        known = self._schemas.get(schema_id)
        if known is not None:
            return known
        if schema_id in self._unknown:
            raise RecordError(self._unknown[schema_id])
        deadline = time.monotonic() + self.retry_for
        while True:
            try:
                raw = self.registry.schema(schema_id)
                break
            except RegistryError as exc:
                if getattr(exc, "status", None) == 404:
                    self._unknown[schema_id] = f"event names schema id {schema_id}, which the registry does not know"
                    raise RecordError(self._unknown[schema_id]) from exc
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
        parsed = fastavro.parse_schema(raw)
        try:
            self.layouts[schema_id] = RowLayout(parsed)
        except SchemaError as exc:
            self._unknown[schema_id] = f"schema id {schema_id} cannot be stored as Parquet columns: {exc.message}"
            raise RecordError(self._unknown[schema_id], field=getattr(exc, "field", None)) from exc
        self._schemas[schema_id] = parsed
        return parsed

    def decode(self, value: bytes | None) -> tuple[int, Any]:
        if value is None:
            raise RecordError("event has no value (a tombstone)")
        schema_id, payload = unframe(value)
        writer = self._writer(schema_id)
        buf = io.BytesIO(payload)
        try:
            record = fastavro.schemaless_reader(buf, writer, None)
        except Exception as exc:
            raise RecordError(f"event does not decode with its schema id {schema_id}: {type(exc).__name__}: {exc}") from exc
        if buf.tell() != len(payload):
            raise RecordError(f"event has {len(payload) - buf.tell()} bytes left after its Avro record (schema id {schema_id})")
        return schema_id, record
