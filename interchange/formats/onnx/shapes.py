"""How the rows of a batch feed the inputs of an ONNX graph we did not write.

Converters declare input shapes loosely: ``[N]`` (one value per row: LabelEncoder, a single
feature), ``[N, k]``, ``[N, ?]`` with the width left open (older skl2onnx / onnxmltools,
hand-built graphs), or a fixed batch (``[1, k]`` from ``FloatTensorType([1, k])``, tf2onnx
exports). The width of an open ``[N, ?]`` input is read off the ``ai.onnx.ml`` operators that
consume it (ONNX-ML operator specs: TreeEnsemble* ``nodes_featureids``, Linear* ``coefficients``,
SVM* ``support_vectors`` / ``coefficients``, Scaler ``scale``, Imputer ``imputed_value_floats``,
ArrayFeatureExtractor's constant indices, MatMul / Gemm's constant weights). Inputs of more than
two dimensions, and inputs whose fixed batch sizes differ, are not rows of a table: such a graph
is refused with a DocumentError naming the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from interchange.errors import DocumentError

__all__ = ["dims", "open_width", "fixed_batch", "check_inputs"]

_THROUGH = {"Identity", "Cast", "Normalizer", "Binarizer", "Abs", "Neg", "Relu", "Sigmoid", "Tanh"}


def dims(value_info: Any) -> list[int | None]:
    return [d.dim_value if d.HasField("dim_value") else None for d in value_info.type.tensor_type.shape.dim]


def _attr(node: onnx.NodeProto, name: str) -> Any:
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return None


def _consumer_width(node: onnx.NodeProto, position: int, consts: dict[str, np.ndarray]) -> int | None:
    """The number of columns ``node`` reads from its input ``position``, where its attributes say."""
    op = node.op_type
    if op.startswith("TreeEnsemble"):
        ids = _attr(node, "nodes_featureids")  # TreeEnsembleClassifier / Regressor, and opset 5's TreeEnsemble
        return int(max(ids)) + 1 if ids else None
    if op in ("LinearClassifier", "LinearRegressor"):
        coefs = _attr(node, "coefficients")
        if not coefs:
            return None
        if op == "LinearRegressor":
            outputs = _attr(node, "targets") or 1
        else:
            labels = _attr(node, "classlabels_ints") or _attr(node, "classlabels_strings") or []
            intercepts = _attr(node, "intercepts") or []
            outputs = len(intercepts) or len(labels) or 1
        return len(coefs) // outputs if len(coefs) % outputs == 0 else None
    if op in ("SVMClassifier", "SVMRegressor"):
        vectors = _attr(node, "support_vectors")
        count = _attr(node, "n_supports")  # per class (SVMClassifier) or in all (SVMRegressor)
        total = sum(count) if isinstance(count, list) else count
        if vectors and total:
            return len(vectors) // int(total)
        coefs = _attr(node, "coefficients")  # a linear SVM: one row of coefficients
        return len(coefs) if coefs and not vectors and op == "SVMRegressor" else None
    if op == "Scaler":
        scale = _attr(node, "scale") or _attr(node, "offset")
        return len(scale) if scale and len(scale) > 1 else None
    if op == "Imputer":
        values = _attr(node, "imputed_value_floats") or _attr(node, "imputed_value_int64s")
        return len(values) if values and len(values) > 1 else None
    if op == "ArrayFeatureExtractor" and position == 0 and len(node.input) > 1 and node.input[1] in consts:
        return int(np.max(consts[node.input[1]])) + 1
    if op in ("MatMul", "Gemm") and position == 0 and len(node.input) > 1 and node.input[1] in consts:
        weights = consts[node.input[1]]
        if weights.ndim == 2:
            return int(weights.shape[1] if op == "Gemm" and _attr(node, "transB") else weights.shape[0])
    return None


def open_width(proto: onnx.ModelProto, tensor: str) -> int | None:
    """The width of an ``[N, ?]`` input, from the operators reading it (through element-wise ones)."""
    consts = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in proto.graph.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, i))
    widths: set[int] = set()
    todo, seen = [tensor], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node, i in consumers.get(name, []):
            if node.op_type in _THROUGH:
                todo.extend(node.output[:1])
                continue
            width = _consumer_width(node, i, consts)
            if width is not None:
                widths.add(width)
    return max(widths) if widths else None


def fixed_batch(proto: onnx.ModelProto) -> int | None:
    """The batch size every row input is fixed at (``[1, k]`` exports), or None when it is free."""
    init = {i.name for i in proto.graph.initializer}
    sizes = {dims(vi)[0] for vi in proto.graph.input if vi.name not in init and dims(vi)}
    return next(iter(sizes)) if len(sizes) == 1 and None not in sizes and 0 not in sizes else None


def check_inputs(proto: onnx.ModelProto) -> None:
    """Refuse graphs whose inputs are not rows of a table (see the module docstring)."""
    init = {i.name for i in proto.graph.initializer}
    inputs = [vi for vi in proto.graph.input if vi.name not in init]
    for vi in inputs:
        if vi.type.HasField("tensor_type") and len(dims(vi)) > 2:
            raise DocumentError(
                f"ONNX input {vi.name!r} has {len(dims(vi))} dimensions {dims(vi)}; interchange scores rows, "
                "fed as [N] or [N, k] tensors",
                format="onnx",
                path=vi.name,
            )
    fixed = {vi.name: dims(vi)[0] for vi in inputs if dims(vi) and dims(vi)[0]}
    if len(set(fixed.values())) > 1 or (fixed and len(fixed) < len([vi for vi in inputs if dims(vi)])):
        raise DocumentError(
            f"ONNX inputs do not share a batch dimension (first dimensions {fixed}, others free); "
            "interchange feeds every input one row per record",
            format="onnx",
        )
