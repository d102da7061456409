"""The signature of an ONNX document we did not write (onnxmltools, skl2onnx, tf2onnx, ...).

Such a document says nothing about meaning, so it is read off the graph: one input field per
input column; integer, text and boolean outputs of width one are labels; the class labels of an
``ai.onnx.ml`` classifier (or its ZipMap) name the probability columns, whether they come as a
``[N, k]`` tensor or as ZipMap's sequence of maps (which converters often emit as the only
probability output). Each output field maps to ``[tensor, column index or map key]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from interchange.signature import InputField, OutputField, Signature

__all__ = ["infer", "dims"]

_LABEL_TYPES = {
    onnx.TensorProto.INT64: "integer",
    onnx.TensorProto.INT32: "integer",
    onnx.TensorProto.STRING: "string",
    onnx.TensorProto.BOOL: "boolean",
}
_PASS_THROUGH = {"Identity", "Cast", "Normalizer"}


def dims(value_info: Any) -> list[int | None]:
    return [d.dim_value if d.HasField("dim_value") else None for d in value_info.type.tensor_type.shape.dim]


def _labels(node: onnx.NodeProto) -> list[Any] | None:
    for a in node.attribute:
        if a.name == "classlabels_int64s" and a.ints:
            return list(a.ints)
        if a.name == "classlabels_strings" and a.strings:
            return [s.decode("utf-8") for s in a.strings]
    return None


def _origin(proto: onnx.ModelProto, tensor: str) -> tuple[onnx.NodeProto, int] | None:
    """The ai.onnx.ml classifier (or ZipMap) node a tensor comes from, through Identity/Cast/Normalizer."""
    producers = {out: (node, i) for node in proto.graph.node for i, out in enumerate(node.output)}
    ones = {t.name for t in proto.graph.initializer if np.all(numpy_helper.to_array(t) == 1)}
    seen = set()
    while tensor in producers and tensor not in seen:
        seen.add(tensor)
        node, i = producers[tensor]
        if node.domain == "ai.onnx.ml" and (node.op_type.endswith("Classifier") or node.op_type == "ZipMap"):
            return node, i
        if node.op_type == "Mul" and len(node.input) == 2 and node.input[1] in ones:  # onnxmltools' "x * one"
            tensor = node.input[0]
            continue
        if node.op_type not in _PASS_THROUGH or not node.input:
            return None
        tensor = node.input[0]
    return None


def _score_kind(node: onnx.NodeProto) -> str:
    """Scores of a linear or SVM classifier without a post transform are decision values."""
    transform = next((a.s.decode() for a in node.attribute if a.name == "post_transform"), "NONE")
    plain = node.op_type in ("LinearClassifier", "SVMClassifier") and transform == "NONE"
    return "decision" if plain and not any(a.name == "prob_a" for a in node.attribute) else "probability"


def infer(proto: onnx.ModelProto) -> tuple[Signature, dict[str, list[Any]], dict[str, list[Any]]]:
    """Signature, input map and output map of a foreign document."""
    init = {i.name for i in proto.graph.initializer}
    fields, imap = [], {}
    for vi in proto.graph.input:
        if vi.name in init:
            continue
        shape = dims(vi)
        width = shape[1] if len(shape) == 2 and shape[1] else 1
        text = vi.type.tensor_type.elem_type == onnx.TensorProto.STRING
        for i in range(width):
            name = vi.name if width == 1 else f"{vi.name}_{i}"
            fields.append(InputField(name, "string" if text else "double", "categorical" if text else "continuous"))
            imap[name] = [vi.name, i if width > 1 else None]
    outs, omap = [], {}
    classes: list[Any] | None = None
    for vi in proto.graph.output:
        origin = _origin(proto, vi.name)
        labels = _labels(origin[0]) if origin else None
        if vi.type.HasField("sequence_type"):  # ZipMap: one probability column per map key
            if origin is None or origin[0].op_type != "ZipMap" or labels is None:
                continue
            for key in labels:
                name = f"{vi.name}_{key}"
                outs.append(OutputField(name, "probability", "double", target=key))
                omap[name] = [vi.name, {"key": key}]
            classes = labels
            continue
        if not vi.type.HasField("tensor_type"):
            continue
        shape = dims(vi)
        width = shape[1] if len(shape) == 2 and shape[1] else 1
        elem = vi.type.tensor_type.elem_type
        scores = origin is not None and origin[1] == 1 and labels is not None and len(labels) == width
        for i in range(width):
            name = vi.name if width == 1 else f"{vi.name}_{i}"
            if scores:
                assert origin is not None and labels is not None
                outs.append(OutputField(name, _score_kind(origin[0]), "double", target=labels[i]))  # type: ignore[arg-type]
                classes = labels
            elif elem in _LABEL_TYPES and width == 1:
                outs.append(OutputField(name, "label", _LABEL_TYPES[elem]))  # type: ignore[arg-type]
            else:
                outs.append(OutputField(name, "value", "double"))
            omap[name] = [vi.name, i if len(shape) == 2 else None]
    task = "classification" if classes is not None else "regression"
    return Signature(tuple(fields), tuple(outs), tuple(classes) if classes else None, task), imap, omap
