"""Python emitter for AllSegments: each segment's model as a local function (segments.py), and each wanted
part read from its segment's result, missing where the segment did not fire.

A part is read as ``ir.combine.select_all._part`` reads it (the value, the label, or the probability of
a category, 0 where the segment's model does not know the category); the blanking is that module's
``_blank``, copied into the generated module by source.
"""

from __future__ import annotations

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.models.segments import segment_functions
from interchange.codegen.python.module import PyWriter
from interchange.codegen.registry import emitter
from interchange.errors import UnsupportedModelError
from interchange.ir.combine.select_all import AllSegments, SegmentPart

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _read(part: SegmentPart, step: AllSegments) -> str:
    """The expression of ``part`` over ``results`` (the segments' plain results)."""
    r = f"results[{part.segment}]"
    if part.part in ("value", "label"):
        return f"np.asarray({r}[{part.part!r}])"
    own = getattr(step.models[part.segment], "classes", None)
    if own is None:
        why = f"segment {part.segment + 1} gives no probabilities for output {part.name!r}"
        raise UnsupportedModelError(why, estimator="AllSegments", format="python")
    names = [str(c) for c in own]
    if str(part.target) not in names:  # a category the segment does not know: probability 0 where it predicts
        return f"np.where(np.isnan({r}['probabilities'][:, 0]), np.nan, 0.0)"
    return f"{r}['probabilities'][:, {names.index(str(part.target))}]"


@emitter("python", AllSegments)
def _all_segments(step: AllSegments, out: PyWriter) -> Emitted:
    out.need("_truth", "_blank")
    lines, calls = segment_functions(step.models, out)
    preds = out.const("SEGMENT_PREDICATES", tuple(predicate_data(p) for p in step.predicates))
    lines += [
        f"on = np.array([_truth(p, env, n)[0] for p in {preds}], dtype=bool).reshape({len(step.predicates)}, n)",
        f"results = [{', '.join(calls)}]",
    ]
    parts = {}
    for i, part in enumerate(step.wanted):
        lines.append(f"part_{i} = _blank({_read(part, step)}, on[{part.segment}])")
        parts[f"extra:{part.name}"] = f"part_{i}"
    return lines, parts
