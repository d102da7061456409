"""Match a reference subgraph against a document's nodes, operator by operator, by data flow.

A recogniser of a long, fixed shape (libsvm's Platt coupling as an ONNX ``Loop``) builds the
shape it expects with the writer's own builder, from constants read off the document, and asks
here whether the document computes exactly that: each reference node must have one document
node with the same operator, domain and attributes reading the matched tensors at the same
positions and constants of the same dtype, shape and value; subgraphs (a ``Loop`` body) match
recursively, their inputs and outputs position by position. Where reference nodes are alike
(the same operator on the same tensors), the document's first unmatched one is taken. The first
reference node with no counterpart is reported as a :class:`Mismatch` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import onnx
from onnx import helper, numpy_helper

__all__ = ["Mismatch", "match_nodes", "reads"]

Constant = Callable[[str], "np.ndarray | None"]


class Mismatch(Exception):
    """The document's nodes do not compute the reference; the message says where they part."""


def reads(node: onnx.NodeProto) -> set[str]:
    """Every tensor ``node`` reads, its subgraphs' outer-scope reads included."""
    out = {i for i in node.input if i}
    for attr in node.attribute:
        for g in ([attr.g] if attr.type == onnx.AttributeProto.GRAPH else []) + list(attr.graphs):
            for inner in g.node:
                out |= reads(inner)
    return out


def _same_const(a: np.ndarray, b: np.ndarray | None) -> bool:
    return b is not None and a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))


def _describe(node: onnx.NodeProto, mapping: dict[str, str], ref_const: Constant) -> str:
    args = []
    for i in node.input:
        c = ref_const(i)
        if c is not None:
            args.append(f"constant {c.reshape(-1)[:3].tolist()}" if c.size else "constant []")
        else:
            args.append(repr(mapping.get(i, i)))
    return f"{node.op_type}({', '.join(args)})"


def match_nodes(
    ref: Sequence[onnx.NodeProto],
    ref_const: Constant,
    doc: Sequence[onnx.NodeProto],
    doc_const: Constant,
    mapping: dict[str, str],
) -> list[int]:
    """The indices in ``doc`` of the nodes that compute ``ref`` (reference tensor names -> document
    tensor names in ``mapping``, extended in place); raises :class:`Mismatch` otherwise."""
    readers: dict[str, list[int]] = {}
    for n, node in enumerate(doc):
        for name in reads(node):
            readers.setdefault(name, []).append(n)
    used: list[int] = []
    for r in ref:
        inputs = [mapping[i] for i in r.input if i in mapping]
        if not inputs:
            raise Mismatch(f"the reference node {r.op_type} reads no matched tensor")
        found = next(
            (n for n in readers.get(inputs[0], []) if n not in used and _same(r, doc[n], mapping, ref_const, doc_const)), None
        )
        if found is None:
            raise Mismatch(f"no node {_describe(r, mapping, ref_const)} where the reference has one")
        if r.op_type == "Loop":
            _bodies(r, doc[found], mapping, ref_const, doc_const)
        used.append(found)
        mapping.update(zip(r.output, doc[found].output, strict=True))
    return used


def _same(r: onnx.NodeProto, d: onnx.NodeProto, mapping: dict[str, str], ref_const: Constant, doc_const: Constant) -> bool:
    if (r.op_type, r.domain or "ai.onnx", len(r.input), len(r.output)) != (
        d.op_type,
        d.domain or "ai.onnx",
        len(d.input),
        len(d.output),
    ):
        return False
    for a, b in zip(r.input, d.input, strict=True):
        c = ref_const(a) if a else None
        if a in mapping:
            if mapping[a] != b:
                return False
        elif c is not None:
            if not _same_const(c, doc_const(b) if b else None):
                return False
        elif a or b:
            return False
    ra = {x.name: x for x in r.attribute}
    da = {x.name: x for x in d.attribute}
    if set(ra) != set(da):
        return False
    for name, x in ra.items():
        if x.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            continue  # (bodies: matched once the node is found)
        va, vb = helper.get_attribute_value(x), helper.get_attribute_value(da[name])
        if isinstance(va, onnx.TensorProto):
            if not isinstance(vb, onnx.TensorProto) or not _same_const(numpy_helper.to_array(va), numpy_helper.to_array(vb)):
                return False
        elif va != vb:
            return False
    return True


def _bodies(r: onnx.NodeProto, d: onnx.NodeProto, mapping: dict[str, str], ref_const: Constant, doc_const: Constant) -> None:
    """A Loop's body: inputs by position, nodes by data flow, outputs by position."""
    rg = next(x.g for x in r.attribute if x.name == "body")
    dg = next((x.g for x in d.attribute if x.name == "body"), None)
    if dg is None or len(rg.input) != len(dg.input) or len(rg.output) != len(dg.output):
        raise Mismatch(f"the Loop {d.name or d.output[0]!r} carries other state than the reference's")
    inner = dict(mapping)
    for a, b in zip(rg.input, dg.input, strict=True):
        if a.type.tensor_type.elem_type != b.type.tensor_type.elem_type:
            raise Mismatch(f"the Loop body input {b.name!r} has another element type")
        inner[a.name] = b.name
    r_init = {t.name: numpy_helper.to_array(t) for t in rg.initializer}
    d_init = {t.name: numpy_helper.to_array(t) for t in dg.initializer}

    def rc(name: str) -> np.ndarray | None:
        return r_init[name] if name in r_init else ref_const(name)

    def dc(name: str) -> np.ndarray | None:
        return d_init[name] if name in d_init else doc_const(name)

    match_nodes(list(rg.node), rc, list(dg.node), dc, inner)
    for a, b in zip(rg.output, dg.output, strict=True):
        if inner.get(a.name) != b.name:
            raise Mismatch(f"the Loop body's output {b.name!r} is not the reference's")
