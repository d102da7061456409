"""Columnar prediction encoding: the same bytes as fastavro record by record, on random outputs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange.batch import typed_outputs
from interchange.kafka.registry.colencode import ColumnarEncoder, zigzag_varints
from interchange.kafka.registry.wire import AvroCodec
from interchange.kafka.scorer.batch.columns import output_rows
from interchange.signature import OutputField, Signature

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REF = {"name": "iris", "version": 3, "format": "pmml", "sha256": "ab" * 32, "role": "canary"}
OFFSETS = st.integers(0, 2**63 - 1)
DOUBLES = st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324]))


def source_for(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """A ``source`` lineage value: one topic, partitions and offsets per row (any width of varint)."""
    partitions = np.array(draw(st.lists(st.integers(0, 2**31 - 1), min_size=n, max_size=n)), dtype=np.int64)
    offsets = np.array(draw(st.lists(OFFSETS, min_size=n, max_size=n)), dtype=np.int64)
    return {"topic": draw(st.sampled_from(["iris-features", "t", "é" * 40])), "partition": partitions, "offset": offsets}


@st.composite
def outputs(draw: st.DrawFn) -> tuple[Signature, dict[str, np.ndarray], int, dict[str, Any]]:
    n = draw(st.integers(0, 30))
    fields, columns = [], {}
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["double", "integer", "string", "boolean"]))
        name = draw(st.sampled_from([f"out{i}", f"probability({i})", f"p {i}"]))
        if name in columns:
            continue
        if kind == "double":
            col: Any = np.array(draw(st.lists(DOUBLES, min_size=n, max_size=n)), dtype=np.float64)
        elif kind == "integer":
            ints = st.integers(-(2**63), 2**63 - 1)
            if draw(st.booleans()):
                col = np.array(draw(st.lists(ints, min_size=n, max_size=n)), dtype=np.int64)
            else:
                exact = st.integers(-(2**53), 2**53)  # labels typed through float (batch.typed_outputs)
                col = np.array(draw(st.lists(st.one_of(st.none(), exact), min_size=n, max_size=n)) + [None], dtype=object)[:n]
        elif kind == "string":
            col = np.array(
                draw(
                    st.lists(
                        st.one_of(st.none(), st.sampled_from(["", "setosa", "é", "a b"]), st.text(max_size=5)),
                        min_size=n,
                        max_size=n,
                    )
                )
                + [None],
                dtype=object,
            )[:n]
        else:
            col = np.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)) + [None], dtype=object)[:n]
        fields.append(OutputField(name, "value" if kind == "double" else "label", kind))
        columns[name] = col
    signature = Signature((), tuple(fields))
    return signature, typed_outputs(columns, signature.outputs), n, source_for(draw, n)


def codec_for(signature: Signature) -> AvroCodec:
    schema = signature.output_schema("m")
    return AvroCodec(schema, 11, lambda i: schema)


@SETTINGS
@given(outputs())
def test_encoded_bytes_equal_fastavro_record_by_record(case: tuple[Signature, dict[str, np.ndarray], int, Any]) -> None:
    signature, columns, n, source = case
    codec = codec_for(signature)
    want = [codec.encode(row) for row in output_rows(columns, signature, REF, source)]
    got = ColumnarEncoder(codec).encode({**columns, "source": source}, n, {"model": REF})
    assert got is not None
    assert got == want
    for i, (value, row) in enumerate(zip(got, output_rows(columns, signature, REF, source), strict=True)):
        back = codec.decode(value)  # they read back by original names, with their lineage
        assert set(back) == set(row)
        assert back["model"] == REF
        want_source = {"topic": source["topic"], "partition": int(source["partition"][i]), "offset": int(source["offset"][i])}
        assert back["source"] == want_source


def test_columns_it_does_not_handle_go_record_by_record() -> None:
    signature = Signature((), (OutputField("label", "label", "string"), OutputField("p", "value", "double")))
    encoder = ColumnarEncoder(codec_for(signature))
    mixed = np.array([1, True, "a"], dtype=object)  # 1 and True hash alike: never merged
    assert encoder.encode({"label": mixed, "p": np.zeros(3)}, 3, {"model": REF}) is None
    assert (
        encoder.encode({"label": np.array(["a"] * 3, dtype=object), "p": np.zeros(3, dtype=np.float32)}, 3, {"model": REF})
        is None
    )
    assert encoder.encode({"label": np.array(["a"] * 3, dtype=object)}, 3, {"model": REF}) is None  # a field with no column
    assert encoder.encode({"label": np.array(["a"] * 3, dtype=object), "p": np.zeros(3)}, 3, {"model": REF}) is None  # no source
    src = {"topic": "t", "partition": np.zeros(3, dtype=np.int64), "offset": np.arange(3)}
    assert (
        encoder.encode({"label": np.array(["a"] * 3, dtype=object), "p": np.zeros(3), "source": src}, 3, {"model": REF})
        is not None
    )
    doubles = {**src, "offset": np.arange(3.0)}  # a nested column must be integers
    assert (
        encoder.encode({"label": np.array(["a"] * 3, dtype=object), "p": np.zeros(3), "source": doubles}, 3, {"model": REF})
        is None
    )
    vector = Signature((), (OutputField("v", "value", "array"),))
    assert ColumnarEncoder(codec_for(vector)).encode({"v": np.empty(1, dtype=object)}, 1, {"model": REF}) is None


@st.composite
def uniform_outputs(draw: st.DrawFn) -> tuple[Signature, dict[str, np.ndarray], int, dict[str, Any]]:
    """Outputs whose every record encodes to the same size (no missing value, labels of one width)."""
    n = draw(st.integers(1, 30))
    fields, columns = [], {}
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["double", "integer", "string", "boolean"]))
        if kind == "double":
            finite = st.floats(allow_nan=False)
            col: Any = np.array(draw(st.lists(finite, min_size=n, max_size=n)), dtype=np.float64)
        elif kind == "integer":
            col = np.array(draw(st.lists(st.integers(-64, 63), min_size=n, max_size=n)), dtype=np.int64)  # one-byte varints
        elif kind == "string":
            col = np.array(draw(st.lists(st.sampled_from(["cat", "dog", "owl"]), min_size=n, max_size=n)), dtype=object)
        else:
            col = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=object)
        fields.append(OutputField(f"out{i}", "value" if kind == "double" else "label", kind))
        columns[f"out{i}"] = col
    signature = Signature((), tuple(fields))
    first = draw(st.integers(0, 2**40))  # offsets of one varint width, as a batch's mostly are
    width = len(bytes(zigzag_varints(np.array([first]))[0][0]))
    top = min(2 ** (7 * width - 1) - 1, 2**63 - 1)
    low = 0 if width == 1 else 2 ** (7 * (width - 1) - 1)
    offsets = np.array(draw(st.lists(st.integers(low, top), min_size=n, max_size=n)), dtype=np.int64)
    source = {"topic": "features", "partition": np.full(n, draw(st.integers(0, 63)), dtype=np.int64), "offset": offsets}
    return signature, typed_outputs(columns, signature.outputs), n, source


@SETTINGS
@given(uniform_outputs())
def test_same_size_records_are_one_matrix_with_fastavro_bytes(case: tuple[Signature, dict[str, np.ndarray], int, Any]) -> None:
    signature, columns, n, source = case
    codec = codec_for(signature)
    want = [codec.encode(row) for row in output_rows(columns, signature, REF, source)]
    encoder = ColumnarEncoder(codec)
    used = []
    uniform = encoder._assemble_uniform
    encoder._assemble_uniform = lambda *args: used.append(1) or uniform(*args)  # type: ignore[method-assign]
    assert encoder.encode({**columns, "source": source}, n, {"model": REF}) == want
    assert used  # the matrix path wrote them


def _fastavro_long(value: int) -> bytes:
    codec = AvroCodec({"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}]}, 1, lambda i: None)
    return codec.encode({"v": value})[5:]


@SETTINGS
@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40))
def test_zigzag_varints_are_avro_longs_bit_for_bit(values: list[int]) -> None:
    matrix, lengths = zigzag_varints(np.array(values, dtype=np.int64))
    got = [bytes(row[:length]) for row, length in zip(matrix, lengths.tolist(), strict=True)]
    assert got == [_fastavro_long(v) for v in values]


def test_zigzag_varints_at_the_width_edges() -> None:
    edges = [0, -1, 1, 63, -64, 64, -65, 2**31 - 1, -(2**31), 2**62, -(2**62) - 1, 2**63 - 1, -(2**63)]
    for k in range(1, 10):
        edges += [2 ** (7 * k - 1) - 1, 2 ** (7 * k - 1), -(2 ** (7 * k - 1)), -(2 ** (7 * k - 1)) - 1]
    matrix, lengths = zigzag_varints(np.array(edges, dtype=np.int64))
    assert [bytes(r[:n]) for r, n in zip(matrix, lengths.tolist(), strict=True)] == [_fastavro_long(v) for v in edges]
    assert matrix.shape[1] == 10


def test_output_schema_without_lineage_fields_ignores_them() -> None:
    """A version published before the lineage fields: its records are what that schema holds, either path."""
    signature = Signature((), (OutputField("p", "value", "double"),))
    schema = signature.output_schema("m")
    schema["fields"] = schema["fields"][:-1]  # no source
    model = schema["fields"][-1]["type"]
    model["fields"] = model["fields"][:3]  # name, version, format
    codec = AvroCodec(schema, 11, lambda i: schema)
    columns = {"p": np.array([0.5, 1.5])}
    src = {"topic": "t", "partition": np.zeros(2, dtype=np.int64), "offset": np.array([7, 8])}
    got = ColumnarEncoder(codec).encode({**columns, "source": src}, 2, {"model": REF})
    assert got == [codec.encode(row) for row in output_rows(columns, signature, REF, src)]
    assert codec.decode(got[0]) == {"p": 0.5, "model": {"name": "iris", "version": 3, "format": "pmml"}}
