"""The ONNX lift reads the IR writer's no-prediction masks away (formats/onnx/lift/blanks.py)."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

from interchange.formats.onnx.lift.blanks import without_blanks


def _graph(nodes: list, output: str = "y"):  # type: ignore[no-untyped-def]
    return helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 1])],
        [helper.make_tensor_value_info(output, TensorProto.DOUBLE, [None, 1])],
        [helper.make_tensor("nan", TensorProto.DOUBLE, [], [np.nan])],
    )


def test_a_blank_where_reads_as_its_value_and_its_mask_is_dropped() -> None:
    nodes = [
        helper.make_node("Exp", ["x"], ["e"], name="exp.1"),
        helper.make_node("IsNaN", ["x"], ["m"], name="isnan.2"),
        helper.make_node("Where", ["m", "nan", "e"], ["y"], name="blank.3"),
    ]
    kept = without_blanks(_graph(nodes))
    assert [(n.op_type, list(n.input)) for n in kept] == [("Exp", ["x"]), ("Identity", ["e"])]


def test_a_where_of_another_name_stays() -> None:
    nodes = [
        helper.make_node("IsNaN", ["x"], ["m"], name="isnan.1"),
        helper.make_node("Where", ["m", "nan", "x"], ["y"], name="where.2"),
    ]
    assert [n.op_type for n in without_blanks(_graph(nodes))] == ["IsNaN", "Where"]


def test_a_subgraph_keeps_what_it_reads_from_outside() -> None:
    body = helper.make_graph(
        [helper.make_node("Add", ["carried", "outer"], ["next"], name="add.b")],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("c", TensorProto.BOOL, []),
            helper.make_tensor_value_info("carried", TensorProto.DOUBLE, [None, 1]),
        ],
        [
            helper.make_tensor_value_info("c", TensorProto.BOOL, []),
            helper.make_tensor_value_info("next", TensorProto.DOUBLE, [None, 1]),
        ],
    )
    nodes = [
        helper.make_node("Exp", ["x"], ["outer"], name="exp.1"),
        helper.make_node("Neg", ["x"], ["unused"], name="neg.2"),
        helper.make_node("Loop", ["trips", "go", "x"], ["y"], name="loop.3", body=body),
    ]
    assert [n.op_type for n in without_blanks(_graph(nodes))] == ["Exp", "Loop"]
