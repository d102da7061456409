"""Whether an ONNX graph computes in float32: what tolerance a conversion to or from it can promise.

One rule for both uses: the tolerance ``export`` states for a converter's graph, and the one
cross-format conversion (``interchange.crossformat``) allows a document lifted from ONNX.
"""

from __future__ import annotations

import onnx

__all__ = ["computes_in_float32"]

_FLOAT = onnx.TensorProto.FLOAT
# ai.onnx.ml operators whose outputs are float32 whatever their input (onnxruntime's kernels)
_FLOAT_OUTPUT_ML_OPS = {"SVMClassifier", "SVMRegressor", "LinearClassifier", "LinearRegressor", "Normalizer", "Scaler"}


def computes_in_float32(model: bytes | onnx.ModelProto) -> bool:
    """True when any part of the graph works in float32, whatever its input and output types.

    Float32 anywhere: a graph input or output, an initializer, a tensor attribute, a Cast to
    float; an ``ai.onnx.ml`` operator that returns float32 (SVM, linear, Normalizer, Scaler) or
    holds float32 parameters (FLOAT / FLOATS attributes: TreeEnsembleClassifier / Regressor
    before opset 3's ``*_as_tensor``, Binarizer's threshold, Imputer, LabelEncoder floats).
    Converters' graphs (skl2onnx, onnxmltools) mostly do; the double IR writer's graphs hold no
    float32 anywhere (TreeEnsemble opset 5 in double) and keep the double tolerance.
    """
    proto = onnx.load_model_from_string(model) if isinstance(model, bytes) else model
    g = proto.graph
    if any(v.type.tensor_type.elem_type == _FLOAT for v in [*g.input, *g.output]):
        return True
    if any(t.data_type == _FLOAT for t in g.initializer):
        return True
    for node in g.node:
        if node.domain == "ai.onnx.ml" and node.op_type in _FLOAT_OUTPUT_ML_OPS:
            return True
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == _FLOAT:
                return True
            if node.op_type == "Cast" and a.name == "to" and a.i == _FLOAT:
                return True
            if node.domain == "ai.onnx.ml" and a.type in (onnx.AttributeProto.FLOAT, onnx.AttributeProto.FLOATS):
                return True
    return False
