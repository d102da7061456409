"""``model.tree.simpleWalk`` / ``missingWalk`` (fast.trees.walk): the PFA spec's tree, walked by hand, and titus2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import fast

SPEC_TREE = Path(__file__).parents[5] / "conformance" / "pfa_foreign" / "tree_simplewalk.pfa"
ROWS = {
    "one": np.array([1, 1, 12, 20, 11]),
    "two": np.array([5.0, 3.5, 0.0, 9.0, 3.6]),
    "three": np.array(["red", "x", "red", "blue", ""], dtype=object),
}


def test_the_spec_tree_by_hand() -> None:
    """one < 12 ? (two > 3.5 ? yes-yes : yes-no) : (three == red ? no-yes : no-no)."""
    values, refused = fast(SPEC_TREE.read_bytes(), ROWS)
    assert refused == set()
    assert values.tolist() == ["yes-yes", "yes-no", "no-yes", "no-no", "yes-yes"]
    _compare(SPEC_TREE.read_bytes(), ROWS)


def test_missing_walk_takes_the_missing_branch() -> None:
    """missingWalk: a null field goes to ``missing``; x <= 1 -> "low", else "high"."""
    node = {
        "type": "record",
        "name": "N",
        "fields": [
            {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["x"]}},
            {"name": "operator", "type": "string"},
            {"name": "value", "type": "double"},
            {"name": "pass", "type": ["string", "N"]},
            {"name": "fail", "type": ["string", "N"]},
            {"name": "missing", "type": ["string", "N"]},
        ],
    }
    tree = {
        "field": "x",
        "operator": "<=",
        "value": 1.0,
        "pass": {"string": "low"},
        "fail": {"string": "high"},
        "missing": {"string": "none"},
    }  # noqa: E501
    test = {"params": [{"d": "In"}, {"t": "N"}], "ret": ["null", "boolean"], "do": {"model.tree.missingTest": ["d", "t"]}}
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": ["null", "double"]}]},
        "output": "string",
        "cells": {"tree": {"type": node, "init": tree}},
        "action": [{"model.tree.missingWalk": ["input", {"cell": "tree"}, test]}],
    }
    data = json.dumps(doc).encode()
    rows = {"x": np.array([0.5, 1.0, np.nextafter(1.0, 2.0), np.nan])}
    assert fast(data, rows)[0].tolist() == ["low", "low", "high", "none"]
    _compare(data, rows)
