"""Legal Avro field names for any column names, and the way back.

Avro names must match ``[A-Za-z_][A-Za-z0-9_]*`` (Avro 1.11 specification, "Names"), while
data scientists' columns are named ``sepal length (cm)``, ``2nd dose``, ``größe`` or ``a.b``.
A registered schema uses :func:`field_map`'s legal names and keeps each original name on its
field as the attribute ``x-interchange-name`` (Avro keeps unknown attributes as field
properties; the registry and fastavro both keep it), so anything holding the schema can map
decoded records back to the model's own column names with :func:`original_names`.

The mapping is deterministic and never moves a name that is already legal: schemas of models
whose columns were legal stay byte-for-byte what they were, so published subjects stay
compatible.

Example::

    field_map(["sepal length (cm)", "sepal_length_cm"])
    # {"sepal length (cm)": "sepal_length_cm_2", "sepal_length_cm": "sepal_length_cm"}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from interchange.errors import SchemaError

__all__ = ["ORIGINAL", "is_legal", "legal_name", "field_map", "original_names", "rename"]

ORIGINAL = "x-interchange-name"  # the field attribute holding a column's original name
_LEGAL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ILLEGAL_RUN = re.compile(r"[^A-Za-z0-9_]+")
_EMPTY = "field"  # what a name with no ASCII letters or digits at all becomes


def is_legal(name: str) -> bool:
    """Is ``name`` a legal Avro name?"""
    return _LEGAL.fullmatch(name) is not None


def legal_name(text: str) -> str:
    """A legal Avro name close to ``text``; legal names come back unchanged.

    Accents are dropped (``café`` -> ``cafe``), each run of other characters becomes one ``_``
    (``größe`` -> ``gro_e``), underscores at either end are trimmed, and a leading digit gets a
    ``_`` (``2nd dose`` -> ``_2nd_dose``).
    Different texts may give the same name: :func:`field_map` resolves such collisions.
    """
    text = str(text)
    if is_legal(text):
        return text
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    name = _ILLEGAL_RUN.sub("_", plain).strip("_") or _EMPTY
    return f"_{name}" if name[0].isdigit() else name


def field_map(names: Iterable[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """Original name -> legal Avro name for one record's fields, collision-free.

    Legal names keep themselves; the others take :func:`legal_name`, then ``_2``, ``_3``, ...
    while that is taken (by a legal name anywhere in ``names``, an earlier field or
    ``reserved``, e.g. a field the schema adds itself). Duplicate names are a SchemaError.
    """
    names = [str(n) for n in names]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise SchemaError(f"column {n!r} appears twice; column names must be unique", field=n)
        seen.add(n)
    reserved = set(reserved)
    taken = {n for n in names if is_legal(n) and n not in reserved} | reserved
    out: dict[str, str] = {}
    for n in names:
        if is_legal(n) and n not in reserved:
            out[n] = n
            continue
        base = legal_name(n)
        name, i = base, 1
        while name in taken:
            i += 1
            name = f"{base}_{i}"
        taken.add(name)
        out[n] = name
    return out


def original_names(schema: Mapping[str, Any]) -> dict[str, str]:
    """Avro field name -> original column name, for the fields of a record schema that differ."""
    out: dict[str, str] = {}
    for f in schema.get("fields", ()):
        original = f.get(ORIGINAL)
        if isinstance(original, str) and original != f["name"]:
            out[f["name"]] = original
    return out


def rename(record: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``record`` with its keys renamed by ``names`` (keys not in ``names`` stay as they are)."""
    return {names.get(k, k): v for k, v in record.items()}
