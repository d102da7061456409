"""AllSegments in ONNX: each segment's model emitted into the same graph, its predicate a mask, and each
wanted part an ``[N, 1]`` output of its own, missing (NaN) where the segment did not fire (ir.combine.select_all).

A part is the segment's value or its probability of a category (0 where the model does not know the
category and predicts). A segment's label is refused by name: it is missing where the segment does not
fire, and an ONNX string tensor has no null (its empty string would be a label given).
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, Builder, refuse
from interchange.formats.onnx.emit.missing import blank_rows
from interchange.formats.onnx.emit.models.linear import column
from interchange.formats.onnx.emit.models.segments import _anchor
from interchange.formats.onnx.emit.predicates import masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, emitter, lookup
from interchange.ir.combine.select_all import AllSegments, SegmentPart

__all__: list[str] = []


def _part(b: Builder, step: AllSegments, part: SegmentPart, r: Emitted) -> tuple[str, int]:
    """The part's ``[N, 1]`` tensor over every row, and its element type."""
    model = step.models[part.segment]
    own = getattr(model, "classes", None)
    if part.part == "value":
        if r.value is None:
            raise refuse(f"selectAll's value of segment {part.segment + 1} ({type(model).__name__} gives none)")
        return r.value, DOUBLE
    if part.part == "label":  # (refused: the module docstring)
        raise refuse(
            f"selectAll's label {part.name!r} of segment {part.segment + 1}: it is missing where the segment does not "
            "fire, and an ONNX string tensor has no null (its empty string is a label; an int64 one has no missing "
            "value either); ask for the segment's probabilities, or convert to PMML or PFA"
        )
    if r.probabilities is None or own is None:
        raise refuse(f"selectAll's probability of segment {part.segment + 1} ({type(model).__name__} gives none)")
    names = [str(c) for c in own]
    if str(part.target) in names:
        return column(b, r.probabilities, names.index(str(part.target))), DOUBLE
    # a category the segment does not know: probability 0 where it predicts
    return b.op("Where", [b.op("IsNaN", [column(b, r.probabilities, 0)]), b.const(np.nan), b.const(0.0)]), DOUBLE


@emitter(AllSegments)
def all_segments(step: AllSegments, b: Builder) -> Emitted:
    like = _anchor(b, step)
    off = [b.op("Not", [tensor(b, masks(b, p)[0], like)]) for p in step.predicates]
    results = [lookup(m)(m, b) for m in step.models]
    out = Emitted()
    for part in step.wanted:
        x, elem = _part(b, step, part, results[part.segment])
        blanked = blank_rows(b, x, off[part.segment], elem)
        b.declare(blanked, 1, elem)
        out.extra[part.name] = blanked
    return out
