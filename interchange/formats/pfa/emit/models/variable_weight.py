"""VariableWeights to PFA: the Segmentation writer's expressions with each weighed segment's weight bound
per record.

Segment ``k`` weighs its ``variable`` field times its weight (1 where it did not fire, as
``ir.combine.variable_weight.VariableWeights.predict`` sets it); a fired segment whose weight is
missing or not positive fails the record (``error``: the IR's RecordError).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.functions import number_ref
from interchange.formats.pfa.emit.models.segments import _segmentation
from interchange.ir.combine.variable_weight import VariableWeights
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["VARIABLE_WEIGHT_WRITERS"]


def _variable_weights(w: _Writer, step: VariableWeights, sig: Signature) -> dict[str, Any]:
    def weigh(on: list[str]) -> list[Any]:
        weights: list[Any] = []
        for k, (fired, field, weight) in enumerate(zip(on, step.variable, step.weights, strict=True)):
            if field is None:
                weights.append(float(weight))
                continue
            if w.cols[field][1] != "double":
                raise UnsupportedModelError(f"a VariableWeight field {field!r} that is not a number", format="pfa")
            w.bind(f"seg_w_{k}", {"*": [number_ref(w, field), float(weight)]})
            why = f"VariableWeight {field} of segment {k + 1} is missing or not positive"
            w.action.append({"if": {"&&": [fired, {"!": {">": [f"seg_w_{k}", 0.0]}}]}, "then": {"error": why}})
            w.bind(f"seg_weight_{k}", {"if": fired, "then": f"seg_w_{k}", "else": 1.0})
            weights.append(f"seg_weight_{k}")
        return weights

    return _segmentation(w, step, sig, weigh)


VARIABLE_WEIGHT_WRITERS: dict[type, Any] = {VariableWeights: _variable_weights}
