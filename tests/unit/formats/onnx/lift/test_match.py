"""lift/match.py: a reference subgraph found in a document by data flow, operators, attributes and constants."""

from __future__ import annotations

import re

import numpy as np
import onnx
import pytest
from onnx import helper

from interchange.formats.onnx.lift.match import Mismatch, match_nodes

CONSTS = {"two": np.array(2.0), "two_f": np.array(2.0, dtype=np.float32), "three": np.array(3.0)}


def _ref() -> list[onnx.NodeProto]:
    return [
        helper.make_node("Mul", ["x", "two"], ["m"]),
        helper.make_node("ReduceMax", ["m"], ["r"], keepdims=0),
        helper.make_node("Add", ["r", "m"], ["out"]),
    ]


def _doc(const: str = "two", keepdims: int = 0, order: tuple[str, str] = ("r2", "m2")) -> list[onnx.NodeProto]:
    return [
        helper.make_node("Neg", ["in"], ["other"]),  # not the reference's
        helper.make_node("Mul", ["in", const], ["m2"]),
        helper.make_node("ReduceMax", ["m2"], ["r2"], keepdims=keepdims),
        helper.make_node("Add", list(order), ["out2"]),
    ]


def test_the_same_computation_under_other_names_matches() -> None:
    mapping = {"x": "in"}
    used = match_nodes(_ref(), CONSTS.get, _doc(), CONSTS.get, mapping)
    assert used == [1, 2, 3] and mapping["out"] == "out2"


@pytest.mark.parametrize(
    "doc,why",
    [
        (_doc(const="three"), "Mul('in', constant [2.0])"),  # another constant
        (_doc(const="two_f"), "Mul('in', constant [2.0])"),  # the same value in float32
        (_doc(keepdims=1), "ReduceMax('m2')"),  # another attribute
        (_doc(order=("m2", "r2")), "Add('r2', 'm2')"),  # operands swapped
    ],
)
def test_a_difference_is_a_mismatch_naming_the_reference_node(doc: list[onnx.NodeProto], why: str) -> None:
    with pytest.raises(Mismatch, match=re.escape(f"no node {why}")):
        match_nodes(_ref(), CONSTS.get, doc, CONSTS.get, {"x": "in"})
