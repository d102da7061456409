"""Columnar Avro decoding: a whole batch of Confluent-framed flat records into numpy columns.

Per-record fastavro decoding plus building a dict per event bounds a Kafka scorer near a
third of what the broker moves (FACTS.md). For a flat reader schema (fields of double, float,
long, int, boolean or string, each optionally in a two-branch union with null) the payloads
written with the reader's own schema id are parsed together instead: the batch is joined into
one buffer and every field is read for all records at once with numpy, one vector of read
positions walking the records side by side (fixed-width doubles by a gather, zigzag varints
with masks, union branches by their one-byte index).

It is strict and never guesses: a record must start with the reader's schema id, every union
index must be a known one-byte branch, varints must end within ten bytes, strings must be
UTF-8, and the record must end exactly where its bytes end. Any record that falls short of
that (another writer schema, a truncated payload, trailing bytes, an odd encoding) is decoded
by :class:`~interchange.kafka.registry.wire.AvroCodec` as before, so its value, or the RecordError
naming what is wrong with it, is fastavro's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import RecordError
from interchange.kafka.registry.wire import AvroCodec, frame

__all__ = ["Column", "Decoded", "FieldPlan", "ColumnarDecoder", "flat_fields"]

_PAD = 16  # bytes after the joined buffer, so a gather past a record's end stays in bounds
_AR = {w: np.arange(w, dtype=np.int64) for w in (4, 8, 10)}
_SHIFTS = (7 * np.arange(10, dtype=np.uint64)).astype(np.uint64)
_KINDS = ("double", "float", "long", "int", "boolean", "string")


@dataclass(frozen=True)
class FieldPlan:
    """One field of a flat record: its Avro name, the caller's name, type and union bytes."""

    name: str
    key: str
    kind: str
    null_tag: int | None = None  # the union index byte of the null branch; None: not a union
    value_tag: int | None = None  # ... and of the value branch


@dataclass
class Column:
    """One decoded field: values (float64, int64, bool or object str) and where it is null."""

    values: np.ndarray
    nulls: np.ndarray | None  # None when the field is not nullable


def _kind(t: Any) -> str | None:
    if isinstance(t, str):
        return t if t in _KINDS else None
    if isinstance(t, dict) and set(t) <= {"type"} and t.get("type") in _KINDS:  # no logicalType and the like
        return t["type"]
    return None


def flat_fields(schema: Any, names: Mapping[str, str] | None = None) -> list[FieldPlan] | None:
    """The field plans of a flat record schema (parsed by fastavro), or None when it is not flat."""
    if not isinstance(schema, dict) or schema.get("type") != "record":
        return None
    names = names or {}
    plans = []
    for f in schema.get("fields", ()):
        t = f.get("type")
        key = names.get(f["name"], f["name"])
        if isinstance(t, list):
            if len(t) != 2 or "null" not in t:
                return None
            i = t.index("null")
            kind = _kind(t[1 - i])
            if kind is None:
                return None
            plans.append(FieldPlan(f["name"], key, kind, null_tag=2 * i, value_tag=2 * (1 - i)))
        else:
            kind = _kind(t)
            if kind is None:
                return None
            plans.append(FieldPlan(f["name"], key, kind))
    return plans


