"""An array input read item by item in PFA (``ir.arrays.ArrayItems``): item ``i`` as ``input.a[i]``.

A null array fails the record (the IR's items are missing, so its model gives no prediction); an
array holding fewer items than read, or not exactly ``length`` where the model needs that many,
fails the record too (a PFA ``error``), as the IR refuses it (RecordError) and titus2 fails such a
record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interchange.ir.derive.arrays import ArrayItems

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["write_array_items"]


def write_array_items(w: _Writer, step: ArrayItems) -> None:
    (name,) = step.inputs
    expr, _, nullable = w.cols[name]
    n = len(step.outputs)
    short = {"<": [{"a.len": "items"}, n]} if step.length is None else {"!=": [{"a.len": "items"}, step.length]}
    want = f"at least {n}" if step.length is None else str(step.length)
    check = {"if": short, "then": {"error": f"array field {name} holds another number of items; the model reads {want}"}}
    symbol = f"items_{len(w.action)}"
    if nullable:  # a null array: no prediction (the IR's items are missing), the record fails as titus2 fails the source's
        expr = {"ifnotnull": {"items": expr}, "then": "items", "else": {"error": f"array field {name} is missing"}}
    w.action.append({"let": {symbol: expr}})
    w.action.append({"do": [{"let": {"items": symbol}}, check]})
    for i, column in enumerate(step.outputs):
        w.bind(column, {"attr": symbol, "path": [i]})
