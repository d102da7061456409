"""Probe rows for hand-written foreign documents, drawn from what the document declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import interchange


def rows_for(path: Path, n: int = 300, seed: int = 0) -> Any:
    """PMML: the spec tests' generator (declared categories and unseen ones, numbers on and beside
    every threshold, 10% missing). PFA: a frame over the record's fields (numbers around 0,
    strings from a small pool, 10% missing where the field is nullable)."""
    data = path.read_bytes()
    signature = interchange.load(data, engine="reference").signature
    names = [f.name for f in signature.inputs]
    if path.suffix == ".pmml":
        from tests.conformance.test_pmml_spec import _rows

        return _rows(data, names, n, seed)
    rng = np.random.default_rng(seed)
    columns: dict[str, list[Any]] = {}
    declared = _pfa_nullable(data)
    for f in signature.inputs:
        pool = list(f.values) if f.values else ["red", "green", "blue", "Red", "other"]
        col: list[Any] = []
        for _ in range(n):
            if declared.get(f.name, False) and rng.random() < 0.1:
                col.append(None)
            elif f.type == "array":
                col.append([float(np.round(v, 4)) for v in rng.normal(0.0, 2.0, 3)])  # (three items: our array documents')
            elif f.type == "string":
                col.append(pool[rng.integers(len(pool))])
            elif f.type in ("int", "long", "integer"):
                col.append(int(rng.integers(-5, 10)))
            else:
                col.append(float(np.round(rng.normal(0.0, 2.0), 4)))
        columns[f.name] = col
    return pd.DataFrame(columns)


def _pfa_nullable(data: bytes) -> dict[str, bool]:
    """Which record fields (or the bare input, named "input") the document's input type lets be null."""
    import json

    import yaml

    doc = json.loads(data) if data.lstrip()[:1] == b"{" else yaml.safe_load(data)
    kind = doc["input"]

    def null(t: Any) -> bool:
        return isinstance(t, list) and "null" in t

    if isinstance(kind, dict) and kind.get("type") == "record":
        return {f["name"]: null(f["type"]) for f in kind["fields"]}
    return {"input": null(kind)}
