"""The sink's files: where they go, how they are committed, and where a restart resumes.

Exactly-once rests on three rules:

1. A file holds a contiguous run of one Kafka partition's offsets, and its name says which:
   ``part-<partition>-<first offset>-<last offset>.parquet`` (the same range is in its Parquet
   key-value metadata under ``interchange.kafka.sink``).
2. A file is written under a hidden temporary name, fsynced, then renamed into place; a rename
   is atomic, so a file is either complete and final or absent. Runs of one partition are
   committed in offset order.
3. On start the sink deletes leftover temporary files and resumes each partition after the
   highest last offset found in its committed file names. Kafka's committed group offsets are
   written only for lag monitoring and never read.

So a kill at any moment loses nothing (rows not yet in a final file are read again) and
duplicates nothing (rows in a final file are never read again). A lock file keeps a second sink
from writing the same topic into the same directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from interchange.errors import ConfigError

__all__ = [
    "Run",
    "topic_dir",
    "resume_offsets",
    "remove_temporaries",
    "commit_file",
    "file_meta",
    "lock_topic",
    "ERRORS_DIR",
    "META_KEY",
]

ERRORS_DIR = "_errors"  # pyarrow and DuckDB's hive discovery skip names starting with "_" or "."
META_KEY = b"interchange.sink"
_NAME = re.compile(r"^part-(\d+)-(\d+)-(\d+)\.parquet$")
_TMP_SUFFIX = ".parquet.tmp"


@dataclass(frozen=True)
class Run:
    """Where a contiguous run of one partition's rows goes."""

    partition: int
    first: int
    last: int
    date: str  # YYYY-MM-DD (UTC) of the events' Kafka timestamps
    errors: bool = False

    @property
    def name(self) -> str:
        return f"part-{self.partition:05d}-{self.first:020d}-{self.last:020d}.parquet"

    def path(self, root: Path) -> Path:
        base = root / ERRORS_DIR if self.errors else root
        return base / f"date={self.date}" / self.name


def topic_dir(base: str | Path, topic: str) -> Path:
    """``BASE/topic=T``: one Hive-style partition per topic."""
    if not topic or "/" in topic or topic in (".", ".."):
        raise ConfigError(f"topic name {topic!r} cannot be a directory name", key="topic")
    return Path(base) / f"topic={topic}"


def _committed(root: Path) -> list[Path]:
    return [*root.glob("date=*/part-*.parquet"), *root.glob(f"{ERRORS_DIR}/date=*/part-*.parquet")]


def resume_offsets(root: Path) -> dict[int, int]:
    """The next offset to read per partition: one past the highest offset in a committed file."""
    out: dict[int, int] = {}
    for path in _committed(root):
        m = _NAME.match(path.name)
        if m:
            partition, last = int(m.group(1)), int(m.group(3))
            out[partition] = max(out.get(partition, 0), last + 1)
    return out


def remove_temporaries(root: Path) -> int:
    """Delete files a killed sink left half-written; how many."""
    count = 0
    for path in [*root.glob(f"date=*/.*{_TMP_SUFFIX}"), *root.glob(f"{ERRORS_DIR}/date=*/.*{_TMP_SUFFIX}")]:
        path.unlink(missing_ok=True)
        count += 1
    return count


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_file(root: Path, run: Run, table: pa.Table, topic: str, schema_id: int | None) -> Path:
    """Write ``table`` for ``run`` under a temporary name, fsync it, rename it into place."""
    final = run.path(root)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.stem}{_TMP_SUFFIX}")
    meta = {"topic": topic, "partition": run.partition, "first": run.first, "last": run.last, "rows": table.num_rows}
    if schema_id is not None:
        meta["schema_id"] = schema_id
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    return final


def file_meta(path: str | Path) -> dict[str, Any]:
    """The sink's key-value metadata of a committed file (topic, partition, first, last, rows)."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[META_KEY])


def lock_topic(root: Path) -> IO[str]:
    """Hold ``root/_sink.lock`` for the life of the process (released by the OS even on kill -9)."""
    root.mkdir(parents=True, exist_ok=True)
    fh = open(root / "_sink.lock", "a+")  # noqa: SIM115 - held open on purpose
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise ConfigError(f"another sink ({holder}) is writing {root}; run one sink per topic and directory", key="to") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}\n")
    fh.flush()
    return fh
