"""Where ONNX cannot hold what the IR computes: the gaps, each with the reason and how a reader meets it.

The counterpart of ``formats/pmml/departures.py`` (where pypmml departs from PMML 4.4) for the
ONNX side of a conversion. ONNX 1.x tensors have no null: a double's only missing value is NaN, and
a string tensor has none at all, so the double-precision IR writer writes the empty string where the
IR gives no label, cluster or text figure (``formats/onnx/emit/missing.py``, Where nodes named
``blank.*``). A reader takes those empty strings back as missing values, the one reading under
which such a graph's outputs are the IR's: ``convert`` does (``crossformat._read``) and states it in
the result's lineage when it did.

Example::

    if written_by_ir(document):
        print(MISSING_TEXT.construct, "-", MISSING_TEXT.reason)
"""

from __future__ import annotations

from dataclasses import dataclass

import onnx

from interchange.document import Document
from interchange.formats.onnx.meta import IR_WRITER, META_WRITER

__all__ = ["Gap", "MISSING_TEXT", "written_by_ir"]


@dataclass(frozen=True)
class Gap:
    """A value the IR computes that an ONNX graph cannot hold, and how it is written instead."""

    construct: str
    reason: str


MISSING_TEXT = Gap(
    "a missing text output (label, cluster id, display value)",
    'an ONNX string tensor has no null: the IR writer writes "" where the IR gives none, read back as missing',
)


def written_by_ir(document: Document) -> bool:
    """Whether ``document`` is a graph of the double-precision IR writer (``formats/onnx/ir_writer.py``)."""
    if document.format != "onnx":
        return False
    meta = {p.key: p.value for p in onnx.load_from_string(document.data).metadata_props}
    return meta.get(META_WRITER) == IR_WRITER
