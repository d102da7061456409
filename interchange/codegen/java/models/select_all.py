"""Java emitter for AllSegments: each segment's model in its own block, each wanted part copied out of it,
missing where the segment did not fire (ir.combine.select_all).

A part is the segment's value, its label (its model's own label, else the first most probable category,
none where a probability is missing: Prediction.finish), or its probability of a category (0 where the
model does not know the category and predicts). Numbers go to ``partNum`` (NaN: missing), labels to
``partIdx`` as an index into the segment's categories (-1: none).
"""

from __future__ import annotations

from types import SimpleNamespace

from interchange.codegen.java.expressions import truth
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.combine.select_all import AllSegments, SegmentPart

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", estimator="AllSegments", format="java")


def _copy(out: JavaWriter, i: int, step: AllSegments, parts: dict[str, str]) -> list[str]:
    """Statements copying segment ``i``'s wanted parts into ``partNum`` / ``partIdx``."""
    own = getattr(step.models[i], "classes", None)
    names = [str(c) for c in own] if own is not None else []
    lines = []
    for j, part in enumerate(step.wanted):
        if part.segment != i:
            continue
        if part.part == "value":
            if "value" not in parts:
                raise _refuse(f"a segment {type(step.models[i]).__name__} without a value")
            lines.append(f"partNum[{j}] = {parts['value']};")
        elif part.part == "label":
            lines.append(f"partIdx[{j}] = {_label(out, parts, part)};")
        else:
            if "probabilities" not in parts or own is None:
                raise _refuse(f"a segment {type(step.models[i]).__name__} without probabilities")
            p = parts["probabilities"]
            if str(part.target) in names:
                lines.append(f"partNum[{j}] = {p}[{names.index(str(part.target))}];")
            else:  # a category the segment does not know: probability 0 where it predicts
                lines.append(f"partNum[{j}] = Double.isNaN({p}[0]) ? Double.NaN : 0.0;")
    return lines


def _label(out: JavaWriter, parts: dict[str, str], part: SegmentPart) -> str:
    if "label" in parts:
        return parts["label"]
    if "probabilities" not in parts:
        raise _refuse(f"a segment without a label for output {part.name!r}")
    out.need("argmax")
    p = parts["probabilities"]
    return f"java.util.Arrays.stream({p}).anyMatch(Double::isNaN) ? -1 : argmax({p})"


@emitter("java", AllSegments)
def _all_segments(step: AllSegments, out: JavaWriter) -> Emitted:
    m, k = len(step.models), len(step.wanted)
    lines = [
        f"boolean[] segOn = new boolean[{m}];",
        f"double[] partNum = new double[{k}];",
        "java.util.Arrays.fill(partNum, Double.NaN);",
        f"int[] partIdx = new int[{k}];",
        "java.util.Arrays.fill(partIdx, -1);",
    ]
    blocks = []
    for i, (pred, model) in enumerate(zip(step.predicates, step.models, strict=True)):
        saved, labels = out.signature, out.label_values
        out.signature = SimpleNamespace(classes=getattr(model, "classes", None))  # the model's own class order
        out.label_values = None
        try:
            body, parts = lookup("java", model)(model, out)
            values = out.label_values or tuple(getattr(model, "classes", None) or ())
        finally:
            out.signature, out.label_values = saved, labels
        for part in step.wanted:
            if part.segment == i and part.part == "label":
                out.extra_values[part.name] = values
        copied = _copy(out, i, step, parts)
        guarded = [f"if (segOn[{i}]) {{", *("    " + x for x in copied), "}"]
        # every segment's model runs, as the IR evaluates each (a row one refuses is refused), its parts kept where it fired
        blocks.append([f"segOn[{i}] = {truth(out, pred)} == 1;", "{", *("    " + x for x in [*body, *guarded]), "}"])
    params, args = "double[] v, String[] s, boolean[] segOn, double[] partNum, int[] partIdx", "v, s, segOn, partNum, partIdx"
    lines += out.split(blocks, params, args, "allSegments")
    found = {}
    for j, part in enumerate(step.wanted):
        found[f"extra:{part.name}" if part.part == "label" else f"num:{part.name}"] = (
            f"partIdx[{j}]" if part.part == "label" else f"partNum[{j}]"
        )
    return lines, found
