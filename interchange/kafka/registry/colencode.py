"""Columnar Avro encoding: a batch of output columns into Confluent-framed records at once.

The bytes are fastavro's, assembled without a dict per record: every value that repeats (a
constant field such as the model reference, each distinct label or class) is encoded once by
fastavro and copied where it goes; doubles are copied as their 8 little-endian bytes behind
the union index fastavro writes for them; integer columns become zig-zag varints computed for
the whole column at once (:func:`zigzag_varints`). A record field (such as a prediction's
``source``) is given as a mapping of its fields to constants or integer columns, and is laid
out like the top-level ones. Missing values (None, NaN) are written as null, like the
record-by-record path. Anything else (another nested field, a double column that is not
float64, a column mixing Python types) is not handled here: :meth:`ColumnarEncoder.encode`
returns None and the caller encodes record by record.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import fastavro
import numpy as np
import pandas as pd

from interchange.kafka.registry.wire import AvroCodec, frame

__all__ = ["ColumnarEncoder", "zigzag_varints"]

_TABLE_KINDS = {"long": int, "int": int, "boolean": bool, "string": str}
_SINGLE_TYPES = ({str}, {int}, {bool}, {float})


@dataclass(frozen=True)
class _Field:
    name: str  # Avro name
    key: str  # column or constant name
    schema: Any  # the field's Avro type
    kind: str | None  # double, long, int, boolean, string for a nullable primitive; None otherwise
    plain: str | None = None  # long or int when the field is that type outside a union


class ColumnarEncoder:
    """Encode columns (keyed by the codec's original names) and constant fields into framed records.

    Example::

        values = ColumnarEncoder(output_codec).encode(outputs, n, {"model": ref})
    """

    def __init__(self, codec: AvroCodec) -> None:
        self.codec = codec
        self._header = frame(codec.schema_id, b"")
        self._constants: dict[tuple[str, str], bytes] = {}
        self._schemas: dict[str, Any] = {}  # one-field record schemas, parsed once
        self._values: dict[tuple[str, type, Any], bytes] = {}  # encoded distinct values (labels repeat)
        self._fields: list[_Field] | None = None
        schema = codec.schema
        if isinstance(schema, dict) and schema.get("type") == "record":
            self._fields = [_field(f["name"], codec.names.get(f["name"], f["name"]), f["type"]) for f in schema["fields"]]

    def encode(self, columns: Mapping[str, Any], n: int, constants: Mapping[str, Any]) -> list[bytes] | None:
        """``n`` framed records, or None when some field is not one this encoder handles.

        ``columns`` hold an array of ``n`` values per field, or for a record field a mapping of
        its fields to a constant or an integer array each; ``constants`` one value per field.
        """
        if self._fields is None:
            return None
        parts = self._parts(self._fields, columns, n, constants)
        return None if parts is None else self._assemble(n, _joined(parts))

    def _parts(
        self, fields: list[_Field], columns: Mapping[str, Any], n: int, constants: Mapping[str, Any]
    ) -> list[tuple[str, Any, Any]] | None:
        parts: list[tuple[str, Any, Any]] = []  # (kind, what to write, bytes per record)
        for f in fields:
            if f.key in constants:
                const = self._constant(f, constants[f.key])
                parts.append(("const", const, len(const)))
                continue
            value = columns.get(f.key)
            if value is None:
                return None
            if isinstance(value, Mapping):
                nested = self._record(f, value, n)
                if nested is None:
                    return None
                parts += nested
                continue
            col = np.asarray(value)
            if len(col) != n:
                return None
            if f.plain is not None:
                part = self._varint(f, col, None)
            elif f.kind == "double":
                part = self._double(f, col)
            elif f.kind in ("long", "int") and col.dtype.kind in "iu" and np.can_cast(col.dtype, np.int64):
                tag = self._value(f, 0)
                part = self._varint(f, col, tag[:1]) if len(tag) == 2 else None
            elif f.kind is not None:
                part = self._table(f, col)
            else:
                return None
            if part is None:
                return None
            parts.append(part)
        return parts

    def _record(self, f: _Field, values: Mapping[str, Any], n: int) -> list[tuple[str, Any, Any]] | None:
        """A record field (or a nullable one, not null here) from its fields' constants and integer columns."""
        plan = _record_plan(f)
        if plan is None:
            return None
        branch, fields = plan
        constants = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
        columns = {k: v for k, v in values.items() if isinstance(v, np.ndarray)}
        if any(sub.plain is None and sub.key in columns for sub in fields):  # only integer columns nest
            return None
        parts = self._parts(fields, columns, n, constants)
        if parts is None:
            return None
        return [("const", branch, len(branch)), *parts] if branch else parts

    def _varint(self, f: _Field, col: np.ndarray, tag: bytes | None) -> tuple[str, Any, np.ndarray] | None:
        """An int or long column as zig-zag varints (behind the union's one-byte branch index when ``tag``)."""
        if col.dtype.kind not in "iu" or not np.can_cast(col.dtype, np.int64):
            return None
        matrix, lengths = zigzag_varints(col.astype(np.int64, copy=False))
        if tag is not None:
            matrix = np.concatenate([np.full((len(col), 1), tag[0], dtype=np.uint8), matrix], axis=1)
            lengths = lengths + 1
        return ("rows", (matrix, lengths), lengths)

    def _constant(self, f: _Field, value: Any) -> bytes:
        key = (f.name, json.dumps(value, sort_keys=True, default=repr))
        encoded = self._constants.get(key)
        if encoded is None:
            encoded = self._constants[key] = self._encode_one(f, value)
        return encoded

    def _encode_one(self, f: _Field, value: Any) -> bytes:
        """fastavro's bytes for one value of one field."""
        schema = self._schemas.get(f.name)
        if schema is None:
            one = {"type": "record", "name": "One", "fields": [{"name": "v", "type": f.schema}]}
            schema = self._schemas[f.name] = fastavro.parse_schema(one)
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, schema, {"v": value})
        return buf.getvalue()

    def _value(self, f: _Field, value: Any) -> bytes:
        key = (f.name, type(value), value)
        encoded = self._values.get(key)
        if encoded is None:
            if len(self._values) > 100_000:  # a text output with a new value per record: do not grow for ever
                self._values.clear()
            encoded = self._values[key] = self._encode_one(f, value)
        return encoded

    def _double(self, f: _Field, col: np.ndarray) -> tuple[str, Any, np.ndarray] | None:
        if col.dtype != np.float64:
            return None
        null, value = self._value(f, None), self._value(f, 0.0)
        if len(null) != 1 or len(value) != 9:
            return None
        present = ~np.isnan(col)
        tags = np.where(present, value[0], null[0]).astype(np.uint8)
        cells = np.ascontiguousarray(col[present], dtype="<f8").view(np.uint8).reshape(-1, 8)
        return ("double", (tags, cells, present), np.where(present, 9, 1))

    def _table(self, f: _Field, col: np.ndarray) -> tuple[str, Any, np.ndarray] | None:
        """Encode each distinct value once; a record copies its value's bytes."""
        cast = _TABLE_KINDS[f.kind or ""]
        if col.dtype == object:
            types = set(map(type, col.tolist())) - {type(None)}
            if types and types not in _SINGLE_TYPES:  # 1, 1.0 and True hash alike: never merge them
                return None
            if types == {float} and cast is str:  # str(-0.0) != str(0.0), which hash alike
                return None
        elif col.dtype.kind == "f" and cast is str:
            return None
        elif col.dtype.kind not in "iubf":
            return None
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        encoded = [self._value(f, cast(v)) for v in np.asarray(uniques).tolist()] + [self._value(f, None)]  # last: missing
        width = max(map(len, encoded))
        table = np.zeros((len(encoded), width), dtype=np.uint8)
        for i, e in enumerate(encoded):
            table[i, : len(e)] = np.frombuffer(e, dtype=np.uint8)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        codes = np.where(codes < 0, len(encoded) - 1, codes)
        return ("table", (table, lengths, codes), lengths[codes])

    def _assemble(self, n: int, parts: list[tuple[str, Any, Any]]) -> list[bytes]:
        """Lay every record out in one buffer: each part writes its bytes at each record's cursor."""
        if n and all(_uniform(sizes) for _, _, sizes in parts):
            return self._assemble_uniform(n, parts)
        lens = np.full(n, len(self._header), dtype=np.int64)
        for _, _, sizes in parts:
            lens += sizes
        ends = np.cumsum(lens)
        starts = ends - lens
        out = np.empty(int(ends[-1]) if n else 0, dtype=np.uint8)
        cursor = starts.copy()
        _put_same(out, cursor, self._header)
        for kind, part, sizes in parts:
            if kind == "const":
                _put_same(out, cursor, part)
            elif kind == "double":
                tags, cells, present = part
                out[cursor] = tags
                where = cursor[present] + 1
                out[where[:, None] + np.arange(8)] = cells
                cursor += sizes
            elif kind == "rows":  # each record its own bytes, a row of a matrix
                matrix, lengths = part
                width = matrix.shape[1]
                mask = np.arange(width)[None, :] < lengths[:, None]
                out[(cursor[:, None] + np.arange(width))[mask]] = matrix[mask]
                cursor += sizes
            else:  # table: each record copies one of a few encoded values
                table, lengths, codes = part
                width = table.shape[1]
                if width:
                    mask = np.arange(width)[None, :] < lengths[codes][:, None]
                    out[(cursor[:, None] + np.arange(width))[mask]] = table[codes][mask]
                cursor += sizes
        data = out.tobytes()
        return [data[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

    def _assemble_uniform(self, n: int, parts: list[tuple[str, Any, Any]]) -> list[bytes]:
        """Every part the same size in every record (no nulls, labels of one width): the records are the
        rows of one (n x size) matrix and each part fills a band of columns, with no per-byte index."""
        size = len(self._header) + sum(int(sizes) if np.ndim(sizes) == 0 else int(sizes[0]) for _, _, sizes in parts)
        out = np.empty((n, size), dtype=np.uint8)
        at = len(self._header)
        out[:, :at] = np.frombuffer(self._header, dtype=np.uint8)
        for kind, part, _ in parts:
            if kind == "const":
                out[:, at : at + len(part)] = np.frombuffer(part, dtype=np.uint8)
                at += len(part)
            elif kind == "double":
                tags, cells, present = part
                out[:, at] = tags
                at += 1
                if len(cells):  # all present (uniform): 8 bytes each; all missing: none
                    out[:, at : at + 8] = cells
                    at += 8
            elif kind == "rows":
                matrix, lengths = part
                width = int(lengths[0])
                out[:, at : at + width] = matrix[:, :width]
                at += width
            else:
                table, lengths, codes = part
                width = int(lengths[codes[0]])
                out[:, at : at + width] = table[codes, :width]
                at += width
        data = out.tobytes()
        return [data[a : a + size] for a in range(0, n * size, size)]


def _uniform(sizes: Any) -> bool:
    return np.ndim(sizes) == 0 or bool((sizes == sizes[0]).all())


def _nullable_kind(t: Any) -> str | None:
    if isinstance(t, list) and len(t) == 2 and "null" in t:
        other = t[1 - t.index("null")]
        if isinstance(other, str) and other in ("double", *_TABLE_KINDS):
            return other
    return None


def _field(name: str, key: str, t: Any, path: str = "") -> _Field:
    plain = t if t in ("long", "int") else None
    return _Field(f"{path}{name}", key, t, _nullable_kind(t), plain)


def _record_plan(f: _Field) -> tuple[bytes, list[_Field]] | None:
    """(the union branch bytes written before it, or none; its fields) of a record or nullable record field."""
    t, branch = f.schema, b""
    if isinstance(t, list) and len(t) == 2 and "null" in t:
        index = 1 - t.index("null")
        t, branch = t[index], bytes([2 * index])  # the branch index, a zig-zag varint of 0 or 1
    if not isinstance(t, dict) or t.get("type") != "record":
        return None
    return branch, [_field(sub["name"], sub["name"], sub["type"], f"{f.name}.") for sub in t["fields"]]


def _joined(parts: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    """Adjacent constant parts as one: fewer copies per record."""
    out: list[tuple[str, Any, Any]] = []
    for part in parts:
        if part[0] == "const" and out and out[-1][0] == "const":
            joined = out[-1][1] + part[1]
            out[-1] = ("const", joined, len(joined))
        else:
            out.append(part)
    return out


def zigzag_varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Avro's encoding of int64 ``values``: an (n x width) uint8 matrix, row i's first ``lengths[i]`` bytes.

    Zig-zag maps signed to unsigned (0, -1, 1, -2 -> 0, 1, 2, 3); then 7 bits per byte, low
    first, the high bit set on every byte but the last. Computed a byte position at a time
    for the whole column; ``width`` is the longest value's length (at most 10). A column of one
    value (a batch's partition) is that value's bytes, broadcast (a read-only view).
    """
    v = np.asarray(values, dtype=np.int64)
    n = len(v)
    z = ((v << 1) ^ (v >> 63)).view(np.uint64)
    if not n:
        return np.empty((0, 1), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    high, low = int(z.max()), int(z.min())
    width, narrow = max(1, -(-high.bit_length() // 7)), max(1, -(-low.bit_length() // 7))
    if high == low:
        one = bytes(((high >> (7 * k)) & 0x7F) | (0x80 if k < width - 1 else 0) for k in range(width))
        return np.broadcast_to(np.frombuffer(one, dtype=np.uint8), (n, width)), np.full(n, width, dtype=np.int64)
    matrix = np.empty((n, width), dtype=np.uint8)
    lengths = np.full(n, narrow, dtype=np.int64)
    for k in range(width):
        byte = (z >> np.uint64(7 * k)) & np.uint64(0x7F)
        if k < narrow - 1:  # every value has more bytes
            byte |= np.uint64(0x80)
        elif k < width - 1:  # some values end here
            more = (z >> np.uint64(7 * (k + 1))) != 0
            byte |= more.astype(np.uint64) << np.uint64(7)
            lengths += more
        matrix[:, k] = byte
    return matrix, lengths


def _put_same(out: np.ndarray, cursor: np.ndarray, data: bytes) -> None:
    """The same bytes at every cursor; the cursors move past them."""
    if data:
        out[cursor[:, None] + np.arange(len(data))] = np.frombuffer(data, dtype=np.uint8)
        cursor += len(data)
