"""PMML 4.x: write from IR, parse to IR (the fast path), pypmml as reference and fallback.

lxml and pypmml are imported nowhere else in interchange.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError, UnsupportedModelError
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Tolerance

__all__ = ["PMMLFormat"]


class PMMLFormat:
    """The PMML format plugin."""

    name = "pmml"
    media_type = "application/xml"
    suffixes = (".pmml", ".xml")

    def sniff(self, data: bytes) -> bool:
        head = data[:4096].lstrip()
        return head.startswith(b"<") and b"PMML" in head

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        raise DocumentError("PMML loading is not implemented yet", format="pmml")

    def export(self, estimator: Any, signature: Signature, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        raise UnsupportedModelError("PMML export is not implemented yet", estimator=type(estimator).__name__, format="pmml")
