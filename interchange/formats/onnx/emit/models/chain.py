"""Chain in double-precision ONNX (interchange.ir.combine.chain, PMML 4.4 §Segmentation modelChain).

Every segment's model is emitted into the same graph and its predicate is a mask; its figures (its
value, the probability of a category, an expression over the columns so far) become the columns
later segments read, NaN where the predicate is not TRUE. The result is, per row, that of the last
segment whose predicate is TRUE (a ``Where`` chain); a regression segment in a classification chain
gives NaN probabilities there. ONNX has no missing label: a row where no segment gives probabilities
gets the argmax of NaN, which the runtime cannot tell from a prediction.
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, Builder, refuse
from interchange.formats.onnx.emit.expressions import derive
from interchange.formats.onnx.emit.models.segments import _aligned
from interchange.formats.onnx.emit.predicates import masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter, lookup
from interchange.ir.combine.chain import Chain, Link
from interchange.ir.derive.expressions import Derive

__all__: list[str] = []


def _figure(b: Builder, link: Link, got: Emitted, own: list[str] | None) -> str:
    if link.expression is not None:
        derive(Derive((f"{link.name}~raw",), link.expression, "double"), b)
        return b.column(f"{link.name}~raw")
    if link.part == "value":
        if got.value is None:
            raise refuse(f"chain link {link.name!r}: a model that gives no value")
        return got.value
    if got.probabilities is None or own is None or str(link.category) not in own:
        raise refuse(f"chain link {link.name!r}: no probability of {link.category!r}")
    slots = tuple(f"{got.probabilities}#{j}" for j in range(len(own)))
    b.define(slots, got.probabilities)
    return b.column(slots[own.index(str(link.category))])


@emitter(Chain)
def _chain(step: Chain, b: Builder) -> Emitted:
    numeric = [n for n in step.inputs if b.types.get(b.where(n)[0]) == DOUBLE]
    if not numeric:
        raise refuse("a modelChain reading no numeric field")
    like = b.column(numeric[0])
    nan = b.const(np.nan)
    results: list[tuple[str, Emitted, list[str] | None]] = []
    for seg in step.segments:
        on = tensor(b, masks(b, seg.when)[0] if seg.when is not None else True, like)
        got: Emitted = lookup(seg.model)(seg.model, b)
        kinds = getattr(seg.model, "classes", None)
        own = [str(c) for c in kinds] if kinds is not None else None
        for link in seg.links:
            b.define((link.name,), b.op("Where", [on, _figure(b, link, got, own), nan], "link"))
        results.append((on, got, own))
    if step.classes is None:
        value = b.op("Add", [b.op("Mul", [like, b.const(0.0)]), nan])  # [N, 1] of NaN
        for on, got, own in results:  # (the last segment that fired wins: its Where is the outermost)
            if own is None and got.value is not None:
                value = b.op("Where", [on, got.value, value])
            else:
                value = b.op("Where", [on, nan, value])
        b.declare(value, 1)
        return Emitted(value=value)
    classes = tuple(step.classes)
    none = b.op("Add", [b.op("Mul", [like, b.const(0.0)]), b.const(np.full(len(classes), np.nan))])  # [N, k] of NaN
    probs = none
    for on, got, own in results:
        if own is not None and got.probabilities is not None:
            probs = b.op("Where", [on, _aligned(b, got.probabilities, tuple(own), classes), probs])
        else:
            probs = b.op("Where", [on, none, probs])
    b.declare(probs, len(classes))
    return Emitted(label=argmax_label(b, classes, probs), probabilities=probs)
