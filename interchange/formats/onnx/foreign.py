"""The signature of an ONNX document we did not write (onnxmltools, skl2onnx, tf2onnx, ...).

Such a document says nothing about meaning, so it is read off the graph: one input field per
input column; integer, text and boolean outputs of width one are labels; the class labels of an
``ai.onnx.ml`` classifier (or its ZipMap) name the probability columns, whether they come as a
``[N, k]`` tensor or as ZipMap's sequence of maps (which converters often emit as the only
probability output). Each output field maps to ``[tensor, column index or map key]``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import onnx
from onnx import numpy_helper

from interchange.errors import DocumentError
from interchange.formats.onnx.shapes import check_inputs, dims, open_width
from interchange.signature import InputField, OutputField, OutputKind, Signature

__all__ = ["infer", "dims"]

_LABEL_TYPES: dict[int, str] = {
    onnx.TensorProto.INT64: "integer",
    onnx.TensorProto.INT32: "integer",
    onnx.TensorProto.INT16: "integer",
    onnx.TensorProto.INT8: "integer",
    onnx.TensorProto.UINT8: "integer",
    onnx.TensorProto.UINT16: "integer",
    onnx.TensorProto.UINT32: "integer",
    onnx.TensorProto.STRING: "string",
    onnx.TensorProto.BOOL: "boolean",
}
_AVRO_ITEMS = {"integer": "long", "string": "string", "boolean": "boolean"}
_PASS_THROUGH = {"Identity", "Cast", "Normalizer"}


def _labels(node: onnx.NodeProto) -> list[Any] | None:
    for a in node.attribute:
        if a.name in ("classlabels_int64s", "classlabels_ints") and a.ints:  # tree ensembles / linear and SVM classifiers
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


def _score_kind(node: onnx.NodeProto) -> OutputKind:
    """Scores of a linear or SVM classifier without a post transform are decision values."""
    transform = next((a.s.decode() for a in node.attribute if a.name == "post_transform"), "NONE")
    plain = node.op_type in ("LinearClassifier", "SVMClassifier") and transform == "NONE"
    return "decision" if plain and not any(a.name == "prob_a" for a in node.attribute) else "probability"


# operators whose result is a probability (or on the way to one); a tree ensemble classifier's scores are its votes
_PROBABILITY_OPS = {"Softmax", "LogSoftmax", "Sigmoid", "Normalizer", "ReduceSum", "Exp", "Erf", "TreeEnsembleClassifier"}


def _zipmap_kind(proto: onnx.ModelProto, zipmap: onnx.NodeProto) -> OutputKind:
    """What a ZipMap's "probabilities" are: decision values when they come from a linear or SVM
    classifier's plain scores or a MatMul / Gemm (skl2onnx writes SGDClassifier(hinge), NuSVC and
    LinearSVC decision functions through ZipMap as ``output_probability``) with no operator on the
    way that makes a probability; probabilities otherwise."""
    producers = {out: node for node in proto.graph.node for out in node.output}
    seen: set[int] = set()
    todo = list(zipmap.input)
    scores = False
    while todo:
        node = producers.get(todo.pop())
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.op_type in _PROBABILITY_OPS:
            return "probability"
        if node.domain == "ai.onnx.ml" and node.op_type.endswith("Classifier"):
            if _score_kind(node) == "probability":
                return "probability"
            scores = True
            continue
        scores = scores or node.op_type in ("MatMul", "Gemm")
        todo.extend(node.input)
    return "decision" if scores else "probability"


def _input_fields(proto: onnx.ModelProto) -> tuple[list[InputField], dict[str, list[Any]], dict[str, str]]:
    """One field per input column, typed by the tensor's element type; generated names for a
    ``[N, k]`` tensor (``X_0 .. X_{k-1}``), with a note of how a batch feeds them."""
    init = {i.name for i in proto.graph.initializer}
    fields, imap, notes = [], {}, {}
    for vi in proto.graph.input:
        if vi.name in init:
            continue
        shape = dims(vi)
        width = shape[1] if len(shape) == 2 and shape[1] else 1
        if len(shape) == 2 and not shape[1]:  # [N, ?]: as wide as the operators reading it
            found = open_width(proto, vi.name)
            if found is None:
                raise DocumentError(
                    f"ONNX input {vi.name!r} is [N, ?] and no operator reading it says how many columns it has; "
                    "give the input a fixed width when converting",
                    format="onnx",
                    path=vi.name,
                )
            width = found
        kind = _LABEL_TYPES.get(vi.type.tensor_type.elem_type, "double")
        optype = "categorical" if kind in ("string", "boolean") else "continuous"
        names = [vi.name] if width == 1 else [f"{vi.name}_{i}" for i in range(width)]
        for i, name in enumerate(names):
            fields.append(InputField(name, kind, optype))  # type: ignore[arg-type]  # _LABEL_TYPES values are DataType names
            imap[name] = [vi.name, i if width > 1 else None]
        if width > 1:
            notes[vi.name] = f"columns {names[0]} .. {names[-1]} of a [N, {width}] tensor"
    return fields, imap, notes


def _vector_field(name: str, elem: int) -> OutputField:
    """An output of unknown or several dimensions per row: one vector (a list) per row."""
    kind = _LABEL_TYPES.get(elem)
    if kind is None:
        return OutputField(name, "value", "array")
    return OutputField(name, "label", "avro", schema={"type": "array", "items": _AVRO_ITEMS[kind]})


def _targets_width(proto: onnx.ModelProto, tensor: str, shape: list[Any]) -> list[Any]:
    """``shape`` with the width a regressor with several targets gives (skl2onnx declares a multi-target
    TreeEnsembleRegressor's output ``[N, 1]``; onnxruntime gives ``[N, n_targets]``)."""
    node = next((n for n in proto.graph.node if tensor in n.output), None)
    if node is None or node.op_type not in ("TreeEnsembleRegressor", "LinearRegressor") or len(shape) != 2:
        return shape
    at = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    k = at.get("n_targets", at.get("targets", 1))
    return [shape[0], k] if isinstance(k, int) and k > 1 else shape


def infer(proto: onnx.ModelProto) -> tuple[Signature, dict[str, list[Any]], dict[str, list[Any]]]:
    """Signature, input map and output map of a foreign document."""
    check_inputs(proto)
    fields, imap, notes = _input_fields(proto)
    outs, omap = [], {}
    classes: list[Any] | None = None
    for vi in proto.graph.output:
        origin = _origin(proto, vi.name)
        labels = _labels(origin[0]) if origin else None
        if vi.type.HasField("sequence_type"):  # ZipMap: one probability column per map key
            if origin is None or origin[0].op_type != "ZipMap" or labels is None:
                continue
            zipped = _zipmap_kind(proto, origin[0])
            for key in labels:
                name = f"{vi.name}_{key}"
                outs.append(OutputField(name, zipped, "double", target=key))
                omap[name] = [vi.name, {"key": key}]
            classes = labels
            continue
        if not vi.type.HasField("tensor_type"):
            continue
        shape = _targets_width(proto, vi.name, dims(vi))
        elem = vi.type.tensor_type.elem_type
        scores = origin is not None and origin[1] == 1 and labels is not None and len(shape) == 2
        if scores and shape[1] is None:
            assert labels is not None
            shape = [shape[0], len(labels)]  # a classifier's scores: one column per class label
        if len(shape) > 2 or (len(shape) == 2 and not shape[1]):
            outs.append(_vector_field(vi.name, elem))
            omap[vi.name] = [vi.name, "row"]
            continue
        width = shape[1] if len(shape) == 2 else 1
        assert width is not None  # an unknown width took the vector branch above
        scores = scores and labels is not None and len(labels) == width
        kind = _LABEL_TYPES.get(elem, "double")
        for i in range(width):
            name = vi.name if width == 1 else f"{vi.name}_{i}"
            if scores:
                assert origin is not None and labels is not None
                outs.append(OutputField(name, _score_kind(origin[0]), "double", target=labels[i]))
                classes = labels
            elif kind != "double":  # integers, text and booleans keep their type, one column each
                outs.append(OutputField(name, "label", kind))  # type: ignore[arg-type]  # _LABEL_TYPES values are DataType names
            else:
                outs.append(OutputField(name, "value", "double"))
            omap[name] = [vi.name, i if len(shape) == 2 else None]
    if classes is None:
        found = _argmax_classes(proto, outs, omap)
        if found is not None:
            classes, outs = found
    task: Literal["classification", "regression"] = "classification" if classes is not None else "regression"
    meta = {"positional": True, "inputs": notes} if notes else {}
    return Signature(tuple(fields), tuple(outs), tuple(classes) if classes else None, task, meta), imap, omap


_SHAPING = {"Identity", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze"}


def _argmax_classes(
    proto: onnx.ModelProto, outs: list[OutputField], omap: dict[str, list[Any]]
) -> tuple[list[Any], list[OutputField]] | None:
    """A classifier written in plain operators (skl2onnx's k-NN, ...): the label is
    ``ArrayFeatureExtractor(classes, ArgMax(scores))`` and an output of one column per class is
    those scores (or the scores over their ReduceSum, or their Softmax). Then the constant names the classes and that
    output's columns are the probabilities; otherwise nothing is inferred."""
    producers = {out: node for node in proto.graph.node for out in node.output}
    consts = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}

    def back(tensor: str) -> onnx.NodeProto | None:
        node = producers.get(tensor)
        while node is not None and node.op_type in _SHAPING and node.input:
            node = producers.get(node.input[0])
        return node

    for f in outs:
        node = back(omap[f.name][0]) if f.kind == "label" else None
        if node is None or node.op_type != "ArrayFeatureExtractor" or node.input[0] not in consts:
            continue
        arg = back(node.input[1])
        if arg is None or arg.op_type != "ArgMax":
            continue
        labels = [v.item() if hasattr(v, "item") else v for v in consts[node.input[0]].reshape(-1)]
        labels = [v.decode() if isinstance(v, bytes) else v for v in labels]
        scores = arg.input[0]
        tensors = {omap[o.name][0] for o in outs if o.kind == "value" and o.type == "double"}
        for tensor in tensors:
            columns = [o for o in outs if omap[o.name][0] == tensor]
            top = producers.get(tensor)
            total = producers.get(top.input[1]) if top is not None and len(top.input) == 2 else None
            divided = top is not None and top.op_type == "Div" and top.input[0] == scores
            divided = divided and total is not None and total.op_type == "ReduceSum" and total.input[0] == scores
            softmax = top is not None and top.op_type == "Softmax" and top.input[0] == scores  # skl2onnx, double logistic
            if len(columns) == len(labels) and (tensor == scores or divided or softmax):
                probs = {o.name: labels[int(omap[o.name][1])] for o in columns}
                new = [OutputField(o.name, "probability", "double", target=probs[o.name]) if o.name in probs else o for o in outs]
                return labels, new
    return None
