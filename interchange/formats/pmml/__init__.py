"""PMML 4.x: write from IR, parse to IR (the fast path), pypmml as reference and fallback.

lxml and pypmml are imported nowhere else in interchange.
"""

from __future__ import annotations

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

__all__ = ["PMMLFormat"]


class PMMLFormat:
    """The PMML format plugin."""

    name = "pmml"
    media_type = "application/xml"
    suffixes: tuple[str, ...] = (".pmml", ".xml")

    def sniff(self, data: bytes) -> bool:
        head = data[:4096].lstrip()
        return head.startswith(b"<") and b"PMML" in head

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        from interchange.formats.pmml.parse import NotCovered, parse
        from interchange.formats.pmml.reference import PypmmlModel

        if engine not in ("auto", "fast", "reference", "pypmml"):
            raise DocumentError(f"unknown PMML engine {engine!r}; use auto, fast or reference", format="pmml")
        parsed = parse(document.data)
        if engine in ("reference", "pypmml"):
            return PypmmlModel(document, parsed.signature)
        try:
            from interchange.formats.pmml.fast.engine import FastPMMLModel

            return FastPMMLModel(document, parsed)
        except NotCovered as why:
            if engine == "fast":
                raise DocumentError(f"the fast path does not cover this document: {why}", format="pmml") from None
            from interchange.formats.pmml.departures import whole_document

            wrong = whole_document(document.data)
            if wrong:  # pypmml's answers would be wrong on every row: refuse rather than fall back
                said = "; ".join(f"{d.construct}: {d.reason}" for d in wrong)
                raise DocumentError(
                    f"the fast path does not cover this document ({why}), and pypmml, the fallback, departs from "
                    f"PMML 4.4 on every row of it ({said}); load it with engine='reference' to run pypmml anyway",
                    format="pmml",
                ) from None
            return PypmmlModel(document, parsed.signature, reason=f"fast path does not cover it: {why}")

    def write_graph(self, graph: Graph) -> bytes:
        """A PMML document for an IR graph (UnsupportedModelError for what PMML cannot hold)."""
        from interchange.formats.pmml.emit.document import write_graph

        return write_graph(graph)

    def write_steps(self, signature: Signature, steps: Sequence[Step]) -> None:
        """Write transformations alone (DerivedFields), raising UnsupportedModelError for one PMML cannot hold."""
        from interchange.formats.pmml.emit.transforms import derived_fields

        for step in steps:
            derived_fields(step)

    def export_graph(self, graph: Graph, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        from interchange.formats.pmml.emit.document import export_graph

        return export_graph(graph, sample, expected)
