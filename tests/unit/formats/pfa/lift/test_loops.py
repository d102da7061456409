"""Loops with a number of passes the document fixes, unrolled into the IR and checked against titus2;
loops whose passes depend on the record keep their refusal (``lift.loops``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.unit.formats.pfa.lift.helpers import agrees, doc, reason

X = {"x": np.array([-2.0, -0.5, 0.0, 0.25, 1.0, 3.5])}
ARRAY = {"type": "array", "items": "double"}

UNROLLED: dict[str, list[Any]] = {
    "for over a literal bound": [
        {"let": {"acc": 0.0}},
        {"for": {"i": 0}, "while": {"<": ["i", 4]}, "step": {"i": {"+": ["i", 1]}},
         "do": [{"set": {"acc": {"+": ["acc", {"**": ["input.x", "i"]}]}}}]},
        "acc",
    ],
    "foreach over a constant array": [
        {"let": {"acc": 1.0}},
        {"foreach": "w", "in": {"type": ARRAY, "value": [0.5, -1.0, 2.0]},
         "do": [{"let": {"t": {"*": ["w", "input.x"]}}}, {"set": {"acc": {"+": [{"*": ["acc", "input.x"]}, "t"]}}}]},
        "acc",
    ],
    "forkey over a constant map": [
        {"let": {"acc": 0.0}},
        {"forkey": "k", "forval": "v", "in": {"type": {"type": "map", "values": "double"}, "value": {"a": 2.0, "b": -1.0}},
         "do": [{"set": {"acc": {"+": [{"*": ["acc", "input.x"]}, "v"]}}}]},
        "acc",
    ],
    "do-until with a counter": [
        {"let": {"y": "input.x", "n": 0}},
        {"do": [{"set": {"y": {"-": [{"*": ["y", "y"]}, 0.5]}, "n": {"+": ["n", 1]}}}], "until": {">=": ["n", 3]}},
        "y",
    ],
    "while with a branch inside": [
        {"let": {"y": "input.x", "n": 0}},
        {"while": {"<": ["n", 3]}, "do": [
            {"if": {">": ["y", 0.0]}, "then": [{"set": {"y": {"-": ["y", 1.0]}}}], "else": [{"set": {"y": {"*": ["y", 2.0]}}}]},
            {"set": {"n": {"+": ["n", 1]}}},
        ]},
        "y",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(UNROLLED))
def test_loops_with_fixed_passes_unroll_and_agree_with_titus2(name: str) -> None:
    agrees(doc({"x": "double"}, UNROLLED[name]), X)


def test_a_loop_whose_passes_depend_on_the_record_says_why() -> None:
    action = [{"let": {"y": "input.x"}}, {"while": {"<": ["y", 10.0]}, "do": [{"set": {"y": {"+": ["y", 1.0]}}}]}, "y"]
    assert "a loop whose condition depends on the record" in reason(doc({"x": "double"}, action))


def test_a_loop_past_the_unroll_limit_says_why() -> None:
    action = [{"let": {"i": 0}}, {"while": True, "do": [{"set": {"i": {"+": ["i", 1]}}}]}, "input.x"]
    assert "more than 1000 passes" in reason(doc({"x": "double"}, action))
