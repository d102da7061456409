"""Java emitter for VariableWeights: Segmentation's class code with the weights read per row.

Segment ``k`` weighs its ``variable`` field's value times its weight in the row (its constant
weight without a variable), as ``ir.combine.variable_weight.VariableWeights.predict`` does; a fired
segment whose weight is missing or not positive refuses the row (IllegalArgumentException: the
IR's RecordError).
"""

from __future__ import annotations

from interchange.codegen.java.models.segments import _segmentation
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.combine.variable_weight import VariableWeights

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


@emitter("java", VariableWeights)
def _variable_weights(step: VariableWeights, out: JavaWriter) -> Emitted:
    weighing = []
    for k, (field, weight) in enumerate(zip(step.variable, step.weights, strict=True)):
        if field is None:
            continue
        why = f"VariableWeight {field!r} of segment {k + 1} is missing or not positive"
        weighing += [
            f"segW[{k}] = {out.num(field)} * {jdouble(float(weight))};",
            f"if (segOn[{k}] && !(segW[{k}] > 0)) {{ throw new IllegalArgumentException({jstring(why)}); }}",
            f"if (!segOn[{k}]) {{ segW[{k}] = 1.0; }}",
        ]
    return _segmentation(step, out, weighing)
