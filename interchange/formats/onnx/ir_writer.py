"""ONNX from the IR, in double precision: the first choice for estimators the IR holds.

skl2onnx writes trees and most linear operators in float32, so an ONNX forest or booster
could disagree with its source near a split and carried a float tolerance. The IR already
holds what the source computes (thresholds with its float32 input rounding folded in), and
``formats.onnx.emit`` writes it with double operators: the document then verifies at the same
tolerance as PMML and PFA. What the IR or the writer cannot express raises
UnsupportedModelError, and the converter falls back to skl2onnx.
"""

from __future__ import annotations

import json
from typing import Any

import onnx

from interchange.errors import UnsupportedModelError
from interchange.formats.onnx.emit import write_graph
from interchange.formats.onnx.meta import IR_WRITER, META_INPUTS, META_OUTPUTS, META_SIGNATURE, META_WRITER
from interchange.ir.graph import Graph
from interchange.signature import Signature
from interchange.verification import Tolerance

__all__ = ["export_ir", "write_document", "write_steps", "finish", "TOLERANCE"]

TOLERANCE = Tolerance(1e-9, 1e-12, "double precision end to end (IR writer, onnxruntime double operators)")


def export_ir(graph: Graph, signature: Signature, *, per_field: bool) -> tuple[onnx.ModelProto, dict[str, str], Tolerance]:
    """The double-precision model, its metadata and tolerance; UnsupportedModelError if the writer cannot express it."""
    import onnxruntime as ort

    model, inputs, outputs = write_graph(graph, per_field=per_field)
    try:
        onnx.checker.check_model(model, full_check=True)
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    except Exception as exc:  # a writer bug must not cost the user the skl2onnx document
        raise UnsupportedModelError(f"the IR's ONNX graph does not load: {type(exc).__name__}: {exc}", format="onnx") from exc
    meta = {
        META_SIGNATURE: signature.to_json(),
        META_INPUTS: json.dumps(inputs),
        META_OUTPUTS: json.dumps(outputs),
        META_WRITER: IR_WRITER,
    }
    return model, meta, TOLERANCE.for_source(getattr(graph.model, "source_rounding", None))


def finish(model: onnx.ModelProto, meta: dict[str, str], signature: Signature) -> bytes:
    """The document's bytes, with interchange's metadata (signature, tensor maps, writer, lineage)."""
    for key, value in {**meta, **signature.meta.get("lineage_props", {})}.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    model.producer_name = "interchange"
    return model.SerializeToString()


def write_document(graph: Graph) -> bytes:
    """ONNX bytes for a graph lifted from another document (cross-format conversion).

    Numeric inputs go in as one [N, k] double matrix, as our export writes them; a graph with
    text inputs takes one tensor per field.
    """
    per_field = any(f.type in ("string", "boolean") for f in graph.signature.inputs)
    model, meta, _ = export_ir(graph, graph.signature, per_field=per_field)
    return finish(model, meta, graph.signature)


def write_steps(signature: Signature, steps: list[Any]) -> None:
    """Emit transformation steps alone (one [N, 1] tensor per input), only to learn whether the
    IR writer holds them: UnsupportedModelError for one it cannot express (``interchange check``)."""
    from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder
    from interchange.formats.onnx.emit.registry import lookup

    b = Builder()
    for f in signature.inputs:
        b.define((f.name,), f.name, STRING if f.type == "string" else DOUBLE)
    for step in steps:
        lookup(step)(step, b)


class IRWriter:
    """The double IR writer in the shape ``interchange check`` asks a graph writer (write_graph / write_steps)."""

    def write_graph(self, graph: Graph) -> bytes:
        per_field = any(f.type in ("string", "boolean") for f in graph.signature.inputs)
        model, _, _ = write_graph(graph, per_field=per_field)  # (no onnxruntime session: check only asks the writer)
        return model.SerializeToString()

    def write_steps(self, signature: Signature, steps: list[Any]) -> None:
        write_steps(signature, steps)
