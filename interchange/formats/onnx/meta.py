"""Keys of the ``metadata_props`` interchange writes into its ONNX documents.

The signature and the field-to-tensor maps let the runtime read any of our documents the same
way; ``interchange.writer`` says which writer made the document (the IR's double-precision
graph or skl2onnx) and ``interchange.ir_refused`` why the IR writer did not take it.
"""

from __future__ import annotations

__all__ = ["META_SIGNATURE", "META_INPUTS", "META_OUTPUTS", "META_WRITER", "META_IR_REFUSED", "IR_WRITER", "SKL2ONNX_WRITER"]

META_SIGNATURE = "interchange.signature"
META_INPUTS = "interchange.inputs"
META_OUTPUTS = "interchange.outputs"
META_WRITER = "interchange.writer"
META_IR_REFUSED = "interchange.ir_refused"
IR_WRITER = "interchange IR, double precision"
SKL2ONNX_WRITER = "skl2onnx"
