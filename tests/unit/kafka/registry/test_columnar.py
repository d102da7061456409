"""Columnar Avro decoding against fastavro: the same values bit for bit, the same errors, on random data."""

from __future__ import annotations

import math
import re
import struct
from typing import Any

import fastavro
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange.batch import to_columns
from interchange.errors import RecordError
from interchange.kafka.registry.columnar import ColumnarDecoder, flat_fields
from interchange.kafka.registry.wire import AvroCodec, frame
from interchange.signature import InputField, Signature

KINDS = ("double", "float", "long", "int", "boolean", "string")
READER_ID, OTHER_ID = 7, 8
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(kind: str) -> st.SearchStrategy[Any]:
    if kind == "double":
        special = st.sampled_from([math.nan, -math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, 1.7976931348623157e308])
        payload_nan = st.integers(0, 2**51 - 1).map(lambda m: struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000000 | m))[0])
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), special, payload_nan)
    if kind == "float":
        return st.one_of(st.floats(width=32), st.sampled_from([math.nan, math.inf, -math.inf, -0.0]))
    if kind == "long":
        return st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, -1, 63, -64, 64, 2**63 - 1, -(2**63)]))
    if kind == "int":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "boolean":
        return st.booleans()
    return st.text(max_size=12)  # any code point but surrogates, empty strings included


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 6))
    fields = []
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        shape = draw(st.sampled_from(["plain", "null-first", "null-last"]))
        name = f"f{i}"
        if shape == "plain":
            fields.append({"name": name, "type": kind})
        elif shape == "null-first":
            fields.append({"name": name, "type": ["null", kind], "default": None})
        else:
            fields.append({"name": name, "type": [kind, "null"]})
    if draw(st.booleans()):  # an illegal column name carried as the original name
        fields[0]["x-interchange-name"] = "sepal length (cm)"
    return {"type": "record", "name": "Input", "namespace": "t", "fields": fields}


def _record(draw: st.DrawFn, schema: dict[str, Any], nulls: bool = True) -> dict[str, Any]:
    out = {}
    for f in schema["fields"]:
        t = f["type"]
        kind = t if isinstance(t, str) else next(b for b in t if b != "null")
        null = isinstance(t, list) and nulls and draw(st.integers(0, 3)) == 0
        out[f["name"]] = None if null else draw(_value(kind))
    return out


