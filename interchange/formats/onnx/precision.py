"""Whether an ONNX graph computes in float32: what tolerance a conversion from it can promise."""

from __future__ import annotations

import onnx

__all__ = ["computes_in_float32"]

_FLOAT = onnx.TensorProto.FLOAT


def computes_in_float32(data: bytes) -> bool:
    """True when any graph input or output, initializer, tensor attribute or Cast is float32.

    Converters' graphs (skl2onnx, onnxmltools) compute and return float32, so a document lifted
    from them agrees with its conversion to a few float32 ulps only; the double IR writer's
    graphs hold no float32 anywhere (ai.onnx.ml operators in double) and keep the double tolerance.
    """
    model = onnx.load_model_from_string(data)
    g = model.graph
    if any(v.type.tensor_type.elem_type == _FLOAT for v in [*g.input, *g.output]):
        return True
    if any(t.data_type == _FLOAT for t in g.initializer):
        return True
    for node in g.node:
        if node.domain == "ai.onnx.ml" and node.op_type != "TreeEnsemble" and node.op_type not in ("OneHotEncoder",):
            return True  # TreeEnsembleClassifier / Regressor, LinearClassifier, Scaler, ...: float32 outputs
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == _FLOAT:
                return True
            if node.op_type == "Cast" and a.name == "to" and a.i == _FLOAT:
                return True
    return False
