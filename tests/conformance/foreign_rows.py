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

        frame = _rows(data, names, n, seed)
        _texts(data, frame, seed)
        for f in signature.inputs:  # boolean fields: true, false and missing (the generator gives them text)
            if f.type == "boolean":
                frame[f.name] = [None if i % 10 == 0 else bool(i % 3) for i in range(len(frame))]
        return frame
    return pfa_frame(signature, _pfa_nullable(data), n, seed)


def pfa_frame(signature: Any, nullable: dict[str, bool], n: int, seed: int = 0) -> pd.DataFrame:
    """Rows over a PFA record's fields: numbers around 0, strings from the declared symbols or a small
    pool, booleans, arrays of three numbers; 10% missing where ``nullable`` says the field may be null."""
    rng = np.random.default_rng(seed)
    columns: dict[str, list[Any]] = {}
    for f in signature.inputs:
        pool = list(f.values) if f.values else ["red", "green", "blue", "Red", "other"]
        col: list[Any] = []
        for _ in range(n):
            if nullable.get(f.name, False) and rng.random() < 0.1:
                col.append(None)
            elif f.type == "array":
                col.append([float(np.round(v, 4)) for v in rng.normal(0.0, 2.0, 3)])  # (three items: our array documents')
            elif f.type == "string":
                col.append(pool[rng.integers(len(pool))])
            elif f.type in ("int", "long", "integer"):
                col.append(int(rng.integers(-5, 10)))
            elif f.type == "boolean":
                col.append(bool(rng.integers(2)))
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


def _texts(data: bytes, frame: pd.DataFrame, seed: int) -> None:
    """TextIndex text fields get sentences of the document's terms in other cases, with punctuation
    and separators around them, other words, empty and missing texts."""
    import re

    from lxml import etree

    root = etree.fromstring(data)
    indexes = list(root.iter("{*}TextIndex"))
    if not indexes:
        return
    name = indexes[0].get("textField")
    terms = [c.text or "" for el in indexes for c in el.iter("{*}Constant")]
    # and the texts TextIndexNormalization rows replace (a regular expression's letters stand as they are)
    firsts = [next((c for c in r if isinstance(c.tag, str)), None) for el in indexes for r in el.iter("{*}row")]
    terms += [re.sub(r"[^A-Za-z]", "", c.text or "") for c in firsts if c is not None]
    rng = np.random.default_rng(seed)
    pool = sorted({t for t in terms} | {t.upper() for t in terms} | {t.capitalize() for t in terms}) + ["other", "x-y"]
    texts: list[Any] = []
    for i in range(len(frame)):
        if i % 17 == 0:
            texts.append(None)
            continue
        words = [str(pool[rng.integers(len(pool))]) for _ in range(rng.integers(0, 7))]
        words = [w + rng.choice(["", "", ",", ".", "!"]) for w in words]
        texts.append(re.sub("  +", " ", rng.choice([" ", "\t", "  "]).join(words)))
    frame[name] = texts
