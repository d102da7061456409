"""``model.tree.simpleTest`` / ``missingTest`` on the fast path against titus2, operator by operator.

Each document holds a list of test nodes (a cell) and reports, per node, "T" / "F" (and "N" for
missingTest's null); the datum has nullable and plain number and string fields. Rows sit exactly
on the values the nodes compare with, on categories inside and outside their lists, and on nulls.
Nodes titus2 rejects for a record ("bad value type", "invalid comparison operator") must fail
the same first row on both engines. Labels must be equal.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.errors import RecordError

INPUT = {
    "type": "record",
    "name": "Datum",
    "fields": [
        {"name": "x", "type": ["null", "double"]},
        {"name": "s", "type": ["null", "string"]},
        {"name": "n", "type": "double"},
        {"name": "t", "type": "string"},
    ],
}
UNION = ["double", "string", {"type": "array", "items": "string"}]
ROWS = {
    "x": np.array([0.5, np.nan, 0.4, 1.0, np.nextafter(0.5, 1.0), -3.0, np.nan, 0.5]),
    "s": np.array(["red", None, "double", "m", "blue", "", "zz", None], dtype=object),
    "n": np.array([0.25, 1.0, -0.5, 0.25, 2.0, 1.0, 0.0, 0.5]),
    "t": np.array(["green", "blue", "m", "", "red", "green", "zz", "mm"], dtype=object),
}


def _document(tests: list[tuple[str, str, Any]], *, missing: bool, value_type: Any = UNION, walk: bool = False) -> bytes:
    """One output field per test node; ``walk`` puts each node in a one-level tree instead."""
    test_fn = "model.tree.missingTest" if missing else "model.tree.simpleTest"
    node_fields = [
        {"name": "field", "type": {"type": "enum", "name": "Fields", "symbols": ["x", "s", "n", "t"]}},
        {"name": "operator", "type": "string"},
        {"name": "value", "type": value_type},
    ]
    if walk:
        branches = ["pass", "fail", "missing"] if missing else ["pass", "fail"]
        node_fields += [{"name": b, "type": ["string", "Node"]} for b in branches]
    node_t = {"type": "record", "name": "Node", "fields": node_fields}
    init = []
    for field, op, value in tests:
        node = {"field": field, "operator": op, "value": value}
        if walk:
            node.update({"pass": {"string": "T"}, "fail": {"string": "F"}} | ({"missing": {"string": "N"}} if missing else {}))
        init.append(node)
    out = {}
    for i in range(len(tests)):
        node = {"cell": "nodes", "path": [i]}
        if walk:
            fcn = {"params": [{"d": "Datum"}, {"t": "Node"}], "ret": ["null", "boolean"] if missing else "boolean"}
            fcn["do"] = {test_fn: ["d", "t"]}
            walker = "model.tree.missingWalk" if missing else "model.tree.simpleWalk"
            out[f"t{i}"] = {walker: ["input", node, fcn]}
        elif missing:
            then = {"if": "v", "then": {"string": "T"}, "else": {"string": "F"}}
            out[f"t{i}"] = {"ifnotnull": {"v": {test_fn: ["input", node]}}, "then": then, "else": {"string": "N"}}
        else:
            out[f"t{i}"] = {"if": {test_fn: ["input", node]}, "then": {"string": "T"}, "else": {"string": "F"}}
    doc = {
        "input": INPUT,
        "output": {"type": "record", "name": "Out", "fields": [{"name": k, "type": "string"} for k in out]},
        "cells": {"nodes": {"type": {"type": "array", "items": node_t}, "init": init}},
        "action": [{"type": "Out", "new": out}],
    }
    return json.dumps(doc).encode()


MISSING_TESTS = [
    ("x", "<=", {"double": 0.5}),
    ("x", "<", {"double": 0.5}),
    ("x", ">=", {"double": 0.5}),
    ("x", ">", {"double": 0.5}),
    ("x", "==", {"double": 0.5}),
    ("x", "!=", {"double": 0.5}),
    ("n", "<=", {"double": 0.25}),
    ("n", "==", {"double": 1.0}),
    ("s", "<=", {"string": "m"}),
    ("s", ">", {"string": "m"}),
    ("s", "==", {"string": "red"}),
    ("s", "!=", {"string": "red"}),
    ("t", "<", {"string": "m"}),
    ("t", ">=", {"string": "m"}),
    ("s", "in", {"array": ["red", "blue", ""]}),
    ("s", "notIn", {"array": ["red", "blue", ""]}),
    ("t", "in", {"array": ["green", "mm"]}),
    ("s", "in", {"double": 0.5}),  # titus: Python's ``in`` on the tagged dict looks at its keys ("double")
    ("x", "alwaysTrue", {"double": 0.0}),
    ("s", "alwaysFalse", {"string": ""}),
]
SIMPLE_TESTS = [
    ("x", "isMissing", {"double": 0.0}),
    ("s", "notMissing", {"double": 0.0}),
    ("n", "isMissing", {"double": 0.0}),
    ("t", "notMissing", {"double": 0.0}),
    ("n", "<=", {"double": 0.25}),
    ("n", ">", {"double": 0.25}),
    ("t", "in", {"array": ["green", "zz"]}),
    ("t", "notIn", {"array": ["green", "zz"]}),
    ("t", "==", {"string": "green"}),
    ("t", "<=", {"string": "m"}),
    ("n", "alwaysFalse", {"string": "ignored"}),
]


def _load(data: bytes) -> tuple[interchange.Model, interchange.Model]:
    fast, ref = interchange.load(data), interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    return fast, ref


@pytest.mark.parametrize("walk", [False, True], ids=["direct", "walked"])
@pytest.mark.parametrize("missing", [True, False], ids=["missingTest", "simpleTest"])
def test_every_operator_agrees_with_titus(missing: bool, walk: bool) -> None:
    fast, ref = _load(_document(MISSING_TESTS if missing else SIMPLE_TESTS, missing=missing, walk=walk))
    got, want = fast.predict(ROWS), ref.predict(ROWS)
    assert {k: v.tolist() for k, v in got.items()} == {k: v.tolist() for k, v in want.items()}
    answers = {x for v in want.values() for x in v.tolist()}
    assert answers >= ({"T", "F", "N"} if missing else {"T", "F"})


def test_plain_string_and_number_array_value_types() -> None:
    """A ``value`` of type string (compared as strings) and array(double) (``in`` on numbers)."""
    fast, ref = _load(_document([("t", "<", "m"), ("s", "==", "red"), ("t", "!=", "")], missing=True, value_type="string"))
    _agree_labels(fast.predict(ROWS), ref.predict(ROWS))
    array = {"type": "array", "items": "double"}
    tests = [("n", "in", [0.25, 1.0]), ("x", "notIn", [0.5, -3.0]), ("n", "in", [])]
    fast, ref = _load(_document(tests, missing=True, value_type=array, walk=True))
    _agree_labels(fast.predict(ROWS), ref.predict(ROWS))


def _agree_labels(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert {k: v.tolist() for k, v in got.items()} == {k: v.tolist() for k, v in want.items()}


FAILING = [
    # (test node, missingTest?, first failing row): titus raises for these records
    (("x", "<=", {"double": 0.5}), False, 0),  # simpleTest keeps x's null: double does not accept it
    (("s", "in", {"array": ["red"]}), False, 0),
    (("n", "in", {"array": ["red"]}), True, 0),  # array(string) items do not accept a double
    (("x", "<=", {"string": "a"}), True, 0),  # a numeric field, a value that is not a number
    (("x", "~", {"double": 0.5}), True, 0),  # unknown operator
    (("x", "isMissing", {"double": 0.5}), True, 0),  # not an operator of missingTest
]


@pytest.mark.parametrize("node,missing,row", FAILING, ids=[f"{n[0]}{n[1]}{'-missing' if m else ''}" for n, m, _ in FAILING])
def test_nodes_titus_rejects_fail_the_same_record(node: tuple[str, str, Any], missing: bool, row: int) -> None:
    fast, ref = _load(_document([node], missing=missing))
    with pytest.raises(RecordError):
        ref.predict(ROWS)
    with pytest.raises(RecordError) as caught:
        fast.predict(ROWS)
    assert caught.value.context["row"] == row
    if node[1] in ("~", "isMissing"):  # missingTest: a null field is null before the operator is checked
        nulls = {k: v[np.isnan(ROWS["x"])] for k, v in ROWS.items()}
        _agree_labels(fast.predict(nulls), ref.predict(nulls))
        assert set(fast.predict(nulls)["t0"].tolist()) == {"N"}


def test_a_string_field_against_a_number_in_the_union_is_left_to_titus() -> None:
    """titus2 orders values of different union members by member position (no error): that batch is deferred."""
    fast, ref = _load(_document([("t", "<=", {"double": 1.0}), ("t", ">", {"double": 1.0})], missing=True))
    _agree_labels(fast.predict(ROWS), ref.predict(ROWS))
    assert fast.deferred == 1
