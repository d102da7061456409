"""lift(): read a PMML, PFA or ONNX document into the IR, or say element by element why not.

The lifted graph evaluates with the IR's own kernels (``interchange.ir.evaluate``) and is what
cross-format conversion writes into another format.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from interchange.document import Document
from interchange.errors import DocumentError
from interchange.ir.lifted import Lifted
from interchange.model import Model, read_document

__all__ = ["lift", "LIFTERS"]

# format name -> "module:function" taking the document bytes (modules imported on first use)
LIFTERS: dict[str, str] = {
    "pmml": "interchange.formats.pmml.lift.document:lift_pmml",
    "onnx": "interchange.formats.onnx.lift.document:lift_onnx",
    "pfa": "interchange.formats.pfa.lift.document:lift_pfa",
}


def lift(document: Any) -> Lifted:
    """The IR of a document: bytes, a path, a :class:`Document` or a loaded :class:`Model`.

    Example::

        lifted = interchange.lift("model.pmml")
        print(lifted.report())
        if lifted.ok:
            outputs = interchange.ir.evaluate(lifted.graph, columns)
    """
    data, fmt = _bytes_and_format(document)  # (a PFA document may be YAML)
    target = LIFTERS.get(fmt)
    if target is None:
        raise DocumentError(f"lifting {fmt} documents into the IR is not written yet; formats: {sorted(LIFTERS)}", format=fmt)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(data)


def _bytes_and_format(document: Any) -> tuple[bytes, str]:
    if isinstance(document, Model):
        return document.document.data, document.document.format
    if isinstance(document, Document):
        return document.data, document.format
    try:
        doc = read_document(document)
    except DocumentError:
        data = _pfa_yaml(document)
        if data is None:
            raise
        return data, "pfa"
    return doc.data, doc.format


def _pfa_yaml(document: Any) -> bytes | None:
    """A PFA document written in YAML (PFA's other syntax), as JSON bytes; None when it is not one."""
    import yaml

    try:
        data = Path(document).read_bytes() if isinstance(document, (str, Path)) else bytes(document)
        doc = yaml.safe_load(data)
    except (OSError, TypeError, ValueError, yaml.YAMLError):
        return None
    if not isinstance(doc, dict) or not {"input", "output", "action"} <= set(doc):
        return None
    return json.dumps(doc).encode()
