"""The sink's commit protocol and Avro → Arrow mapping, without Kafka."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import fastavro
import pandas as pd
import pyarrow as pa
import pytest

from interchange.errors import ConfigError, SchemaError
from interchange.kafka.sink.arrow import RowLayout
from interchange.kafka.sink.files import Run, commit_file, file_meta, lock_topic, remove_temporaries, resume_offsets, topic_dir
from interchange.resources import avro_schema

COORDS = {"_topic": "t", "_partition": 0, "_offset": 0, "_timestamp": None, "_key": None}


def _table(offsets: list[int], partition: int = 0) -> pa.Table:
    return pa.table({"_partition": [partition] * len(offsets), "_offset": offsets})


def test_resume_after_highest_committed_offset_per_partition(tmp_path) -> None:
    root = topic_dir(tmp_path, "events")
    commit_file(root, Run(0, 0, 9, "2026-12-01"), _table(list(range(10))), "events", 1)
    commit_file(root, Run(0, 10, 14, "2026-12-02"), _table(list(range(10, 15))), "events", 1)
    commit_file(root, Run(1, 0, 3, "2026-12-01", errors=True), _table([0, 1, 2, 3], 1), "events", None)
    assert resume_offsets(root) == {0: 15, 1: 4}
    meta = file_meta(Run(0, 10, 14, "2026-12-02").path(root))
    assert meta == {"topic": "events", "partition": 0, "first": 10, "last": 14, "rows": 5, "schema_id": 1}


def test_half_written_file_is_invisible_and_removed(tmp_path) -> None:
    root = topic_dir(tmp_path, "events")
    commit_file(root, Run(0, 0, 4, "2026-12-01"), _table(list(range(5))), "events", 1)
    # what a kill between write and rename leaves behind
    final = Run(0, 5, 9, "2026-12-01").path(root)
    stray = final.with_name(f".{final.stem}.parquet.tmp")
    stray.write_bytes(b"PAR1 half a file")
    assert resume_offsets(root) == {0: 5}  # the stray file does not count as committed
    assert sorted(pd.read_parquet(tmp_path)["_offset"]) == [0, 1, 2, 3, 4]  # readers skip it too
    assert remove_temporaries(root) == 1 and not stray.exists()


def test_second_sink_on_same_directory_is_refused(tmp_path) -> None:
    root = topic_dir(tmp_path, "events")
    held = lock_topic(root)
    try:
        with pytest.raises(ConfigError, match="another sink"):
            lock_topic(root)
    finally:
        held.close()
    lock_topic(root).close()  # free again once the holder is gone


@pytest.mark.parametrize("bad", ["", "a/b", ".."])
def test_topic_that_cannot_be_a_directory(tmp_path, bad: str) -> None:
    with pytest.raises(ConfigError, match="directory name"):
        topic_dir(tmp_path, bad)


def _roundtrip(schema: dict, record: dict) -> dict:
    parsed = fastavro.parse_schema(schema)
    layout = RowLayout(parsed)
    return layout.table([layout.row(record, dict(COORDS))]).to_pylist()[0], layout.schema


def test_metric_schema_maps_to_typed_columns() -> None:
    at = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    record = {
        "source": "s",
        "model": "m",
        "version": None,
        "name": "n",
        "value": 1.5,
        "window_s": 60.0,
        "labels": {"a": "b"},
        "at": at,
    }
    row, schema = _roundtrip(avro_schema("metric"), record)
    assert schema.field("version").type == pa.int32()
    assert schema.field("labels").type == pa.map_(pa.string(), pa.string())
    assert schema.field("at").type == pa.timestamp("ms", tz="UTC")
    assert row["labels"] == [("a", "b")] and row["at"] == at and row["version"] is None


def test_logical_nested_and_multi_branch_unions() -> None:
    schema = {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "long"}]}},
            {"name": "again", "type": ["null", "Inner"]},
            {"name": "either", "type": ["null", "long", "string"]},
            {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
            {"name": "xs", "type": {"type": "array", "items": "double"}},
        ],
    }
    u = uuid.uuid4()
    record = {
        "id": u,
        "amount": decimal.Decimal("12.34"),
        "day": dt.date(2026, 12, 1),
        "inner": {"x": 3},
        "again": None,
        "either": "text",
        "kind": "B",
        "xs": [1.0, 2.0],
    }
    row, schema = _roundtrip(schema, record)
    assert row["id"] == str(u) and row["amount"] == decimal.Decimal("12.34") and row["day"] == dt.date(2026, 12, 1)
    assert row["inner"] == {"x": 3} and row["again"] is None and row["kind"] == "B" and row["xs"] == [1.0, 2.0]
    assert row["either"] == '"text"'  # several non-null branches: kept as JSON text
    assert schema.field("again").type == pa.struct([pa.field("x", pa.int64())])


def test_field_named_like_a_kafka_column_is_refused() -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "_offset", "type": "long"}]}
    with pytest.raises(SchemaError, match="_offset"):
        RowLayout(fastavro.parse_schema(schema))
