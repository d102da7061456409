"""AllSegments to PFA: each wanted part its own output, the segment's model evaluated where its predicate
is true, missing (null for a label, NaN for a number) where it is not (ir.combine.select_all).

A part is the segment's value, its label (its model's own, else the first most probable of its
categories, null where a probability is missing: Prediction.finish), or its probability of a category
(0 where the model does not know the category and predicts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.functions import NAN
from interchange.formats.pfa.emit.models.segments import segment_body
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["SELECT_ALL_WRITERS"]


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why}", estimator="AllSegments", format="pfa")


def _read(w: _Writer, step: AllSegments, part: SegmentPart, parts: dict[str, Any]) -> Any:
    """The part's expression over the segment model's bound results (``probs``: its own class order)."""
    model = step.models[part.segment]
    own = getattr(model, "classes", None)
    if part.part == "value":
        if "value" not in parts:
            raise _refuse(f"selectAll's value of segment {part.segment + 1} ({type(model).__name__} gives none)")
        return parts["value"]
    if own is None:
        raise _refuse(f"selectAll's {part.part} of segment {part.segment + 1} ({type(model).__name__} gives no categories)")
    names = [str(c) for c in own]
    if part.part == "label":
        if "label" in parts:
            return parts["label"]
        cell = f"sa_classes_{part.segment}"
        w.cells[cell] = {"type": {"type": "array", "items": "string"}, "init": names}
        nan = {"params": [{"p": "double"}], "ret": "boolean", "do": {"impute.isnan": "p"}}
        label = {"attr": {"cell": cell}, "path": [{"a.argmax": "probs"}]}
        return {"if": {"a.any": ["probs", nan]}, "then": None, "else": label}
    if str(part.target) in names:
        return {"attr": "probs", "path": [names.index(str(part.target))]}
    # a category the segment does not know: probability 0 where it predicts
    return {"if": {"impute.isnan": {"attr": "probs", "path": [0]}}, "then": NAN, "else": 0.0}


def _all_segments(w: _Writer, step: AllSegments, sig: Signature) -> dict[str, Any]:
    for i, p in enumerate(step.predicates):
        w.bind(f"sa_on_{i}", truth(w, p)[0], "boolean")
    found: dict[str, Any] = {}
    written: dict[int, tuple[list[Any], dict[str, Any]]] = {}
    for part in step.wanted:  # (a segment with two parts is evaluated in each: a do-block of its own)
        if part.segment not in written:
            written[part.segment] = segment_body(w, part.segment, step.models[part.segment], sig)
        body, parts = written[part.segment]
        missing = None if part.part == "label" else NAN
        found[f"extra:{part.name}"] = {
            "if": f"sa_on_{part.segment}",
            "then": {"do": [*body, _read(w, step, part, parts)]},
            "else": missing,
        }
    return found


SELECT_ALL_WRITERS: dict[type, Any] = {AllSegments: _all_segments}
