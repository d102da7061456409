"""Evaluate a model document over rows from files, no Kafka needed (``interchange eval``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from interchange.batch import to_records
from interchange.errors import InterchangeError, RecordError
from interchange.model import Model

__all__ = ["read_rows", "evaluate_file"]

CHUNK_ROWS = 10_000


def read_rows(path: Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Batches of input rows from CSV or JSON Lines (chosen by suffix)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from pd.read_csv(path, chunksize=chunk_rows, keep_default_na=True)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        yield from pd.read_json(path, lines=True, chunksize=chunk_rows, dtype=False)
    else:
        raise RecordError(f"cannot read {path}: use a .csv or .jsonl file")


def _plain(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def evaluate_file(model: Model, source: Path, sink: IO[str]) -> tuple[int, int]:
    """Write one JSON object per input row to ``sink``; ``(rows, failed rows)``.

    A row the model cannot evaluate is written as ``{"error": reason}`` in its place, so
    output lines stay aligned with input rows.
    """
    rows = failed = 0
    for frame in read_rows(source):
        try:
            outputs = to_records(model.predict(frame))
        except RecordError:
            outputs = []
            for i in range(len(frame)):
                try:
                    outputs += to_records(model.predict(frame.iloc[i : i + 1]))
                except InterchangeError as exc:
                    outputs.append({"error": exc.message, "row": rows + i})
                    failed += 1
        for out in outputs:
            sink.write(json.dumps({k: _plain(v) for k, v in out.items()}) + "\n")
        rows += len(frame)
    return rows, failed
