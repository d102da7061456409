"""Python emitter for VariableWeights: Segmentation's module code with the weights read per row.

Segment ``k`` weighs ``as_numbers(env[variable[k]]) * weights[k]`` in each row (its constant weight
without a variable), as ``ir.combine.variable_weight.VariableWeights.predict`` does; a fired segment
whose weight is missing or not positive refuses the row (ValueError: the IR's RecordError).
"""

from __future__ import annotations

from interchange.codegen.python.models.segments import _segmentation
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter
from interchange.ir.combine.variable_weight import VariableWeights

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


@emitter("python", VariableWeights)
def _variable_weights(step: VariableWeights, out: PyWriter) -> Emitted:
    out.need("as_numbers")
    lines = []
    for k, (field, weight) in enumerate(zip(step.variable, step.weights, strict=True)):
        if field is None:
            lines.append(f"w_{k} = np.full(n, {literal(float(weight))})")
            continue
        why = f"VariableWeight {field!r} of segment {k + 1} is missing or not positive"
        lines += [
            f"w_{k} = as_numbers(np.asarray(env[{field!r}])) * {literal(float(weight))}",
            f"if (on[{k}] & ~(w_{k} > 0)).any():",
            f"    raise ValueError({why!r})",
        ]
    rows = ", ".join(f"np.where(on[{k}], w_{k}, 1.0)" for k in range(len(step.models)))
    lines.append(f"segment_weights = np.array([{rows}], dtype=np.float64).reshape({len(step.models)}, n)")
    return _segmentation(step, out, (lines, "segment_weights"))
