"""IR steps the double ONNX writer refuses, each with why (PFA's text functions and array inputs)."""

from __future__ import annotations

from typing import NoReturn

from interchange.formats.onnx.emit.builder import Builder, refuse
from interchange.formats.onnx.emit.registry import emitter
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.text import TextDerive

__all__: list[str] = []


@emitter(ArrayItems)
def array_items(step: ArrayItems, b: Builder) -> NoReturn:
    raise refuse(
        f"an array input ({step.inputs[0]!r}, ArrayItems): the ONNX documents written here take one [N, 1] tensor "
        "per field or one [N, k] matrix of number fields, and a variable-length array per row has no such tensor; "
        "give the model one field per item, or convert to PFA"
    )


@emitter(TextDerive)
def text_derive(step: TextDerive, b: Builder) -> NoReturn:
    raise refuse(
        f"the text function {step.function} (TextDerive): ai.onnx has no operators for PFA's s.* library "
        "(slices by index, search, replace, translate, with titus2's index rules); convert to PFA"
    )
