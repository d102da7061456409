"""Avro writer schemas as Arrow schemas, so each event's own fields become typed Parquet columns.

Every Avro type maps to its natural Arrow type (long → int64, record → struct, map → map,
timestamp-millis → timestamp[ms, UTC], decimal → decimal128, ...). A union of ``null`` and one
type is that type, nullable. A union of several non-null types has no faithful Arrow
counterpart readable by pandas and DuckDB alike, so it is stored as a JSON string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from interchange.errors import SchemaError

__all__ = ["RowLayout", "KAFKA_COLUMNS", "kafka_fields"]

Fix = Callable[[Any], Any] | None

KAFKA_COLUMNS = ("_topic", "_partition", "_offset", "_timestamp", "_key")


def kafka_fields() -> list[pa.Field]:
    """The Kafka coordinates every row carries."""
    return [
        pa.field("_topic", pa.string(), nullable=False),
        pa.field("_partition", pa.int32(), nullable=False),
        pa.field("_offset", pa.int64(), nullable=False),
        pa.field("_timestamp", pa.timestamp("ms", tz="UTC")),
        pa.field("_key", pa.binary()),
    ]


_PRIMITIVES: dict[str, pa.DataType] = {
    "null": pa.null(),
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "string": pa.string(),
}
_LOGICAL: dict[tuple[str, str], pa.DataType] = {
    ("long", "timestamp-millis"): pa.timestamp("ms", tz="UTC"),
    ("long", "timestamp-micros"): pa.timestamp("us", tz="UTC"),
    ("long", "local-timestamp-millis"): pa.timestamp("ms"),
    ("long", "local-timestamp-micros"): pa.timestamp("us"),
    ("int", "date"): pa.date32(),
    ("int", "time-millis"): pa.time32("ms"),
    ("long", "time-micros"): pa.time64("us"),
}


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


class _Mapper:
    """Walks one parsed Avro schema; remembers named types for later references."""

    def __init__(self) -> None:
        self.named: dict[str, tuple[pa.DataType, Fix]] = {}

    def map(self, avro: Any) -> tuple[pa.DataType, Fix]:
        """``(arrow type, value fixer or None)`` for an Avro type."""
        if isinstance(avro, str):
            if avro in _PRIMITIVES:
                return _PRIMITIVES[avro], None
            if avro in self.named:
                return self.named[avro]
            raise SchemaError(f"Avro schema refers to unknown type {avro!r}", field=avro)
        if isinstance(avro, list):
            return self._union(avro)
        kind = avro.get("type")
        logical = avro.get("logicalType")
        if isinstance(kind, str) and logical:
            if (kind, logical) in _LOGICAL:
                return _LOGICAL[(kind, logical)], None
            if logical == "decimal" and kind in ("bytes", "fixed"):
                return pa.decimal128(int(avro["precision"]), int(avro.get("scale", 0))), None
            if logical == "uuid":
                return pa.string(), lambda v: v if v is None or isinstance(v, str) else str(v)
        if kind == "record":
            fields, fixes = [], {}
            for f in avro["fields"]:
                t, fix = self.map(f["type"])
                fields.append(pa.field(f["name"], t))
                if fix:
                    fixes[f["name"]] = fix
            out: tuple[pa.DataType, Fix] = (pa.struct(fields), _record_fix(fixes))
        elif kind == "enum":
            out = (pa.string(), None)
        elif kind == "fixed":
            out = (pa.binary(int(avro["size"])), None)
        elif kind == "array":
            t, fix = self.map(avro["items"])
            out = (pa.list_(t), _list_fix(fix))
        elif kind == "map":
            t, fix = self.map(avro["values"])
            out = (
                pa.map_(pa.string(), t),
                _map_fix(fix),
            )
        elif isinstance(kind, str | list | dict):
            out = self.map(kind)
        else:
            raise SchemaError(f"unsupported Avro type {avro!r}")
        if kind in ("record", "enum", "fixed") and "name" in avro:
            self.named[avro["name"]] = out
        return out

    def _union(self, branches: list[Any]) -> tuple[pa.DataType, Fix]:
        real = [b for b in branches if b != "null"]
        if not real:
            return pa.null(), None
        if len(real) == 1:
            return self.map(real[0])
        for b in real:  # still register named types declared inside the union
            self.map(b)
        return pa.string(), _json_text


def _record_fix(fixes: dict[str, Callable[[Any], Any]]) -> Fix:
    if not fixes:
        return None

    def fix(value: Any) -> Any:
        if value is None:
            return None
        return {k: (fixes[k](v) if k in fixes else v) for k, v in value.items()}

    return fix


def _list_fix(each: Fix) -> Fix:
    if each is None:
        return None
    return lambda v: None if v is None else [each(x) for x in v]


def _map_fix(each: Fix) -> Fix:
    if each is None:
        return None
    return lambda v: None if v is None else {k: each(x) for k, x in v.items()}


class RowLayout:
    """The Arrow schema of one writer schema's rows: Kafka coordinates, then the record's fields.

    ``table(rows)`` turns decoded records (dicts already holding the Kafka columns) into a table.
    A top-level value that is not a record becomes a single column ``value``.
    """

    def __init__(self, avro: Any) -> None:
        mapper = _Mapper()
        self.is_record = isinstance(avro, dict) and avro.get("type") == "record"
        fields = kafka_fields()
        self.fixes: dict[str, Callable[[Any], Any]] = {}
        if self.is_record:
            for f in avro["fields"]:
                if f["name"] in KAFKA_COLUMNS:
                    raise SchemaError(
                        f"event field {f['name']!r} clashes with the sink's Kafka column of that name; rename the field",
                        field=f["name"],
                    )
                t, fix = mapper.map(f["type"])
                fields.append(pa.field(f["name"], t))
                if fix:
                    self.fixes[f["name"]] = fix
        else:
            t, fix = mapper.map(avro)
            fields.append(pa.field("value", t))
            if fix:
                self.fixes["value"] = fix
        self.schema = pa.schema(fields)

    def row(self, record: Any, coordinates: dict[str, Any]) -> dict[str, Any]:
        """One output row: the Kafka coordinates plus the decoded record's fields."""
        data = record if self.is_record else {"value": record}
        for name, fix in self.fixes.items():
            data[name] = fix(data.get(name))
        return {**coordinates, **data}

    def table(self, rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=self.schema)
