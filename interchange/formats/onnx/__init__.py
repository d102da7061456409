"""ONNX: export through skl2onnx / onnxmltools, evaluate with onnxruntime.

onnx, skl2onnx and onnxruntime are imported nowhere else in interchange, and only when an
ONNX document is loaded or written: sniffing a PMML or PFA document must not pay for importing
onnx (about 0.5 s, most of a cold load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interchange.batch import Columns
    from interchange.document import Document
    from interchange.ir.graph import Graph
    from interchange.model import Model
    from interchange.signature import Signature
    from interchange.verification import Tolerance

__all__ = ["ONNXFormat", "ONNXModel"]


def __getattr__(name: str) -> Any:
    if name == "ONNXModel":
        from interchange.formats.onnx.runtime import ONNXModel

        return ONNXModel
    raise AttributeError(name)


class ONNXFormat:
    """The ONNX format plugin."""

    name = "onnx"
    media_type = "application/onnx"
    suffixes: tuple[str, ...] = (".onnx",)

    def sniff(self, data: bytes) -> bool:
        # An ONNX ModelProto is protobuf: field 1 (ir_version, varint) comes first in practice.
        return data[:1] == b"\x08" and data.lstrip()[:1] not in (b"<", b"{")

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        if engine not in ("auto", "reference", "onnxruntime"):
            from interchange.errors import DocumentError

            raise DocumentError(f"ONNX documents run on onnxruntime, not {engine!r}", format="onnx")
        from interchange.formats.onnx.runtime import ONNXModel, parse

        return ONNXModel(document, parse(document))

    def ir_writer(self) -> Any:
        """The double IR writer, which ``convert`` tries before skl2onnx (``interchange check`` asks it first)."""
        from interchange.formats.onnx.ir_writer import IRWriter

        return IRWriter()

    def semantic_gap(self, step: Any) -> str | None:
        """Why converting ``step`` to ONNX would change what it computes (refused on every path), or None."""
        from interchange.formats.onnx.export import semantic_gap

        return semantic_gap(step)

    def supports(self, step: Any) -> str | None:
        """None when skl2onnx (or onnxmltools) has a converter for this step, else why not (the fallback path)."""
        from skl2onnx._supported_operators import sklearn_operator_name_map

        from interchange.formats.onnx import boosters
        from interchange.formats.onnx.export import semantic_gap

        boosters.register()
        if type(step) not in sklearn_operator_name_map:
            return f"skl2onnx has no converter for {type(step).__name__}"
        if type(step).__name__ == "FunctionTransformer" and getattr(step, "func", None) is not None:
            return "a FunctionTransformer runs arbitrary Python; no format can carry it"
        return semantic_gap(step)

    def export(
        self,
        estimator: Any,
        signature: Signature,
        sample: Columns,
        expected: Columns,
        *,
        graph: Graph | None = None,
        ir_refused: str = "",
    ) -> tuple[bytes, Tolerance]:
        from interchange.formats.onnx.export import export_estimator

        return export_estimator(estimator, signature, sample, expected, graph=graph, ir_refused=ir_refused)
