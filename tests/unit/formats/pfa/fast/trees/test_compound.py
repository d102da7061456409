"""``model.tree.compoundTest`` / ``surrogateTest`` (fast.trees.compound): and / or / xor and surrogates by hand, and titus2."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import fast

NULLABLE = {
    "type": "record",
    "name": "In",
    "fields": [{"name": "x", "type": ["null", "double"]}, {"name": "y", "type": ["null", "double"]}],
}  # noqa: E501
PLAIN = {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}]}
CMP = {
    "type": "record",
    "name": "Cmp",
    "fields": [
        {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["x", "y"]}},
        {"name": "operator", "type": "string"},
        {"name": "value", "type": "double"},
    ],
}
# x > 0 and y <= 1
TWO = [{"field": "x", "operator": ">", "value": 0.0}, {"field": "y", "operator": "<=", "value": 1.0}]
ROWS = {"x": np.array([1.0, 1.0, -1.0, -1.0]), "y": np.array([0.0, 2.0, 0.0, 2.0])}


def _document(action: Any, input_: Any = PLAIN) -> bytes:
    """(simpleTest on a nullable field fails the record: "bad value type", on both engines.)"""
    return json.dumps(
        {
            "input": input_,
            "output": "boolean",
            "cells": {"cmps": {"type": {"type": "array", "items": CMP}, "init": TWO}},
            "action": [action],
        }
    ).encode()


def _compound(op: str) -> bytes:
    test = {"params": [{"d": "In"}, {"c": "Cmp"}], "ret": "boolean", "do": {"model.tree.simpleTest": ["d", "c"]}}
    return _document({"model.tree.compoundTest": ["input", {"string": op}, {"cell": "cmps"}, test]})


@pytest.mark.parametrize(
    ("op", "want"), [("and", [True, False, False, False]), ("or", [True, True, True, False]), ("xor", [False, True, True, False])]
)  # noqa: E501
def test_compound_by_hand(op: str, want: list[bool]) -> None:
    """Rows (x > 0, y <= 1): (T, T), (T, F), (F, T), (F, F)."""
    assert fast(_compound(op), ROWS)[0].tolist() == want
    _compare(_compound(op), ROWS)


def test_an_unknown_operator_fails_every_record() -> None:
    assert fast(_compound("nand"), ROWS)[1] == {0, 1, 2, 3}
    _compare(_compound("nand"), ROWS)


def test_surrogate_takes_the_first_non_null_answer() -> None:
    """x > 0, else (x null) y <= 1; both null: no surrogate, the record fails."""
    test = {"params": [{"d": "In"}, {"c": "Cmp"}], "ret": ["null", "boolean"], "do": {"model.tree.missingTest": ["d", "c"]}}
    data = _document({"model.tree.surrogateTest": ["input", {"cell": "cmps"}, test]}, NULLABLE)
    rows = {"x": np.array([1.0, -1.0, np.nan, np.nan, np.nan]), "y": np.array([5.0, 0.0, 0.0, 5.0, np.nan])}
    values, refused = fast(data, rows)
    assert refused == {4} and values[:4].tolist() == [True, False, True, False]
    _compare(data, rows)
