"""Rows from CSV or JSON Lines files, typed by an Avro record schema.

A CSV cell is always text and a JSON value is whatever its writer chose, while a feature event
must hold exactly the types its registered schema says. :class:`RowTyper` turns one file row
into an Avro record (doubles, longs, strings, booleans, vectors of doubles, nulls for missing
values where the field allows them), accepting each column under its original name or its
Avro name, and says which line and field is wrong when it cannot.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from interchange.avronames import original_names
from interchange.errors import RecordError

__all__ = ["RowTyper", "read_file_rows"]

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def read_file_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, row)`` for each row of a .csv (header line first) or .jsonl file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise RecordError(f"cannot read {path}: use a .csv or .jsonl file")
    try:
        with path.open(newline="" if suffix == ".csv" else None, encoding="utf-8-sig") as fh:
            if suffix == ".csv":
                reader = csv.DictReader(fh)
                for row in reader:
                    if None in row:
                        raise RecordError(f"{path} line {reader.line_num}: more cells than header columns")
                    yield reader.line_num, row
                return
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RecordError(f"{path} line {n}: not JSON: {exc.msg}") from exc
                if not isinstance(row, dict):
                    raise RecordError(f"{path} line {n}: expected a JSON object, got {type(row).__name__}")
                yield n, row
    except OSError as exc:
        raise RecordError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise RecordError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from exc


class RowTyper:
    """Turns file rows into records of one Avro record schema (a dict, as registered).

    ``ignore`` names columns that are not fields but are expected in the file (an event key).
    """

    def __init__(self, schema: Mapping[str, Any], ignore: tuple[str, ...] = ()) -> None:
        originals = original_names(schema)
        self.fields: list[tuple[str, str, bool, Callable[[Any], Any]]] = []  # (avro name, original, nullable, convert)
        self.column: dict[str, str] = {}  # accepted column name -> avro name
        for f in schema["fields"]:
            name = f["name"]
            original = originals.get(name, name)
            nullable, base = _split_null(f["type"])
            self.fields.append((name, original, nullable, _converter(base)))
            self.column[original] = self.column[name] = name
        self.ignore = set(ignore) - set(self.column)

    def record(self, row: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The Avro record (keyed by Avro names) for one row; ``where`` names it in errors."""
        unknown = [c for c in row if c not in self.column and c not in self.ignore]
        if unknown:
            known = [original for _, original, _, _ in self.fields]
            raise RecordError(f"{where}: column {unknown[0]!r} is not a field of the schema (fields: {known})", field=unknown[0])
        given = {self.column[c]: v for c, v in row.items() if c in self.column}
        out: dict[str, Any] = {}
        for name, original, nullable, convert in self.fields:
            value = given.get(name)
            if value is None or value == "":
                if not nullable:
                    raise RecordError(f"{where}: field {original!r} needs a value", field=original)
                out[name] = None
                continue
            try:
                out[name] = convert(value)
            except (TypeError, ValueError) as exc:
                raise RecordError(f"{where}: field {original!r}: {exc}", field=original) from None
        return out


def _split_null(avro_type: Any) -> tuple[bool, Any]:
    """``(accepts null, the other type)`` of a field type; unions of several non-null types stay as they are."""
    if isinstance(avro_type, list) and "null" in avro_type:
        rest = [t for t in avro_type if t != "null"]
        return True, rest[0] if len(rest) == 1 else rest
    return avro_type == "null", avro_type


def _converter(avro_type: Any) -> Callable[[Any], Any]:
    kind = avro_type.get("type") if isinstance(avro_type, dict) else avro_type
    if kind in ("double", "float"):
        return _double
    if kind in ("long", "int"):
        return _long
    if kind == "string":
        return _string
    if kind == "boolean":
        return _boolean
    if kind == "array" and isinstance(avro_type, dict) and avro_type.get("items") in ("double", "float"):
        return _vector
    return lambda v: v  # anything else goes to fastavro as it is; it names what is wrong


def _double(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(f"{v!r} is not a number")
    try:
        return float(v)
    except ValueError:
        raise ValueError(f"{v!r} is not a number") from None


def _long(v: Any) -> int:
    x = _double(v) if not isinstance(v, int) or isinstance(v, bool) else v
    if isinstance(x, float):
        if not math.isfinite(x) or x != int(x):
            raise ValueError(f"{v!r} is not a whole number")
        x = int(x)
    return x


def _string(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    raise ValueError(f"{v!r} is not text")


def _boolean(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{v!r} is not true or false")


def _vector(v: Any) -> list[float]:
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except json.JSONDecodeError:
            raise ValueError(f"{v!r} is not a JSON list of numbers") from None
    if not isinstance(v, list):
        raise ValueError(f"{v!r} is not a list of numbers")
    return [_double(x) for x in v]
