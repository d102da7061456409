"""A document computing named values only (``ir.columns.Columns``: a lifted PFA action building its output
record from expressions) written back as PFA: each output field the column it names, null where missing.

Numbers are held as doubles in the writer (NaN missing): an integer field is the double cast to a long
(``cast.long``; the value is whole), a truth value ``x != 0``, each null where the double is NaN. Text,
and columns already of the field's type, are written as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.formats.pfa.emit import functions as fn
from interchange.ir.columns import Columns
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["COLUMNS_WRITERS"]


def _field(w: _Writer, column: str, kind: str) -> Any:
    expr, held, _ = w.cols[column]
    if held == kind or kind == "string":
        return expr
    x = fn.tmp(w, fn.number_ref(w, column))
    if kind == "integer":
        value: Any = {"cast.long": x}
    elif kind == "boolean":
        value = {"!=": [x, 0.0]}
    else:
        return x
    return {"if": fn.isnan(x), "then": None, "else": value}


def _columns(w: _Writer, step: Columns, sig: Signature) -> dict[str, Any]:
    types = {f.name: f.type for f in sig.outputs}
    return {f"extra:{out}": _field(w, col, types[out]) for col, out in zip(step.inputs, step.outputs, strict=True)}


COLUMNS_WRITERS: dict[type, Any] = {Columns: _columns}
