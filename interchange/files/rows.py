"""Rows from files and to files, in chunks, typed by a model's signature.

``interchange eval`` reads CSV, JSON Lines, Parquet and Avro container files and writes JSON
Lines, CSV or Parquet, a chunk at a time, so memory stays flat however many rows a file holds.
Values are read the way the document declares its inputs: a CSV column of a string field stays
the text as written ("01" is not the number 1, "NA" is a category, only an empty cell is
missing); JSON keeps its own types; Parquet and Avro carry theirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from interchange.errors import RecordError
from interchange.signature import Signature

__all__ = ["Chunk", "read_chunks", "Writer", "open_writer", "READ_SUFFIXES", "WRITE_SUFFIXES"]

READ_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".parquet", ".avro")
WRITE_SUFFIXES = (".jsonl", ".csv", ".parquet")  # any other suffix gets JSON Lines
Chunk = Any  # a DataFrame or a list of records, with the bytes of the file read so far


def read_chunks(path: Path, chunk_rows: int, signature: Signature | None = None) -> Iterator[tuple[Chunk, int]]:
    """``(rows, bytes read so far)`` pairs from a CSV, JSON Lines, Parquet or Avro file."""
    suffix = path.suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise RecordError(f"cannot read {path}: use a .csv, .jsonl, .parquet or .avro file")
    if suffix == ".parquet":
        yield from _parquet(path, chunk_rows)
        return
    with path.open("rb") as fh:
        if suffix == ".csv":
            for frame in pd.read_csv(fh, chunksize=chunk_rows, **_csv_options(signature)):
                yield frame, fh.tell()
        elif suffix == ".avro":
            yield from _avro(fh, chunk_rows)
        else:
            yield from _json_lines(fh, chunk_rows, path)


def _csv_options(signature: Signature | None) -> dict[str, Any]:
    """Text-like fields read as text with only an empty cell missing; numbers with pandas' NA spellings."""
    if signature is None:
        return {"keep_default_na": True}
    text = [f.name for f in signature.inputs if f.type in ("string", "boolean", "array", "avro")]
    from pandas._libs.parsers import STR_NA_VALUES

    na = {f.name: ([""] if f.name in text else sorted(STR_NA_VALUES)) for f in signature.inputs}
    return {"dtype": {name: str for name in text}, "keep_default_na": False, "na_values": na}


def _json_lines(fh: IO[bytes], chunk_rows: int, path: Path) -> Iterator[tuple[Chunk, int]]:
    records: list[dict[str, Any]] = []
    for number, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise RecordError(f"{path} line {number} is not JSON: {exc}", row=number - 1) from exc
        if not isinstance(record, dict):
            raise RecordError(f"{path} line {number} is not a JSON object", row=number - 1)
        records.append(record)
        if len(records) == chunk_rows:
            yield records, fh.tell()
            records = []
    if records:
        yield records, fh.tell()


def _avro(fh: IO[bytes], chunk_rows: int) -> Iterator[tuple[Chunk, int]]:
    import fastavro

    records: list[dict[str, Any]] = []
    for record in fastavro.reader(fh):
        records.append(record)  # type: ignore[arg-type]  # fastavro types any Avro value; rows files hold records
        if len(records) == chunk_rows:
            yield records, fh.tell()
            records = []
    if records:
        yield records, fh.tell()


def _parquet(path: Path, chunk_rows: int) -> Iterator[tuple[Chunk, int]]:
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    size, total = path.stat().st_size, max(source.metadata.num_rows, 1)
    done = 0
    for batch in source.iter_batches(batch_size=chunk_rows):
        done += batch.num_rows
        yield batch.to_pylist(), size * done // total


class Writer:
    """Writes output rows (dicts of plain values) to one file or stream, a chunk at a time."""

    def write(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file (Parquet writes its footer here)."""


class _JSONLines(Writer):
    def __init__(self, sink: IO[str]) -> None:
        self.sink = sink

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.sink.write("".join(json.dumps(row, default=_plain) + "\n" for row in rows))


class _Table(Writer):
    """CSV or Parquet: one column per output plus ``error`` (empty where the row was evaluated)."""

    def __init__(self, path: Path, signature: Signature) -> None:
        self.path, self.signature = path, signature
        self.columns = [*signature.output_names, "error"]
        self._parquet: Any = None
        self._header = True

    def _frame(self, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
        data: dict[str, list[Any]] = {c: [] for c in self.columns}
        structured = {f.name for f in self.signature.outputs if f.type == "avro"}
        for row in rows:
            for c in self.columns:
                v = row.get(c)
                data[c].append(json.dumps(v, default=_plain) if c in structured and v is not None else v)
        return data

    def write(self, rows: list[dict[str, Any]]) -> None:
        data = self._frame(rows)
        if self.path.suffix.lower() == ".csv":
            frame = pd.DataFrame(data, columns=self.columns)
            for f in self.signature.outputs:  # vectors as JSON text in a CSV cell
                if f.type == "array":
                    frame[f.name] = [None if v is None else json.dumps(list(v)) for v in frame[f.name]]
            frame.to_csv(self.path, mode="w" if self._header else "a", header=self._header, index=False)
            self._header = False
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pydict(data, schema=self._schema())
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        self._parquet.write_table(table)

    def _schema(self) -> Any:
        import pyarrow as pa

        types = {"double": pa.float64(), "integer": pa.int64(), "string": pa.string(), "boolean": pa.bool_()}
        types["array"] = pa.list_(pa.float64())
        fields = [pa.field(f.name, types.get(f.type, pa.string())) for f in self.signature.outputs]
        return pa.schema([*fields, pa.field("error", pa.string())])

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self._header:  # no rows at all: still a well-formed, empty file
            self.write([])
            if self._parquet is not None:
                self._parquet.close()


def open_writer(path: Path | None, signature: Signature, stdout: IO[str]) -> tuple[Writer, IO[str] | None]:
    """A writer chosen by the suffix of ``path``: CSV, Parquet, else JSON Lines (on ``stdout``
    when None); and the text file to close afterwards, if one was opened."""
    if path is None:
        return _JSONLines(stdout), None
    if path.suffix.lower() in (".csv", ".parquet"):
        return _Table(path, signature), None
    sink = path.open("w")
    return _JSONLines(sink), sink


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
