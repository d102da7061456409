"""The double IR writer's no-prediction masks, read away before lifting.

Where an input the model reads is missing, the IR's model steps give no prediction themselves
(``Prediction.blank``, ``ir.graph.label_of``), and the writer spells that out with ``Where`` nodes
named ``blank.*`` (``formats/onnx/emit/missing.py``: NaN, or "" for text, where a mask is set).
Lifting reads each such node as the value it masks, then drops the nodes nothing reads any more
(the masks' ``IsNaN`` / ``ReduceMax`` chains, or any node no output depends on): the lifted model
step blanks those rows again.
"""

from __future__ import annotations

from collections.abc import Iterator

import onnx
from onnx import helper

from interchange.formats.onnx.emit.missing import BLANK

__all__ = ["BLANK", "without_blanks"]


def _read(graph: onnx.GraphProto) -> Iterator[str]:
    """Every tensor name the nodes of ``graph`` read, their subgraphs' outer-scope reads included."""
    for node in graph.node:
        yield from node.input
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _read(attr.g)
            for g in attr.graphs:
                yield from _read(g)


def without_blanks(graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    """``graph``'s nodes with each ``blank.*`` Where as an Identity of its value, and dead nodes dropped."""
    nodes = [
        helper.make_node("Identity", [n.input[2]], list(n.output), name=n.name)
        if n.op_type == "Where" and n.name.startswith(f"{BLANK}.") and len(n.input) == 3
        else n
        for n in graph.node
    ]
    needed = {o.name for o in graph.output}
    kept: list[onnx.NodeProto] = []
    for node in reversed(nodes):
        if any(o in needed for o in node.output):
            kept.append(node)
            probe = onnx.GraphProto()
            probe.node.append(node)
            needed.update(_read(probe))
    return kept[::-1]
