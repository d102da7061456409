"""IR steps the double ONNX writer refuses, each with why: PFA's array inputs (text functions: emit/text.py)."""

from __future__ import annotations

from typing import NoReturn

from interchange.formats.onnx.emit.builder import Builder, refuse
from interchange.formats.onnx.emit.registry import emitter
from interchange.ir.derive.arrays import ArrayItems

__all__: list[str] = []


@emitter(ArrayItems)
def array_items(step: ArrayItems, b: Builder) -> NoReturn:
    raise refuse(
        f"an array input ({step.inputs[0]!r}, ArrayItems): the ONNX documents written here take one [N, 1] tensor "
        "per field or one [N, k] matrix of number fields, and a variable-length array per row has no such tensor; "
        "give the model one field per item, or convert to PFA"
    )
