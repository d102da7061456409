"""Evaluate a model document over rows from files, no Kafka needed (``interchange eval``).

Input and output go a chunk at a time (memory stays flat in the number of rows); a row the
model cannot evaluate is written as an error in its place, so outputs stay aligned with inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from interchange.batch import input_columns, to_records
from interchange.errors import InterchangeError, RecordError
from interchange.files.rows import read_chunks
from interchange.model import Model
from interchange.signature import Signature

__all__ = ["read_rows", "evaluate_file", "evaluate_chunks"]

CHUNK_ROWS = 10_000


def read_rows(path: Path, chunk_rows: int = CHUNK_ROWS, signature: Signature | None = None) -> Iterator[pd.DataFrame]:
    """DataFrames of input rows from CSV, JSON Lines, Parquet or Avro (chosen by suffix),
    typed by ``signature`` when given (see :mod:`interchange.files.rows`)."""
    for chunk, _ in read_chunks(path, chunk_rows, signature):
        yield chunk if isinstance(chunk, pd.DataFrame) else pd.DataFrame.from_records(chunk)


def evaluate_chunks(
    model: Model,
    source: Path,
    write: Callable[[list[dict[str, Any]]], None],
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Evaluate ``source`` chunk by chunk, handing each chunk's output rows to ``write``;
    ``(rows, failed rows)``. ``progress`` gets the bytes of the input read so far.

    Columns are matched to the model's inputs once, on the first chunk: a file that cannot feed
    the model fails with one SchemaError naming the columns it needs, not one error per row.
    """
    rows = failed = 0
    names: dict[str, Any] | None = None
    for chunk, position in read_chunks(source, chunk_rows, model.signature):
        if names is None:
            records = not isinstance(chunk, pd.DataFrame)  # JSON may leave a field out: missing there
            names = input_columns(model.signature, _column_names(chunk), absent_is_missing=records)
        batch = _renamed(chunk, names)
        try:
            outputs = to_records(model.predict(batch))
        except RecordError:
            outputs = []
            for i in range(_length(batch)):
                try:
                    outputs += to_records(model.predict(_row(batch, i)))
                except InterchangeError as exc:
                    outputs.append({"error": exc.message, "row": rows + i})
                    failed += 1
        write(outputs)
        rows += _length(batch)
        if progress is not None:
            progress(position)
    return rows, failed


def evaluate_file(model: Model, source: Path, sink: IO[str]) -> tuple[int, int]:
    """Write one JSON object per input row to ``sink``; ``(rows, failed rows)``."""
    from interchange.files.rows import _JSONLines

    return evaluate_chunks(model, source, _JSONLines(sink).write)


def _column_names(chunk: Any) -> list[str]:
    if isinstance(chunk, pd.DataFrame):
        return [str(c) for c in chunk.columns]
    return list(dict.fromkeys(str(k) for record in chunk for k in record))


def _renamed(chunk: Any, names: dict[str, Any]) -> Any:
    """The chunk with its columns named as the model's inputs (a no-op when they already are)."""
    if all(field == column for field, column in names.items()):
        return chunk
    if isinstance(chunk, pd.DataFrame):
        return pd.DataFrame({field: chunk[column].to_numpy() for field, column in names.items()})
    return [{field: record.get(column) for field, column in names.items()} for record in chunk]


def _length(batch: Any) -> int:
    return len(batch)


def _row(batch: Any, i: int) -> Any:
    return batch.iloc[i : i + 1] if isinstance(batch, pd.DataFrame) else batch[i : i + 1]
