"""Python emitter for Segmentation: each segment's model as a local function, then the IR's combination.

A segment's model is written by its own emitter inside ``def _segment_<i>(env, n)``, which
returns its parts (value, probabilities, label) and its classes: the plain result the IR's
combination kernel reads (interchange.ir.kernels.segments.combine, copied into the module by
source), so the generated module runs Segmentation.predict's own code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter, lookup
from interchange.ir.combine.segmentation import Segmentation

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _finish(parts: dict[str, str], classes: str | None) -> list[str]:
    """A label from probabilities or decisions where the segment's model gives none (Prediction.finish)."""
    if "label" in parts or classes is None:
        return []
    if "probabilities" in parts:
        p = parts["probabilities"]
        return [
            f"unknown = np.isnan({p}).any(axis=1)",
            f"label = {classes}[np.argmax(np.where(unknown[:, None], 0.0, {p}), axis=1)]",
            "label[unknown] = None",
        ]
    if "decision" in parts:
        d = parts["decision"]
        return [f"label = {classes}[({d}[:, 0] > 0).astype(int) if {d}.shape[1] == 1 else np.argmax({d}, axis=1)]"]
    return []


@emitter("python", Segmentation)
def _segmentation(step: Segmentation, out: PyWriter, weighing: tuple[list[str], str] | None = None) -> Emitted:
    """``weighing``: lines run once ``on`` (segment x row) is known, and the name of the weights they bind
    (VariableWeights); the step's constant weights without it."""
    out.need("_truth", "combine")
    lines, calls = segment_functions(step.models, out)
    preds = out.const("SEGMENT_PREDICATES", tuple(predicate_data(p) for p in step.predicates))
    classes = literal(tuple(step.classes)) if step.classes is not None else "None"
    lines += [
        f"on = np.array([_truth(p, env, n)[0] for p in {preds}], dtype=bool).reshape({len(step.predicates)}, n)",
        *(weighing[0] if weighing is not None else []),
        f"results = [{', '.join(calls)}]",
        f"value, probabilities, label = combine({step.method!r}, results, on, "
        f"{weighing[1] if weighing is not None else literal(tuple(step.weights))}, "
        f"{classes}, {step.treatment!r}, {literal(float(step.threshold))}, n)",
    ]
    if step.classes is None:
        return lines, {"value": "value"}
    return lines, {"probabilities": "probabilities", "label": "label"}


def segment_functions(models: tuple[Any, ...], out: PyWriter) -> tuple[list[str], list[str]]:
    """Each model as a local function returning its plain result (value, probabilities, label, classes): the
    lines defining them and the calls."""
    lines: list[str] = []
    calls = []
    for model in models:
        name = out.const("_segment", 0).lower()
        out.constants.pop()
        body, parts = lookup("python", model)(model, out)
        own = getattr(model, "classes", None)
        classes = out.const("SEGMENT_CLASSES", np.array(list(own), dtype=object)) if own is not None else None
        body = [*body, *_finish(parts, classes)]
        if classes is not None and "label" not in parts and ("probabilities" in parts or "decision" in parts):
            parts = {**parts, "label": "label"}
        returned = ", ".join(f"{k!r}: {v}" for k, v in parts.items() if k in ("value", "probabilities", "label"))
        lines += [f"def {name}(env, n):", *("    " + b for b in body)]
        lines.append(f"    return {{{returned}, 'classes': {classes or 'None'}}}")
        calls.append(f"{name}(env, n)")
    return lines, calls
