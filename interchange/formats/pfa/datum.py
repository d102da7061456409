"""Values from a batch as the Python data of a PFA input's declared Avro type.

Batches carry numbers as float64 (CSV and DataFrames cannot tell 4 from 4.0) and booleans as
0.0 / 1.0; titus2 checks each record against the document's input type and refuses a float
where an ``int`` or ``long`` is declared. Each value is turned into the declared type here,
through arrays, maps, records and unions, or refused with a RecordError naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from interchange.errors import RecordError

__all__ = ["Converter"]

_INTEGERS = ("int", "long")
_FLOATS = ("float", "double")


class _Mismatch(Exception):
    """The value is not of this (union branch) type."""


class Converter:
    """Converts values to the Avro types of one PFA document (its named types resolved)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.named: dict[str, Any] = {}
        self._collect(doc.get("input"))
        self._collect(doc.get("output"))
        for section in ("cells", "pools"):  # the input or output may name a type a cell or pool defines
            for spec in (doc.get(section) or {}).values():
                if isinstance(spec, dict):
                    self._collect(spec.get("type"))

    def _collect(self, t: Any) -> None:
        if isinstance(t, list):
            for b in t:
                self._collect(b)
        elif isinstance(t, dict):
            if t.get("type") in ("record", "enum", "fixed") and "name" in t:
                self.named.setdefault(str(t["name"]), t)
                if t.get("namespace"):
                    self.named.setdefault(f"{t['namespace']}.{t['name']}", t)
            for f in t.get("fields", []) if t.get("type") == "record" else []:
                self._collect(f.get("type"))
            self._collect(t.get("items"))
            self._collect(t.get("values"))

    def datum(self, value: Any, t: Any, field: str) -> Any:
        """``value`` as Python data of Avro type ``t``; RecordError when it cannot be."""
        try:
            return self._datum(value, t)
        except _Mismatch as exc:
            raise RecordError(f"field {field!r}: {exc}", field=field) from None

    def plain(self, v: Any, t: Any) -> Any:
        """An engine's output value of type ``t`` without union tags (titus2 passes a union
        input on as ``{"int": 7}``): the plain value a consumer expects, as in Avro JSON."""
        if isinstance(t, str) and t in self.named:
            t = self.named[t]
        if isinstance(t, list):
            if isinstance(v, dict) and len(v) == 1:
                (tag, inner), *_ = v.items()
                for branch in t:
                    resolved = self.named.get(branch, branch) if isinstance(branch, str) else branch
                    name = resolved.get("name", resolved.get("type")) if isinstance(resolved, dict) else resolved
                    if tag in (branch, name) or (isinstance(resolved, dict) and tag.endswith(f".{name}")):
                        return self.plain(inner, resolved)
            return v
        kind = t.get("type") if isinstance(t, dict) else t
        if kind == "array" and isinstance(v, list):
            return [self.plain(x, t["items"]) for x in v]
        if kind == "map" and isinstance(v, dict):
            return {k: self.plain(x, t["values"]) for k, x in v.items()}
        if kind == "record" and isinstance(v, dict):
            return {f["name"]: self.plain(v.get(f["name"]), f["type"]) for f in t.get("fields", [])}
        return v

    def _datum(self, v: Any, t: Any) -> Any:
        if isinstance(t, str) and t in self.named:
            t = self.named[t]
        if isinstance(v, np.generic):
            v = v.item()
        elif isinstance(v, np.ndarray):
            v = v.tolist()
        missing = v is None or (isinstance(v, float) and v != v)
        if isinstance(t, list):
            if missing:
                return None  # titus2 refuses it when the union has no null
            for branch in (b for b in t if b != "null"):
                try:
                    return self._datum(v, branch)
                except _Mismatch:
                    continue
            raise _Mismatch(f"{v!r} is none of {t}")
        if missing:
            return None
        kind = t.get("type") if isinstance(t, dict) else t
        if kind in _INTEGERS:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
                raise _Mismatch(f"{v!r} is not an integer ({kind})")
            return int(v)
        if kind in _FLOATS:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise _Mismatch(f"{v!r} is not a number ({kind})")
            return float(v)
        if kind == "boolean":
            if isinstance(v, (bool, int, float)) and v in (0, 1):
                return bool(v)
            raise _Mismatch(f"{v!r} is not a boolean")
        if kind in ("string", "enum"):
            if not isinstance(v, str):
                raise _Mismatch(f"{v!r} is not a string")
            if kind == "enum" and v not in t.get("symbols", ()):
                raise _Mismatch(f"{v!r} is not one of the symbols {t.get('symbols')}")
            return v
        if kind == "array":
            if isinstance(v, (str, bytes, Mapping)) or not hasattr(v, "__iter__"):
                raise _Mismatch(f"{v!r} is not an array")
            return [self._datum(x, t["items"]) for x in v]
        if kind == "map":
            if not isinstance(v, Mapping):
                raise _Mismatch(f"{v!r} is not a map")
            return {str(k): self._datum(x, t["values"]) for k, x in v.items()}
        if kind == "record":
            if not isinstance(v, Mapping):
                raise _Mismatch(f"{v!r} is not a record {t.get('name')}")
            return {f["name"]: self._datum(v.get(f["name"]), f["type"]) for f in t.get("fields", [])}
        return v  # null, bytes, fixed: titus2 checks them
