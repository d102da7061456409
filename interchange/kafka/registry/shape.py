"""Which writer schemas may feed a model: its own subject's versions, or records that carry every field.

Avro schema resolution reads any record of the same name, filling absent fields with their
defaults. A model's input fields are nullable with default null, so a foreign record that
merely shares the name would decode to all-null features and be "predicted". A writer schema
is accepted when it supplies every input field (by name or alias), or when it is a registered
version of the model's input subject (schema evolution: older versions lack newer fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interchange.errors import RecordError
from interchange.kafka.registry.client import Registry

__all__ = ["same_shape"]


def _names(field: dict[str, Any]) -> set[str]:
    return {field["name"], *field.get("aliases", [])}


def same_shape(registry: Registry, subject: str, reader: dict[str, Any]) -> Callable[[int, dict[str, Any]], None]:
    """An ``accept`` check for :class:`AvroCodec` refusing foreign writer schemas with a RecordError."""
    wanted = [f for f in reader.get("fields", [])]

    def accept(schema_id: int, writer: dict[str, Any]) -> None:
        if not isinstance(writer, dict) or writer.get("type") != "record":
            raise RecordError(f"schema id {schema_id} is not an Avro record schema; {subject} expects one")
        have = set().union(*(_names(f) for f in writer.get("fields", []))) if writer.get("fields") else set()
        missing = [f["name"] for f in wanted if not (_names(f) & have)]
        if missing and schema_id not in registry.subject_ids(subject):
            raise RecordError(
                f"schema id {schema_id} ({writer.get('name')}) is not a version of {subject} and lacks its "
                f"fields {missing}: a foreign event, not a feature event for this model",
                field=missing[0],
            )

    return accept
