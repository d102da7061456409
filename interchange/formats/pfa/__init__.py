"""PFA: write from IR, compile to vectorised IR (the fast path), titus2 as reference and fallback.

titus2 is imported nowhere else in interchange (and only through ``titus.py``'s shim).
"""

from __future__ import annotations

from typing import Any

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError, UnsupportedModelError
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Tolerance

__all__ = ["PFAFormat"]


class PFAFormat:
    """The PFA format plugin."""

    name = "pfa"
    media_type = "application/json"
    suffixes = (".pfa", ".json")

    def sniff(self, data: bytes) -> bool:
        head = data[:4096].lstrip()
        return head.startswith(b"{") and b'"action"' in data and b'"input"' in data

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        raise DocumentError("PFA loading is not implemented yet", format="pfa")

    def supports(self, step: Any) -> str | None:
        return "the PFA writer is not implemented yet"

    def export(self, estimator: Any, signature: Signature, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        raise UnsupportedModelError("PFA export is not implemented yet", estimator=type(estimator).__name__, format="pfa")
