"""PMML 4.x: write from IR, parse to IR (the fast path), pypmml as reference and fallback.

lxml and pypmml are imported nowhere else in interchange.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Tolerance

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
            from interchange.formats.pmml.fast import FastPMMLModel

            return FastPMMLModel(document, parsed)
        except NotCovered as why:
            if engine == "fast":
                raise DocumentError(f"the fast path does not cover this document: {why}", format="pmml") from None
            return PypmmlModel(document, parsed.signature, reason=f"fast path does not cover it: {why}")

    def supports(self, step: Any) -> str | None:
        """None when the IR extractor and the PMML writer both take this step, else why not."""
        from interchange.extract.support import supports

        return supports(step, "pmml")

    def export(self, estimator: Any, signature: Signature, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        from interchange.formats.pmml.emit import export_estimator

        return export_estimator(estimator, signature, sample, expected)
