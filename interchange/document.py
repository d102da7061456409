"""A model document: the bytes of one model in one format, with its identity."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Document"]


@dataclass(frozen=True)
class Document:
    """Bytes of a model in ``format`` (``onnx``, ``pmml`` or ``pfa``).

    ``base_dir`` is where the document was read from; ONNX external data may only come from
    there.
    """

    format: str
    data: bytes = field(repr=False)
    media_type: str = "application/octet-stream"
    base_dir: Path | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.data)
        return path
