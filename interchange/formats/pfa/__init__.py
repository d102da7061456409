"""PFA: write from IR, evaluate with the vectorised fast path or titus2 (the reference runtime).

titus2 is imported nowhere else in interchange (and only through ``titus.py``'s shim). ``load``
compiles a document with the fast path (``fast/engine.py``) and falls back to titus2 for documents it
does not cover, with the reason in ``Model.info``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Tolerance

if TYPE_CHECKING:
    from interchange.ir.graph import Graph, Step

__all__ = ["PFAFormat"]

MAX_BYTES = 64 * 1024 * 1024


def signature_of(data: bytes) -> Signature:
    """Our signature from metadata, else one read off the input/output Avro types."""
    if len(data) > MAX_BYTES:
        raise DocumentError(f"PFA document is over {MAX_BYTES} bytes", format="pfa")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise DocumentError(f"PFA document is not valid JSON: {exc}", format="pfa") from exc
    if not isinstance(doc, dict) or "input" not in doc or "output" not in doc or "action" not in doc:
        raise DocumentError("a PFA document needs input, output and action", format="pfa")
    meta = doc.get("metadata") or {}
    if "interchange.signature" in meta:
        return Signature.from_json(meta["interchange.signature"])
    from interchange.formats.pfa.signature import read_signature

    return read_signature(doc)


class PFAFormat:
    """The PFA format plugin."""

    name = "pfa"
    media_type = "application/json"
    suffixes: tuple[str, ...] = (".pfa", ".json")

    def sniff(self, data: bytes) -> bool:
        head = data[:4096].lstrip()
        return head.startswith(b"{") and b'"action"' in data and b'"input"' in data

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        from interchange.formats.pfa.reference import TitusModel

        if engine not in ("auto", "fast", "reference", "titus2"):
            raise DocumentError(f"unknown PFA engine {engine!r}; use auto, fast or reference", format="pfa")
        signature = signature_of(document.data)
        if engine in ("reference", "titus2"):
            return TitusModel(document, signature)
        from interchange.formats.pfa.fast.engine import FastPFAModel, NotCovered

        try:
            return FastPFAModel(document, signature, stateful=engine == "fast")  # state: titus2 unless asked
        except NotCovered as why:
            if engine == "fast":
                raise DocumentError(f"the PFA fast path does not cover this document: {why}", format="pfa") from None
            return TitusModel(document, signature, f"fast path does not cover it: {why}")

    def write_graph(self, graph: Graph) -> bytes:
        """A PFA document for an IR graph (UnsupportedModelError for what the writer cannot hold)."""
        from interchange.formats.pfa.emit.document import write_graph

        return write_graph(graph)

    def write_steps(self, signature: Signature, steps: Sequence[Step]) -> None:
        """Write transformations alone (let bindings), raising UnsupportedModelError for one PFA cannot hold."""
        from interchange.formats.pfa.emit.document import _Writer
        from interchange.formats.pfa.emit.transforms import write_transform

        writer = _Writer(signature)
        for step in steps:
            write_transform(writer, step)

    def export_graph(self, graph: Graph, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        from interchange.formats.pfa.emit.document import export_graph

        return export_graph(graph, sample, expected)