@st.composite
def batches(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    schema = draw(schemas())
    return schema, [_record(draw, schema) for _ in range(draw(st.integers(0, 25)))]


def codec_for(schema: dict[str, Any], others: dict[int, dict[str, Any]] | None = None) -> AvroCodec:
    known = {READER_ID: schema, **(others or {})}

    def lookup(schema_id: int) -> dict[str, Any]:
        if schema_id not in known:
            from interchange.errors import RegistryError

            raise RegistryError(f"no schema {schema_id}", status=404)
        return known[schema_id]

    return AvroCodec(schema, READER_ID, lookup)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types; floats bit for bit (NaN payloads and -0.0 included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def expected(codec: AvroCodec, values: list[bytes | None]) -> list[dict[str, Any] | str]:
    """fastavro's record, or the RecordError message, for each value."""
    out: list[dict[str, Any] | str] = []
    for v in values:
        try:
            out.append(codec.decode(v))
        except RecordError as exc:
            out.append(_message(exc))
    return out


def _message(exc: RecordError) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x?", exc.message)  # fastavro names its buffer object


def check(codec: AvroCodec, values: list[bytes | None]) -> Any:
    want = expected(codec, values)
    decoded = ColumnarDecoder(codec).decode(values)
    records = iter(decoded.to_records())
    rows = set(decoded.rows.tolist())
    for i, w in enumerate(want):
        if isinstance(w, str):
            assert i not in rows and _message(decoded.errors[i]) == w
        else:
            assert i in rows and i not in decoded.errors
            got = next(records)
            assert same(got, w), (i, got, w)
    return decoded


@SETTINGS
@given(batches())
def test_columns_equal_fastavro_bit_for_bit(batch: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    schema, records = batch
    codec = codec_for(schema)
    plain = AvroCodec(schema, READER_ID, codec_for(schema)._lookup, original_names=False)
    values = [plain.encode(r) for r in records]
    decoded = check(codec, values)
    assert decoded.columnar == len(records)  # every record was read the vectorised way


@SETTINGS
@given(batches(), st.data())
def test_corrupted_payloads_fail_or_fall_back_like_fastavro(batch: tuple[dict[str, Any], list[dict[str, Any]]], data) -> None:
    schema, records = batch
    codec = codec_for(schema)
    plain = AvroCodec(schema, READER_ID, codec._lookup, original_names=False)
    values: list[bytes | None] = []
    for r in records:
        v = bytearray(plain.encode(r))
        how = data.draw(st.sampled_from(["truncate", "append", "flip", "union", "keep"]))
        if how == "truncate" and len(v) > 0:
            v = v[: data.draw(st.integers(0, len(v) - 1))]
        elif how == "append":
            v += data.draw(st.binary(min_size=1, max_size=4))
        elif how in ("flip", "union") and len(v) > 5:
            at = data.draw(st.integers(5, len(v) - 1))
            v[at] = data.draw(st.sampled_from([0x01, 0x03, 0x04, 0x7F, 0x80, 0xFF])) if how == "union" else v[at] ^ 0xFF
        values.append(bytes(v))
    values += [None, b"", b"\x01\x00\x00\x00\x07abc", frame(99, b"")]  # no value, too short, bad magic, unknown id
    check(codec, values)


@pytest.mark.parametrize("promote", [False, True])
def test_other_writer_schemas_fall_back_in_order(promote: bool) -> None:
    reader = {
        "type": "record",
        "name": "Input",
        "fields": [
            {"name": "a", "type": ["null", "double"], "default": None},
            {"name": "b", "type": ["null", "long"], "default": None},
            {"name": "c", "type": ["null", "string"], "default": None},
        ],
    }
    writer = {  # an older version: fields in another order, b missing, a written as long (promoted)
        "type": "record",
        "name": "Input",
        "fields": [
            {"name": "c", "type": ["null", "string"], "default": None},
            {"name": "a", "type": ["null", "long" if promote else "double"], "default": None},
        ],
    }
    codec = codec_for(reader, {OTHER_ID: writer})
    old = AvroCodec(writer, OTHER_ID, codec._lookup)
    values = []
    for i in range(40):
        if i % 3 == 0:
            values.append(old.encode({"c": f"é{i}", "a": i if promote else float(i)}))
        else:
            values.append(codec.encode({"a": i / 7 if i % 5 else None, "b": -(2**62) + i, "c": "" if i % 4 else None}))
    decoded = check(codec, values)
    assert decoded.columnar == sum(1 for i in range(40) if i % 3)


@SETTINGS
@given(batches())
def test_model_columns_equal_typed_records(batch: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    """The columns handed to a model are what to_columns makes of fastavro's records."""
    schema, records = batch
    codec = codec_for(schema)
    values = [AvroCodec(schema, READER_ID, codec._lookup, original_names=False).encode(r) for r in records]
    types = {"double": "double", "float": "double", "long": "integer", "int": "integer", "boolean": "boolean", "string": "string"}
    plans = flat_fields(codec.schema, codec.names)
    assert plans is not None
    signature = Signature(tuple(InputField(p.key, types[p.kind]) for p in plans), ())
    decoded = ColumnarDecoder(codec).decode(values)
    got = to_columns(decoded.model_batch(), signature)
    want = to_columns([codec.decode(v) for v in values], signature)
    for name, col in want.items():
        assert got[name].dtype == col.dtype, name
        if col.dtype == np.float64:
            assert got[name].tobytes() == col.tobytes() or np.array_equal(got[name], col, equal_nan=True), name
            both = ~np.isnan(col)
            assert got[name][both].tobytes() == col[both].tobytes()
        else:
            assert all(same(a, b) for a, b in zip(got[name].tolist(), col.tolist(), strict=True)), name


def test_schemas_that_are_not_flat_decode_record_by_record() -> None:
    schema = {
        "type": "record",
        "name": "Input",
        "fields": [{"name": "v", "type": {"type": "array", "items": "double"}}, {"name": "x", "type": "double"}],
    }
    codec = codec_for(schema)
    assert flat_fields(codec.schema) is None
    values = [codec.encode({"v": [1.0, 2.0], "x": 3.0}), b"\x00\x00\x00\x00\x07\x02"]
    decoded = ColumnarDecoder(codec).decode(values)
    assert decoded.records == [{"v": [1.0, 2.0], "x": 3.0}] and decoded.rows.tolist() == [0] and 1 in decoded.errors
    assert flat_fields(fastavro.parse_schema({**schema, "fields": [{"name": "t", "type": ["null", "double", "string"]}]})) is None


def test_caller_errors_are_kept() -> None:
    schema = {"type": "record", "name": "Input", "fields": [{"name": "x", "type": "double"}]}
    codec = codec_for(schema)
    values = [codec.encode({"x": 1.0}), codec.encode({"x": 2.0})]
    decoded = ColumnarDecoder(codec).decode(values, {0: RecordError("too big")})
    assert decoded.rows.tolist() == [1] and decoded.errors[0].message == "too big"
    assert decoded.to_records() == [{"x": 2.0}]


FIXED = ("double", "float", "boolean")


@st.composite
def fixed_batches(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Fixed-width fields only (the one-matrix path), no nulls: every record the same length."""
    fields = []
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(FIXED))
        shape = draw(st.sampled_from(["plain", "null-first", "null-last"]))
        t = kind if shape == "plain" else ["null", kind] if shape == "null-first" else [kind, "null"]
        fields.append({"name": f"f{i}", "type": t})
    schema = {"type": "record", "name": "Input", "namespace": "t", "fields": fields}
    return schema, [_record(draw, schema, nulls=False) for _ in range(draw(st.integers(1, 25)))]


@SETTINGS
@given(fixed_batches())
def test_fixed_width_batches_are_one_matrix_and_equal_fastavro(batch: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    schema, records = batch
    codec = codec_for(schema)
    plain = AvroCodec(schema, READER_ID, codec._lookup, original_names=False)
    values = [plain.encode(r) for r in records]

    def no_walk(*args: Any) -> Any:
        raise AssertionError("a fixed-width batch without nulls went the general way")

    original = ColumnarDecoder._walk
    ColumnarDecoder._walk = no_walk  # type: ignore[method-assign]
    try:
        decoded = check(codec, values)
    finally:
        ColumnarDecoder._walk = original  # type: ignore[method-assign]
    assert decoded.columnar == len(records)


@SETTINGS
@given(fixed_batches(), st.data())
def test_fixed_width_batches_with_odd_records_go_the_general_way(batch: tuple[dict[str, Any], list[Any]], data) -> None:
    """Same-length records with a null, a foreign union byte, a flipped byte or another schema id: the same
    values and errors as fastavro (the matrix path must refuse the batch, never misread it)."""
    schema, records = batch
    codec = codec_for(schema)
    plain = AvroCodec(schema, READER_ID, codec._lookup, original_names=False)
    values = []
    for r in records:
        v = bytearray(plain.encode(r))
        how = data.draw(st.sampled_from(["keep", "keep", "flip", "union", "id", "null"]))
        if how == "flip":
            at = data.draw(st.integers(0, len(v) - 1))
            v[at] ^= data.draw(st.sampled_from([0x01, 0x02, 0x80, 0xFF]))
        elif how == "union" and len(v) > 5:
            v[5] = data.draw(st.sampled_from([0x01, 0x02, 0x03, 0x04]))
        elif how == "id":
            v[1:5] = OTHER_ID.to_bytes(4, "big")
        elif how == "null":
            nullable = [f["name"] for f in schema["fields"] if isinstance(f["type"], list)]
            if nullable:
                v = bytearray(plain.encode({**r, data.draw(st.sampled_from(nullable)): None}))
        values.append(bytes(v))
    check(codec, values)
