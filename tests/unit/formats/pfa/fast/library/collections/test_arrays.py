"""``a.fold`` / ``a.foldRight`` and ``a.reduce`` / ``a.reduceRight`` (one compiler each, ``right`` the
only difference) against titus2, record by record: the order the function sees accumulator and item
in, and an empty array failing the record on both engines."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare

ROWS = {"x": np.array([1.0, -2.0, 3.5, 0.0])}
FULL = {"new": ["input.x", 2.0, {"*": ["input.x", 3.0]}], "type": {"type": "array", "items": "double"}}
EMPTY = {"new": [], "type": {"type": "array", "items": "double"}}
# not symmetric in its arguments, so a swapped accumulator or a reversed order changes every result
FCN = {"params": [{"a": "double"}, {"b": "double"}], "ret": "double", "do": {"-": ["a", {"*": ["b", 0.5]}]}}


def _document(function: str, array: dict[str, Any]) -> bytes:
    args = [array, 0.25, FCN] if "fold" in function else [array, FCN]
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "double",
        "action": [{function: args}],
    }
    return json.dumps(doc).encode()


@pytest.mark.parametrize("function", ["a.fold", "a.foldRight", "a.reduce", "a.reduceRight"])
@pytest.mark.parametrize("array", [FULL, EMPTY], ids=["full", "empty"])
def test_folds_and_reductions_agree_with_titus2(function: str, array: dict[str, Any]) -> None:
    _compare(_document(function, array), ROWS)
