"""Converted: what a conversion returns, from an estimator (convert.py) or another document (crossformat.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interchange.document import Document
from interchange.model import Model
from interchange.signature import Signature
from interchange.verification import Verification

__all__ = ["Converted"]


@dataclass
class Converted:
    """A verified document with its signature, verification cases and lineage."""

    document: Document
    signature: Signature
    verification: Verification
    lineage: dict[str, Any] = field(default_factory=dict)
    _model: Model | None = field(default=None, repr=False)
    profile: dict[str, Any] | None = field(default=None, repr=False)  # reference distributions, for drift

    @property
    def format(self) -> str:
        return self.document.format

    @property
    def model(self) -> Model:
        """The document loaded back (on its reference runtime)."""
        if self._model is None:
            from interchange.model import load

            self._model = load(self.document)
        return self._model

    def save(self, path: str | Path) -> Path:
        """Write the document file (ONNX, PMML or PFA bytes) to ``path``."""
        return self.document.save(path)