@dataclass
class Decoded:
    """A decoded batch: which inputs decoded (``rows``, in order), their values, and why the others did not.

    ``columns`` when the reader schema is flat, else ``records`` (fastavro's dicts).
    ``columnar`` counts the records read the vectorised way (the rest went through fastavro).
    """

    rows: np.ndarray
    errors: dict[int, RecordError]
    columns: dict[str, Column] | None = None
    records: list[dict[str, Any]] | None = None
    columnar: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    def model_batch(self) -> dict[str, np.ndarray] | list[dict[str, Any]]:
        """What a model's ``score`` takes: typed columns (float64 with NaN for missing numbers and
        booleans, object arrays with None for text), or the records when the schema is not flat."""
        if self.columns is None:
            return self.records or []
        out: dict[str, np.ndarray] = {}
        seen: dict[int, bool] = {}  # null masks are often one array shared by every column (a batch without nulls)
        for key, col in self.columns.items():
            values, nulls = col.values, col.nulls
            has_nulls = False
            if nulls is not None:  # id() is safe here: every mask stays alive in self.columns
                known = seen.get(id(nulls))
                has_nulls = known if known is not None else seen.setdefault(id(nulls), bool(nulls.any()))
            if values.dtype == object or (values.dtype in (np.bool_, np.float64) and not has_nulls):
                out[key] = values
            else:
                v = values.astype(np.float64)  # a copy for doubles too: NaN goes where the nulls are
                if has_nulls:
                    v[nulls] = np.nan
                out[key] = v
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """Per-record dicts of plain values, as fastavro decodes them (for tests and fallbacks)."""
        if self.columns is None:
            return list(self.records or [])
        keys = list(self.columns)
        cols = []
        for key in keys:
            col = self.columns[key]
            values = col.values.tolist()
            if col.nulls is not None:
                values = [None if null else v for v, null in zip(values, col.nulls.tolist(), strict=True)]
            cols.append(values)
        return [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)] if keys else [{} for _ in self.rows]


