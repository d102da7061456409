"""Python emitter for Segmentation: each segment's model as a local function, then the IR's combination.

A segment's model is written by its own emitter inside ``def _segment_<i>(env, n)``, which
returns its parts (value, probabilities, label) and its classes. The combination kernels are
copied from interchange.ir.segmentation by source (``inspect.getsource``), so the generated
module runs the IR's own code; ``_segmentation`` is Segmentation.predict over those parts.
"""

from __future__ import annotations

import inspect

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.python.runtime import DEPENDS, HELPERS
from interchange.codegen.registry import emitter, lookup
from interchange.ir import segmentation as seg
from interchange.ir.segmentation import Segmentation

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]

_KERNELS = (seg._middle, seg._weighted_middle, seg._median, seg.combine_values, seg.combine_votes, seg.combine_probabilities)
HELPERS["_combine"] = "\n\n".join(inspect.getsource(f) for f in (*_KERNELS, seg.treat_missing))
HELPERS["_segmentation"] = '''
def _positions(labels, classes, n):
    if labels is None:
        return np.full(n, -1, dtype=np.int64)
    index = {str(c): i for i, c in enumerate(classes)}
    gone = [v is None or (isinstance(v, float) and v != v) for v in labels]
    return np.array([-1 if g else index.get(str(v), -2) for v, g in zip(labels, gone)], dtype=np.int64)


def _aligned(r, classes, n):
    if r.get("probabilities") is None or r.get("classes") is None:
        return np.full((n, len(classes)), np.nan)
    mine = [str(c) for c in r["classes"]]
    out = np.zeros((r["probabilities"].shape[0], len(classes)))
    for j, c in enumerate(classes):
        if str(c) in mine:
            out[:, j] = r["probabilities"][:, mine.index(str(c))]
    out[np.isnan(r["probabilities"]).any(axis=1)] = np.nan
    return out


def _segmentation(results, on, method, weights, classes, treatment, threshold, n):
    """(value, probabilities, label) of a Segmentation (interchange.ir.segmentation.Segmentation.predict)."""
    if method == "selectFirst":
        taken = np.zeros(n, dtype=bool)
        value = np.full(n, np.nan)
        label = np.full(n, None, dtype=object)
        probs = np.full((n, len(classes)), np.nan) if classes else None
        for r, a in zip(results, on):
            pick = a & ~taken
            if classes is None:
                value[pick] = np.asarray(r["value"], dtype=np.float64)[pick]
            else:
                if r.get("label") is not None:
                    label[pick] = np.asarray(r["label"], dtype=object)[pick]
                if probs is not None:
                    probs[pick] = _aligned(r, classes, n)[pick]
            taken |= pick
        return value, probs, label
    weighted = method in ("weightedSum", "weightedAverage", "weightedMedian", "weightedMajorityVote")
    w = np.array(weights if weighted else [1.0] * len(weights), dtype=np.float64)
    if classes is None:
        values = np.array([np.asarray(r["value"], dtype=np.float64) for r in results]).reshape(len(results), n)
        used, dead = treat_missing(treatment, threshold, np.isnan(values), on, w)
        value = combine_values(method, values, used, w)
        if method in ("sum", "weightedSum"):
            value = np.where(on.any(axis=0) & ~used.any(axis=0), 0.0, value)
        return np.where(dead, np.nan, value), None, None
    if method in ("majorityVote", "weightedMajorityVote"):
        index = np.array([_positions(r.get("label"), classes, n) for r in results]).reshape(len(results), n)
        on, dead = treat_missing(treatment, threshold, index == -1, on, w)
        probs, winner = combine_votes(index, on, w, len(classes))
    else:
        P = np.stack([_aligned(r, classes, n) for r in results])
        on, dead = treat_missing(treatment, threshold, np.isnan(P).any(axis=2), on, w)
        probs, winner = combine_probabilities(method, P, on, w)
    probs[dead] = np.nan
    winner = np.where(dead, -1, winner)
    labels = np.asarray(classes, dtype=object)[np.maximum(winner, 0)]
    labels[winner < 0] = None
    return None, probs, labels
'''
DEPENDS["_segmentation"] = ("_combine",)


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
def _segmentation(step: Segmentation, out: PyWriter) -> Emitted:
    out.need("_truth", "_segmentation")
    lines: list[str] = []
    calls = []
    for model in step.models:
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
    preds = out.const("SEGMENT_PREDICATES", tuple(predicate_data(p) for p in step.predicates))
    classes = literal(tuple(step.classes)) if step.classes is not None else "None"
    lines += [
        f"on = np.array([_truth(p, env, n)[0] for p in {preds}], dtype=bool).reshape({len(step.predicates)}, n)",
        f"results = [{', '.join(calls)}]",
        f"value, probabilities, label = _segmentation(results, on, {step.method!r}, {literal(tuple(step.weights))}, "
        f"{classes}, {step.treatment!r}, {literal(float(step.threshold))}, n)",
    ]
    if step.classes is None:
        return lines, {"value": "value"}
    return lines, {"probabilities": "probabilities", "label": "label"}
