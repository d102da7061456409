"""An IR graph to a double-precision ONNX model with interchange's signature and tensor maps.

Inputs follow the ONNX export's convention: numbers as one ``[N, k]`` double matrix ``input``
(fields in signature order), or, when the pipeline routes named columns itself (a
ColumnTransformer first), one ``[N, 1]`` tensor per field, double or string. Outputs are a
label (``[N]``) and ``[N, k]`` double matrices, mapped onto the signature's fields in the
``interchange.outputs`` metadata, so the runtime reads them like any export.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnx
from onnx import helper

from interchange.errors import UnsupportedModelError
from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.registry import Emitted, lookup
from interchange.formats.onnx.meta import IR_WRITER, META_MISSING_ALONE
from interchange.ir.graph import Graph
from interchange.signature import Signature, class_index

__all__ = ["write_graph", "OPSETS", "MATRIX_INPUT"]

OPSETS = {"": 21, "ai.onnx.ml": 5}  # ai.onnx.ml 5: TreeEnsemble; OneHotEncoder is unchanged since 1
MATRIX_INPUT = "input"
_OUTPUTS = ("label", "probabilities", "decision", "value", "score", "cluster")


def _inputs(graph: Graph, b: Builder, per_field: bool) -> tuple[list[onnx.ValueInfoProto], dict[str, list[Any]]]:
    sig = graph.signature
    if per_field:
        infos, mapping = [], {}
        for f in sig.inputs:
            elem = STRING if f.type == "string" else DOUBLE
            infos.append(helper.make_tensor_value_info(f.name, elem, [None, 1]))
            b.define((f.name,), f.name, elem)
            mapping[f.name] = [f.name, None]
        return infos, mapping
    if any(f.type == "string" for f in sig.inputs):
        raise refuse("text inputs outside a ColumnTransformer")
    names = tuple(sig.input_names)
    b.define(names, MATRIX_INPUT)
    info = helper.make_tensor_value_info(MATRIX_INPUT, DOUBLE, [None, len(names)])
    return [info], {name: [MATRIX_INPUT, i] for i, name in enumerate(names)}


def _outputs(sig: Signature, emitted: Emitted, classes: list[Any]) -> dict[str, list[Any]]:
    """Signature field -> [output tensor, column] (None: the tensor is the column)."""
    per_class = sig.output("decision")
    mapping: dict[str, list[Any]] = {}
    for f in sig.outputs:
        own = ("label", "value", "cluster", "probability", "decision")
        if f.name in emitted.extra and (f.kind not in own or (f.kind == "cluster" and emitted.cluster is None)):
            mapping[f.name] = [f"extra:{f.name}", 0]  # a figure of the prediction (an Output expression)
            continue
        if f.kind in ("label", "cluster"):
            mapping[f.name] = [f.kind, None]
        elif f.kind in ("value", "score"):
            mapping[f.name] = [f.kind, 0]
        elif f.kind == "probability":
            mapping[f.name] = ["probabilities", class_index(classes, f.target, UnsupportedModelError, format="onnx")]
        elif f.kind == "decision":
            mapping[f.name] = ["decision", 0 if len(per_class) == 1 else per_class.index(f)]
        else:
            raise refuse(f"a {f.kind!r} output")
        if getattr(emitted, mapping[f.name][0]) is None:
            raise refuse(f"output {f.name!r} ({f.kind}), which this IR model step does not produce")
    return mapping


def _guard(b: Builder) -> str | None:
    """An always-true ``[N]`` mask computed from every Validate check (None without any)."""
    if not b.guards:
        return None
    axes = b.const([1, 2], np.int64, "axes")
    sums = [b.op("ReduceSum", [b.op("Cast", [g], to=DOUBLE), axes], keepdims=0) for g in b.guards]
    total = sums[0] if len(sums) == 1 else b.op("Sum", sums)
    return b.op("GreaterOrEqual", [total, b.const(0.0)], "valid")


def write_graph(graph: Graph, *, per_field: bool = False) -> tuple[onnx.ModelProto, dict[str, list[Any]], dict[str, list[Any]]]:
    """The ONNX model of ``graph``, its input map and output map (field -> [tensor, column]).

    Raises UnsupportedModelError (format "onnx") for what the writer cannot express; the
    converter then falls back to skl2onnx.
    """
    b = Builder()
    inputs, input_map = _inputs(graph, b, per_field)
    from interchange.formats.onnx.emit.validity import never_missing
    from interchange.ir.derive.expressions import Derive

    write_model = lookup(graph.model)  # a model step without a form is refused by name before any step is written
    for step in graph.steps:
        lookup(step)(step, b)
        if isinstance(step, Derive) and never_missing(step.expression, b.present):
            b.present.add(step.outputs[0])
    emitted: Emitted = write_model(graph.model, b)
    from interchange.ir.reported import Reported

    model = graph.model.model if isinstance(graph.model, Reported) else graph.model  # (its prediction's classes)
    inner = getattr(model, "model", None)  # a figure step (VoteShares, ...) wraps the model that has the classes
    classes = list(getattr(model, "classes", None) or getattr(inner, "classes", None) or [])
    output_map = _outputs(graph.signature, emitted, classes)
    used = {tensor for tensor, _ in output_map.values()}
    taken = {i.name for i in inputs}
    outputs, rename = [], {}
    guard = _guard(b)
    for kind in _OUTPUTS:
        source = getattr(emitted, kind)
        if source is None or kind not in used:
            continue
        if guard is not None:  # the output waits for the validity checks, which fail the batch on a bad value
            mask = guard if kind in ("label", "cluster") else b.op("Unsqueeze", [guard, b.const([1], np.int64, "axes")])
            guarded = b.op("Where", [mask, source, source], kind)
            b.types[guarded] = b.types.get(source, DOUBLE)
            source = guarded
        name = kind if kind not in taken else f"{kind}.out"
        rename[kind] = name
        b.nodes.append(helper.make_node("Identity", [source], [name], name=name))
        if kind in ("label", "cluster"):
            outputs.append(helper.make_tensor_value_info(name, b.types[source], [None]))
        else:
            outputs.append(helper.make_tensor_value_info(name, DOUBLE, [None, None]))
    for k, (field, tensor) in enumerate((f, t) for f, t in emitted.extra.items() if f"extra:{f}" in used):
        if guard is not None:
            mask = b.op("Unsqueeze", [guard, b.const([1], np.int64, "axes")])
            guarded = b.op("Where", [mask, tensor, tensor], "figure")
            b.types[guarded] = b.types.get(tensor, DOUBLE)
            tensor = guarded
        name = f"figure.{k}"
        rename[f"extra:{field}"] = name
        b.nodes.append(helper.make_node("Identity", [tensor], [name], name=name))
        outputs.append(helper.make_tensor_value_info(name, b.types.get(tensor, DOUBLE), [None, 1]))
    output_map = {field: [rename[t], col] for field, (t, col) in output_map.items()}
    domains = {n.domain for n in b.nodes}
    opsets = [helper.make_opsetid(d, v) for d, v in OPSETS.items() if d in domains or d == ""]
    proto = helper.make_graph(b.nodes, "interchange", inputs, outputs, b.initializers)
    model = helper.make_model(proto, opset_imports=opsets, producer_name="interchange", doc_string=IR_WRITER)
    alone = sorted(f for f in emitted.alone if f in output_map)  # (the runtime's no-prediction rule passes them by)
    if alone:
        model.metadata_props.append(onnx.StringStringEntryProto(key=META_MISSING_ALONE, value=json.dumps(alone)))
    return model, input_map, output_map
