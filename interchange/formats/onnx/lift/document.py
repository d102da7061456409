"""Lift an ONNX document (ai.onnx.ml operators and the ai.onnx arithmetic converters emit) into the IR.

The lifter (``lift.lifter``) runs the graph symbolically; here its inputs are set up (float
tensors rounded to float32, a missing text read as "" as the runtime feeds it) and the values at
the signature's output tensors are turned into the one IR model step, or the reasons why not.
"""

from __future__ import annotations

from typing import Any

import onnx

from interchange.document import Document
from interchange.formats.onnx.lift.blanks import without_blanks
from interchange.formats.onnx.lift.double import Trees, trees_model
from interchange.formats.onnx.lift.lifter import Lifter
from interchange.formats.onnx.lift.models.affinity import with_affinities
from interchange.formats.onnx.lift.models.distance import Dist
from interchange.formats.onnx.lift.models.naive_bayes import Jll, jll_model
from interchange.formats.onnx.lift.models.svm import Form, form_output
from interchange.formats.onnx.lift.models.targets import several, targets_model
from interchange.formats.onnx.lift.values import Cols, Lin, Pred
from interchange.formats.onnx.runtime import parse
from interchange.ir.derive.expressions import Call, Const, Ref
from interchange.ir.graph import Graph
from interchange.ir.lifted import Lifted, Reason, Unliftable

__all__ = ["lift_onnx"]


def lift_onnx(data: bytes) -> Lifted:
    parsed = parse(Document("onnx", data))
    sig = parsed.signature
    lifter = Lifter(parsed.proto, sig.classes)
    reasons: list[Reason] = []
    groups: dict[str, list[tuple[int, str]]] = {}
    for name, (tensor, col) in parsed.inputs.items():
        groups.setdefault(tensor, []).append((col or 0, name))
    elem = {i.name: i.type.tensor_type.elem_type for i in parsed.proto.graph.input}
    for tensor, parts in groups.items():
        names = [n for _, n in sorted(parts)]
        if elem.get(tensor) == onnx.TensorProto.FLOAT:
            names = [lifter.derive(f"{n}:f32", Ref(n), True) for n in names]
            lifter.values[tensor] = Cols(names, True)
        elif elem.get(tensor) == onnx.TensorProto.STRING:  # the feed sends a missing text as "" (runtime.py)
            empty = [
                lifter.derive(f"{n}:text", Call("if", (Call("isMissing", (Ref(n),)), Const(""), Ref(n))), None) for n in names
            ]
            lifter.empty_text.update(zip(empty, names, strict=True))
            lifter.values[tensor] = Cols(empty, False)
        elif elem.get(tensor) == onnx.TensorProto.DOUBLE:
            lifter.values[tensor] = Cols(names, False)
        else:
            reasons.append(Reason(f"input {tensor}", f"input element type {elem.get(tensor)} has no IR form yet"))
    for node in without_blanks(parsed.proto.graph):  # (the IR's model steps blank missing rows themselves)
        try:
            lifter.node(node)
        except Unliftable as exc:
            reasons.append(exc.reason)
            break
    model = None
    wanted = {tensor for f, (tensor, _) in parsed.outputs.items() if sig.output_names and f in sig.output_names}
    multi = [t for t in wanted if several(lifter.values.get(t)) is not None]
    if multi and not reasons:  # a multi-target regressor: one output per target (lift.models.targets)
        return _targets(parsed, lifter, multi[0], len(wanted))
    found: list[Any] = []
    by_tensor: dict[str, Any] = {}
    try:
        for tensor in wanted:
            v = lifter.values.get(tensor)
            if isinstance(v, Trees):
                v = Pred(trees_model(v, sig.classes, "graph outputs"))
            elif isinstance(v, Jll):
                v = Pred(jll_model(v, sig.classes, "graph outputs"))
            elif isinstance(v, Form):  # machine values read as outputs: the decision columns they must be
                cols = [c or 0 for f, (t, c) in parsed.outputs.items() if t == tensor and f in sig.output_names]
                v = form_output(v, cols, "graph outputs")
            found.append(v)
            by_tensor[tensor] = v
    except Unliftable as exc:
        reasons.append(exc.reason)
    if not reasons and any(isinstance(v, Dist) for v in found):  # skl2onnx KMeans' "scores" (lift.models.affinity)
        columns = {f: (t, c) for f, (t, c) in parsed.outputs.items() if f in sig.output_names}
        try:
            found, sig = with_affinities(by_tensor, columns, sig)
        except Unliftable as exc:
            reasons.append(exc.reason)
    preds = {id(v.model): v.model for v in found if isinstance(v, Pred)}
    lins = [v for v in found if isinstance(v, Lin)]
    if not reasons and (lins or preds):
        if lins and not preds:
            try:
                preds = {0: lifter.linear(lins[0], sig.classes)}
            except Unliftable as exc:
                reasons.append(exc.reason)
    if not reasons:
        if len(preds) != 1:
            kinds = sorted({type(v).__name__ for v in found})
            reasons.append(Reason("graph outputs", f"outputs are not one model's prediction (found {kinds})"))
        else:
            model = next(iter(preds.values()))
    lifted = [(f"node {n}", kind) for n, kind in lifter.done]
    graph = Graph(sig, tuple(lifter.steps), model) if model is not None and not reasons else None
    return Lifted("onnx", sig, graph, tuple(reasons), tuple(lifted))


def _targets(parsed: Any, lifter: Lifter, tensor: str, outputs: int) -> Lifted:
    sig, reasons, graph = parsed.signature, [], None
    parts = several(lifter.values.get(tensor))
    assert parts is not None  # (the caller found them)
    columns = {f: c or 0 for f, (t, c) in parsed.outputs.items() if t == tensor and f in sig.output_names}
    if outputs != 1:
        reasons.append(Reason("graph outputs", "a multi-target regressor's values beside other outputs"))
    else:
        try:
            model, sig = targets_model(parts.parts, sig, columns)
            graph = Graph(sig, tuple(lifter.steps), model)
        except Unliftable as exc:
            reasons.append(exc.reason)
    lifted = tuple((f"node {n}", kind) for n, kind in lifter.done)
    return Lifted("onnx", sig, graph, tuple(reasons), lifted)