class ColumnarDecoder:
    """Decode batches for one :class:`AvroCodec` (its reader schema, id and name mapping).

    Example::

        decoded = ColumnarDecoder(codec).decode([msg.value() for msg in messages])
        model.score(decoded.model_batch())
    """

    def __init__(self, codec: AvroCodec) -> None:
        self.codec = codec
        self.fields = flat_fields(codec.schema, codec.names)
        self._header = np.frombuffer(frame(codec.schema_id, b""), dtype=np.uint8)
        self._fixed = _FixedLayout.of(self.fields, self._header) if self.fields is not None else None

    @property
    def flat(self) -> bool:
        return self.fields is not None

    def decode(self, values: Sequence[bytes | None], errors: Mapping[int, RecordError] | None = None) -> Decoded:
        """Decode every value not already in ``errors`` (an index -> why map the caller filled, e.g. oversized events)."""
        errors = dict(errors or {})
        if self.fields is None:
            return self._records(values, errors)
        n = len(values)
        if errors or None in values:
            data = [b"" if v is None or i in errors else v for i, v in enumerate(values)]
        else:
            data = list(values)  # type: ignore[arg-type]  # no None: checked above
        joined = b"".join(data)
        lens = np.fromiter(map(len, data), dtype=np.int64, count=n)
        if self._fixed is not None and not errors and n and len(joined) == n * self._fixed.size and bool((lens == lens[0]).all()):
            columns = self._fixed.read(joined, n)
            if columns is not None:
                return Decoded(np.arange(n), errors, columns=columns, columnar=n)
        ends = np.cumsum(lens)
        starts = ends - lens
        buf = np.frombuffer(joined + bytes(_PAD), dtype=np.uint8)
        valid, raw, spans = self._walk(buf, starts, ends)
        if errors:
            valid[list(errors)] = False
        columns = {f.key: Column(raw[f.key][0], raw[f.key][1]) for f in self.fields}
        for f, (start, length, nonnull) in spans.items():  # text: one Python decode per value
            columns[f].values = self._strings(joined, start, length, nonnull, valid)
        columnar = int(valid.sum())
        decoded = valid.copy()
        for i in np.flatnonzero(~valid).tolist():  # the rest the way they always went
            if i in errors:
                continue
            try:
                self._put(columns, i, self.codec.decode(values[i]))
            except RecordError as exc:
                errors[i] = exc
                continue
            decoded[i] = True
        rows = np.flatnonzero(decoded)
        if columnar < n:
            for col in columns.values():
                col.values = col.values[rows]
                col.nulls = None if col.nulls is None else col.nulls[rows]
        return Decoded(rows, errors, columns=columns, columnar=columnar)

    def _records(self, values: Sequence[bytes | None], errors: dict[int, RecordError]) -> Decoded:
        records, rows = [], []
        for i, v in enumerate(values):
            if i in errors:
                continue
            try:
                records.append(self.codec.decode(v))
                rows.append(i)
            except RecordError as exc:
                errors[i] = exc
        return Decoded(np.asarray(rows, dtype=np.int64), errors, records=records)

    def _walk(
        self, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray | None]], dict[str, tuple[np.ndarray, np.ndarray, Any]]]:
        """Read every field of every record at once; ``valid`` marks the records read exactly."""
        assert self.fields is not None
        n = len(starts)
        header = self._header
        valid = ends - starts >= len(header)
        for k, b in enumerate(header.tolist()):
            valid &= buf[starts + k] == b
        pos = np.minimum(starts + len(header), ends)
        raw: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        spans: dict[str, tuple[np.ndarray, np.ndarray, Any]] = {}
        for f in self.fields:
            nonnull: np.ndarray | None = None
            if f.null_tag is not None:
                tag = buf[pos]
                nonnull = tag == f.value_tag
                valid &= nonnull | (tag == f.null_tag)
                pos = pos + 1
            if f.kind in ("double", "float"):
                width = 8 if f.kind == "double" else 4
                cells = buf[pos[:, None] + _AR[width]]
                with np.errstate(invalid="ignore"):  # a signalling NaN float becomes a quiet double, as in fastavro
                    values = cells.view("<f8" if width == 8 else "<f4").reshape(n).astype(np.float64)
                step: Any = width
            elif f.kind in ("long", "int"):
                values, step, ok = _varints(buf, pos)
                valid &= ok if nonnull is None else ok | ~nonnull
            elif f.kind == "boolean":
                byte = buf[pos]
                valid &= byte <= 1 if nonnull is None else (byte <= 1) | ~nonnull
                values, step = byte == 1, 1
            else:  # string: a varint length, then UTF-8 bytes
                length, size, ok = _varints(buf, pos)
                ok &= length >= 0
                valid &= ok if nonnull is None else ok | ~nonnull
                length = np.clip(length, 0, ends - pos)  # a wild length must not overflow the positions
                spans[f.key] = (pos + size, length, nonnull)
                values, step = np.empty(n, dtype=object), size + length
            pos = pos + (step if nonnull is None else np.where(nonnull, step, 0))
            over = pos > ends
            valid &= ~over
            pos = np.minimum(pos, ends)
            raw[f.key] = (values, None if nonnull is None else ~nonnull)
        valid &= pos == ends
        return valid, raw, spans

    @staticmethod
    def _strings(joined: bytes, start: np.ndarray, length: np.ndarray, nonnull: Any, valid: np.ndarray) -> np.ndarray:
        out = np.full(len(start), None, dtype=object)
        take = valid if nonnull is None else valid & nonnull
        for i, a, m in zip(np.flatnonzero(take).tolist(), start[take].tolist(), length[take].tolist(), strict=True):
            try:
                out[i] = joined[a : a + m].decode("utf-8")
            except UnicodeDecodeError:
                valid[i] = False  # fastavro says what is wrong with it
        return out

    def _put(self, columns: dict[str, Column], i: int, record: Mapping[str, Any]) -> None:
        """One fastavro-decoded record into row ``i`` of the columns."""
        for key, col in columns.items():
            v = record.get(key)
            if v is None:
                if col.nulls is None:  # fastavro never gives None for a non-nullable field; be sure
                    raise RecordError(f"field {key!r} is null in a schema that does not allow it", field=key)
                col.nulls[i] = True
                continue
            if col.nulls is not None:
                col.nulls[i] = False
            col.values[i] = v


@dataclass
class _Run:
    """Consecutive fields of one fixed-width kind, all in a union or none: evenly spaced in every record."""

    kind: str
    keys: list[str]
    pos: int  # the first field's value bytes
    stride: int  # bytes from one field's value to the next
    tags: np.ndarray | None  # each field's value-branch union byte (just before its value), or None


