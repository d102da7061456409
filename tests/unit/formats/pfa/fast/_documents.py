"""Small PFA documents for the fast-engine unit tests: write one, run it fast, or learn why it is not."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import interchange


def document(action: Any, *, fields: dict[str, Any] | None = None, output: Any = "double", cells: Any = None) -> bytes:
    """A PFA document reading record ``In`` of ``fields`` (one double ``x`` by default)."""
    declared = [{"name": k, "type": t} for k, t in (fields or {"x": "double"}).items()]
    doc: dict[str, Any] = {
        "input": {"type": "record", "name": "In", "fields": declared},
        "output": output,
        "action": action if isinstance(action, list) else [action],
    }
    if cells:
        doc["cells"] = cells
    return json.dumps(doc).encode()


def fast(data: bytes, rows: dict[str, np.ndarray]) -> tuple[np.ndarray, set[int]]:
    """The fast engine's one output column for ``rows`` and the rows it refused (it must take the document)."""
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    result = model.score(rows)
    return np.asarray(result.outputs["output"]), set(result.refused)


def not_covered(data: bytes) -> str:
    """Why the fast engine left ``data`` to titus2 (it must have)."""
    model = interchange.load(data)
    assert model.info.engine != "interchange-fast"
    return str(model.info.reason)


DOUBLES = {"type": "array", "items": "double"}
MATRIX = {"type": "array", "items": DOUBLES}


def vector(*items: Any) -> dict[str, Any]:
    """A PFA expression building an array of doubles from ``items`` (field references or numbers)."""
    return {"new": list(items), "type": DOUBLES}


def constant(value: Any, type_: Any) -> dict[str, Any]:
    return {"value": value, "type": type_}
