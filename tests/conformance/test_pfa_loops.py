"""PFA loops (PFA 0.8.1 "Loops") on the fast path against titus2, record by record.

Each document loops a different number of times per record (rows leave the loop one by one under
masks), nests a loop in a branch, fails some records inside the loop (a ``u.error``-style
``error`` form and an int overflow), and walks arrays and maps. Both engines must refuse the same
records and agree on the rest, rtol 1e-9 / atol 1e-12. An endless loop (``while true``) must end
with titus2's time-budget error, quickly.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pytest

import interchange
from tests.conformance.test_pfa_library import _compare

X = np.array([-3.5, -1.0, 0.0, 1e-3, 0.3, 0.5, 1.0, 2.5, 7.0, 40.0, 1e6, np.nan, np.inf])
ARRAY = {"type": "array", "items": "double"}

DOCS: dict[str, dict[str, Any]] = {
    "while_halving": {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": {"type": "record", "name": "Out", "fields": [{"name": "x", "type": "double"}, {"name": "n", "type": "int"}]},
        "action": [
            {"let": {"x": {"m.abs": "input.x"}, "n": 0}},
            {"if": {"&&": [{"<": ["x", 1e300]}, {"==": ["x", "x"]}]}, "then": [
                {"while": {">": ["x", 1.0]}, "do": [{"set": {"x": {"/": ["x", 2.0]}, "n": {"+": ["n", 1]}}}]},
            ]},
            {"new": {"x": "x", "n": "n"}, "type": "Out"},
        ],
    },
    "do_until_and_error": {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "double",
        "action": [
            {"let": {"y": "input.x", "k": 0}},
            {"do": [
                {"set": {"y": {"+": [{"*": ["y", 0.5]}, 1.0]}, "k": {"+": ["k", 1]}}},
                {"if": {">": ["k", 30]}, "then": [{"error": "no convergence"}]},
            ], "until": {"<": [{"m.abs": {"-": ["y", 2.0]}}, 1e-6]}},
            {"+": ["y", "k"]},
        ],
    },
    "for_powers_overflow": {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "int",
        "action": [
            {"let": {"acc": 1, "limit": {"if": {"&&": [{">=": ["input.x", 0.0]}, {"<": ["input.x", 100.0]}]},
                                         "then": {"m.round": "input.x"}, "else": {"long": 3}}}},
            {"for": {"i": 0}, "while": {"<": ["i", "limit"]}, "step": {"i": {"+": ["i", 1]}},
             "do": [{"set": {"acc": {"*": ["acc", 3]}}}]},
            "acc",
        ],
    },
    "foreach_forkeyval": {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "double",
        "cells": {"weights": {"type": {"type": "map", "values": "double"}, "init": {"b": 2.0, "a": -0.5, "c": 0.25}}},
        "action": [
            {"let": {"acc": 0.0, "keys": {"string": ""}}},
            {"foreach": "w", "in": {"type": ARRAY, "value": [0.5, -1.0, 2.0]}, "do": [
                {"set": {"acc": {"+": [{"*": ["acc", "input.x"]}, "w"]}}},
            ]},
            {"forkey": "k", "forval": "v", "in": {"cell": "weights"}, "do": [
                {"set": {"acc": {"+": ["acc", {"*": ["v", {"s.len": "keys"}]}]}, "keys": {"s.concat": ["keys", "k"]}}},
            ]},
            "acc",
        ],
    },
    "loop_inside_a_map": {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "double",
        "action": [
            {"a.sum": {"a.map": [{"type": ARRAY, "value": [1.0, 2.0, 3.0]}, {
                "params": [{"v": "double"}], "ret": "double", "do": [
                    {"let": {"s": "v", "j": 0}},
                    {"while": {"&&": [{"<": ["s", {"m.abs": "input.x"}]}, {"<": ["j", 50]}]},
                     "do": {"set": {"s": {"*": ["s", 1.5]}, "j": {"+": ["j", 1]}}}},
                    "s",
                ]}]}},
        ],
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DOCS))
def test_loops_run_fast_and_agree_with_titus2(name: str) -> None:
    model = _compare(json.dumps(DOCS[name]).encode(), {"x": X})
    assert model.deferred == 0, "the fast path evaluated every batch itself"


ENDLESS = {
    "input": "double",
    "output": "double",
    "action": [{"let": {"i": 0}}, {"while": True, "do": [{"set": {"i": {"+": ["i", 1]}}}]}, "input"],
}


def test_while_true_ends_with_titus2s_time_budget_error() -> None:
    """The fast path takes the document; its loop stops at the record budget and titus2, given the
    batch, refuses the record with its own timeout error."""
    model = interchange.load(json.dumps(ENDLESS).encode())
    assert model.info.engine == "interchange-fast", model.info.reason
    start = time.monotonic()
    with pytest.raises(interchange.RecordError, match="timeout"):
        model.predict({"input": np.array([1.0, 2.0])})
    assert time.monotonic() - start < 10


def test_scoring_a_batch_with_an_endless_record_refuses_only_that_record() -> None:
    """The deferred batch is scored by titus2 record by record: one time budget for the endless
    record (x > 0 loops forever), the others answered, no halving and rerunning."""
    doc = {
        "input": "double",
        "output": "double",
        "action": [
            {"let": {"i": 0}},
            {"while": {">": ["input", 0.0]}, "do": [{"set": {"i": {"+": ["i", 1]}}}]},
            {"*": ["input", 2.0]},
        ],
    }
    model = interchange.load(json.dumps(doc).encode())
    assert model.info.engine == "interchange-fast", model.info.reason
    start = time.monotonic()
    scored = model.score({"input": np.array([-1.0, -2.0, 3.0, -4.0])})
    assert time.monotonic() - start < 6
    assert set(scored.refused) == {2}
    assert scored.outputs["output"][[0, 1, 3]].tolist() == [-2.0, -4.0, -8.0]
