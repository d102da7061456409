"""ONNX: export through skl2onnx / onnxmltools, evaluate with onnxruntime.

onnx, skl2onnx and onnxruntime are imported nowhere else in interchange.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import Columns
from interchange.document import Document
from interchange.formats.onnx.export import export_estimator, semantic_gap
from interchange.formats.onnx.runtime import ONNXModel, parse
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Tolerance

__all__ = ["ONNXFormat", "ONNXModel"]


class ONNXFormat:
    """The ONNX format plugin."""

    name = "onnx"
    media_type = "application/onnx"
    suffixes = (".onnx",)

    def sniff(self, data: bytes) -> bool:
        # An ONNX ModelProto is protobuf: field 1 (ir_version, varint) comes first in practice.
        return data[:1] == b"\x08" and data.lstrip()[:1] not in (b"<", b"{")

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        if engine not in ("auto", "reference", "onnxruntime"):
            from interchange.errors import DocumentError

            raise DocumentError(f"ONNX documents run on onnxruntime, not {engine!r}", format="onnx")
        return ONNXModel(document, parse(document))

    def supports(self, step: Any) -> str | None:
        """None when skl2onnx (or onnxmltools) has a converter for this step, else why not."""
        from skl2onnx._supported_operators import sklearn_operator_name_map

        from interchange.formats.onnx import boosters

        boosters.register()
        if type(step) not in sklearn_operator_name_map:
            return f"skl2onnx has no converter for {type(step).__name__}"
        if type(step).__name__ == "FunctionTransformer" and getattr(step, "func", None) is not None:
            return "a FunctionTransformer runs arbitrary Python; no format can carry it"
        return semantic_gap(step)

    def export(self, estimator: Any, signature: Signature, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        return export_estimator(estimator, signature, sample, expected)
