"""Find the project's spec material (Avro schemas, XSD, JSON Schema) in a checkout or a wheel.

The material lives once at the top of the repository (``schemas/``, ``formats/``); a built
wheel carries a copy under ``interchange/_data/``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["resource_path", "avro_schema"]

_PACKAGE = Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """Path of ``schemas/...`` or ``formats/...`` material, packaged copy first."""
    for root in (_PACKAGE / "_data", _PACKAGE.parent):
        path = root.joinpath(*parts)
        if path.exists():
            return path
    raise FileNotFoundError(f"interchange resource {'/'.join(parts)} is missing from this installation")


@cache
def avro_schema(name: str) -> dict[str, Any]:
    """A parsed Avro schema from ``schemas/<name>.avsc``."""
    return json.loads(resource_path("schemas", f"{name}.avsc").read_text())