class _FixedLayout:
    """Records whose every field has a fixed width (double, float, boolean) with no null in the batch:
    all of them are the same length and each field sits at the same place in each, so the batch is one
    (records x bytes) matrix and a run of like fields is one strided block of it, copied out in one step.
    Any record that does not fit (another length, a null, an unknown union byte, a boolean byte over 1)
    sends the batch the general way."""

    WIDTHS = {"double": 8, "float": 4, "boolean": 1}
    DTYPES: dict[str, np.dtype[Any]] = {"double": np.dtype("<f8"), "float": np.dtype("<f4"), "boolean": np.dtype(np.uint8)}

    def __init__(self, fields: list[FieldPlan], header: np.ndarray) -> None:
        self.header = header
        self.runs: list[_Run] = []
        tags: list[list[int]] = []
        pos = len(header)
        for f in fields:
            tagged = f.value_tag is not None
            pos += tagged
            last = self.runs[-1] if self.runs else None
            step = self.WIDTHS[f.kind] + tagged
            if (
                last is not None
                and last.kind == f.kind
                and (last.tags is not None) == tagged
                and last.pos + len(last.keys) * step == pos
            ):
                last.keys.append(f.key)
                last.stride = step
            else:
                self.runs.append(_Run(f.kind, [f.key], pos, step, np.empty(0, dtype=np.uint8) if tagged else None))
                tags.append([])
            if f.value_tag is not None:
                tags[-1].append(f.value_tag)
            pos += self.WIDTHS[f.kind]
        for run, values in zip(self.runs, tags, strict=True):
            if run.tags is not None:
                run.tags = np.array(values, dtype=np.uint8)[:, None]
        self.size = pos
        self.keys = [f.key for f in fields]
        self.nullable = {f.key for f in fields if f.value_tag is not None}

    @classmethod
    def of(cls, fields: list[FieldPlan], header: np.ndarray) -> _FixedLayout | None:
        return cls(fields, header) if all(f.kind in cls.WIDTHS for f in fields) else None

    def read(self, joined: bytes, n: int) -> dict[str, Column] | None:
        """The columns of ``n`` records of ``size`` bytes each; None when a record is not laid out as expected."""
        records = np.frombuffer(joined, dtype=np.uint8).reshape(n, self.size)
        if not (records[:, : len(self.header)] == self.header).all():
            return None
        values: dict[str, np.ndarray] = {}
        for run in self.runs:
            k = len(run.keys)
            if run.tags is not None:
                tags = np.ndarray((k, n), dtype=np.uint8, buffer=joined, offset=run.pos - 1, strides=(run.stride, self.size))
                if not (tags == run.tags).all():
                    return None
            block = np.ndarray(
                (n, k), dtype=self.DTYPES[run.kind], buffer=joined, offset=run.pos, strides=(self.size, run.stride)
            )
            if run.kind == "boolean":
                if (block > 1).any():
                    return None
                copied = block == 1
            else:
                with np.errstate(invalid="ignore"):  # a signalling NaN float becomes a quiet double, as in fastavro
                    copied = block.astype(np.float64, order="C")
            # the columns of one C-contiguous (records x fields) array: a model taking a matrix of these
            # fields (ONNX) is fed that array itself, with no copy
            values.update((key, copied[:, j]) for j, key in enumerate(run.keys))
        no_nulls = np.zeros(n, dtype=bool)
        no_nulls.flags.writeable = False
        return {key: Column(values[key], no_nulls if key in self.nullable else None) for key in self.keys}


def _varints(buf: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zigzag varints at ``pos``: (int64 values, byte counts, ok). Not ok: no end within ten bytes,
    or a tenth byte with bits past 64 (left to fastavro, which says what it makes of them)."""
    cells = buf[pos[:, None] + _AR[10]]
    last = cells < 0x80
    ends = last.any(axis=1)
    size = last.argmax(axis=1) + 1
    ok = ends & ~((size == 10) & (cells[:, 9] > 1))
    if bool((size == 1).all()):  # the common case: small numbers and short strings
        n = cells[:, 0].astype(np.uint64)
    else:
        bits = (cells & 0x7F).astype(np.uint64) << _SHIFTS
        bits[_AR[10][None, :] >= size[:, None]] = 0
        n = np.bitwise_or.reduce(bits, axis=1)
    values = (n >> np.uint64(1)).astype(np.int64) ^ -(n & np.uint64(1)).astype(np.int64)
    return values, size, ok
