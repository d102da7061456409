"""Keys of the ``metadata_props`` interchange writes into its ONNX documents.

The signature and the field-to-tensor maps let the runtime read any of our documents the same
way; ``interchange.writer`` says which writer made the document (the IR's double-precision
graph or skl2onnx) and ``interchange.ir_refused`` why the IR writer did not take it.
``interchange.missing_alone`` lists the outputs whose NaN is their own missing value, not the
row's (a residual where the actual value is missing): the runtime does not read it as no prediction.
"""

from __future__ import annotations

__all__ = [
    "META_SIGNATURE",
    "META_INPUTS",
    "META_OUTPUTS",
    "META_WRITER",
    "META_IR_REFUSED",
    "META_MISSING_ALONE",
    "IR_WRITER",
    "SKL2ONNX_WRITER",
]

META_SIGNATURE = "interchange.signature"
META_INPUTS = "interchange.inputs"
META_OUTPUTS = "interchange.outputs"
META_WRITER = "interchange.writer"
META_IR_REFUSED = "interchange.ir_refused"
META_MISSING_ALONE = "interchange.missing_alone"
IR_WRITER = "interchange IR, double precision"
SKL2ONNX_WRITER = "skl2onnx"
