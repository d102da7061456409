"""Columnar prediction encoding: the same bytes as fastavro record by record, on random outputs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange.batch import typed_outputs
from interchange.kafka.registry.colencode import ColumnarEncoder
from interchange.kafka.registry.wire import AvroCodec
from interchange.kafka.scorer.columns import output_rows
from interchange.signature import OutputField, Signature

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REF = {"name": "iris", "version": 3, "format": "pmml"}
DOUBLES = st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324]))


@st.composite
def outputs(draw: st.DrawFn) -> tuple[Signature, dict[str, np.ndarray], int]:
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
    return signature, typed_outputs(columns, signature.outputs), n


def codec_for(signature: Signature) -> AvroCodec:
    schema = signature.output_schema("m")
    return AvroCodec(schema, 11, lambda i: schema)


@SETTINGS
@given(outputs())
def test_encoded_bytes_equal_fastavro_record_by_record(case: tuple[Signature, dict[str, np.ndarray], int]) -> None:
    signature, columns, n = case
    codec = codec_for(signature)
    want = [codec.encode(row) for row in output_rows(columns, signature, REF)]
    got = ColumnarEncoder(codec).encode(columns, n, {"model": REF})
    assert got is not None
    assert got == want
    for value, row in zip(got, output_rows(columns, signature, REF), strict=True):  # and they read back by original names
        back = codec.decode(value)
        assert set(back) == set(row)


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
    assert encoder.encode({"label": np.array(["a"] * 3, dtype=object), "p": np.zeros(3)}, 3, {"model": REF}) is not None
    vector = Signature((), (OutputField("v", "value", "array"),))
    assert ColumnarEncoder(codec_for(vector)).encode({"v": np.empty(1, dtype=object)}, 1, {"model": REF}) is None


@st.composite
def uniform_outputs(draw: st.DrawFn) -> tuple[Signature, dict[str, np.ndarray], int]:
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
    return signature, typed_outputs(columns, signature.outputs), n


@SETTINGS
@given(uniform_outputs())
def test_same_size_records_are_one_matrix_with_fastavro_bytes(case: tuple[Signature, dict[str, np.ndarray], int]) -> None:
    signature, columns, n = case
    codec = codec_for(signature)
    want = [codec.encode(row) for row in output_rows(columns, signature, REF)]
    encoder = ColumnarEncoder(codec)
    used = []
    uniform = encoder._assemble_uniform
    encoder._assemble_uniform = lambda *args: used.append(1) or uniform(*args)  # type: ignore[method-assign]
    assert encoder.encode(columns, n, {"model": REF}) == want
    assert used  # the matrix path wrote them
