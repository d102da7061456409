"""Segmentation as PFA: each segment's model in its own ``do`` block, evaluated only where its
predicate is TRUE, then the IR's combination (interchange.ir.segmentation) as expressions.

A segment's model is written by the model writers into a writer of its own; its let-bindings
stay inside its ``do`` block, its cells are renamed ``s<i>_<cell>`` and an Avro record type
another segment already defined is referred to by name. Written: selectFirst; regression sum,
weightedSum, average, weightedAverage; classification average, weightedAverage, majorityVote,
weightedMajorityVote; missingPredictionTreatment continue and returnMissing. Refused with a
reason: median, weightedMedian, max (order statistics across segments) and skipSegment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.segmentation import WEIGHTED, Segmentation
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["SEGMENT_WRITERS"]

ARRAY = {"type": "array", "items": "double"}
NAN = {"/": [0.0, 0.0]}
_WRITTEN = ("selectFirst", "sum", "weightedSum", "average", "weightedAverage", "majorityVote", "weightedMajorityVote")


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why}", estimator="Segmentation", format="pfa")


def _rename(node: Any, cells: dict[str, str], defined: set[str]) -> Any:
    """``node`` with cell references renamed and repeated record definitions replaced by their name."""
    if isinstance(node, list):
        return [_rename(x, cells, defined) for x in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"cell"} and node["cell"] in cells:
        return {"cell": cells[node["cell"]]}
    if node.get("type") == "record" and isinstance(node.get("name"), str):
        if node["name"] in defined:
            return node["name"]
        defined.add(node["name"])
    return {k: _rename(v, cells, defined) for k, v in node.items()}


def _records(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, list):
        for x in node:
            _records(x, found)
    elif isinstance(node, dict):
        if node.get("type") == "record" and isinstance(node.get("name"), str):
            found.add(node["name"])
        for v in node.values():
            _records(v, found)
    return found


def _segment(w: _Writer, i: int, model: Any, sig: Signature, classes: tuple[Any, ...] | None) -> Any:
    """The segment's result expression: its value, or its probabilities in ``classes`` order."""
    from interchange.formats.pfa.emit.document import _model, _Writer

    sub = _Writer(sig)
    sub.cols = dict(w.cols)
    parts = _model(sub, model, sig)
    defined = _records([w.cells, w.action], set())
    cells = {c: f"s{i}_{c}" for c in sub.cells}
    for c, spec in sub.cells.items():
        w.cells[cells[c]] = _rename(spec, cells, defined)
    body = _rename(sub.action, cells, defined)
    if classes is None:
        if "value" not in parts:
            raise _refuse(f"a regression segment {type(model).__name__} without a value")
        return {"do": [*body, _rename(parts["value"], cells, defined)]}
    own = getattr(model, "classes", None)
    if own is None or parts:  # the model writers bind class probabilities as "probs"
        raise _refuse(f"a classification segment {type(model).__name__} without probabilities")
    mine = [str(c) for c in own]
    aligned = [{"attr": "probs", "path": [mine.index(str(c))]} if str(c) in mine else 0.0 for c in classes]
    return {"do": [*body, {"new": aligned, "type": ARRAY}]}


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = {"+": [out, t]}
    return out


def _segmentation(w: _Writer, step: Segmentation, sig: Signature) -> dict[str, Any]:
    if step.method not in _WRITTEN:
        raise _refuse(f"Segmentation {step.method} (order statistics across segments are not written to PFA yet)")
    if step.treatment == "skipSegment":
        raise _refuse("Segmentation missingPredictionTreatment=skipSegment (not written to PFA yet)")
    classes = tuple(step.classes) if step.classes is not None else None
    weights = [float(x) if step.method in WEIGHTED else 1.0 for x in step.weights]
    on = []
    for i, p in enumerate(step.predicates):
        w.bind(f"seg_on_{i}", truth(w, p)[0], "boolean")
        on.append(f"seg_on_{i}")
    k = len(classes) if classes is not None else 1
    empty: Any = 0.0 if classes is None else {"new": [0.0] * k, "type": ARRAY}
    results = []
    for i, model in enumerate(step.models):  # evaluated only where selected (as the IR, which ignores the others)
        w.bind(
            f"seg_{i}",
            {"if": on[i], "then": _segment(w, i, model, sig, classes), "else": empty},
            "double" if classes is None else "array",
        )
        results.append(f"seg_{i}")
    total = _sum([{"if": m, "then": wi, "else": 0.0} for m, wi in zip(on, weights, strict=True)])
    w.bind("seg_total", total)
    if classes is None:
        if step.method == "selectFirst":
            value: Any = NAN
            for m, r in zip(reversed(on), reversed(results), strict=True):
                value = {"if": m, "then": r, "else": value}
        else:
            value = _sum(
                [{"*": [r, wi]} if step.method.startswith("weighted") else r for r, wi in zip(results, weights, strict=True)]
            )
            if step.method in ("average", "weightedAverage"):
                value = {"/": [value, "seg_total"]}
            value = {"if": {">": ["seg_total", 0.0]}, "then": value, "else": NAN}
        w.bind("seg_value", value)
        return {"value": "seg_value"}
    if step.method == "selectFirst":
        probs: Any = {"new": [NAN] * k, "type": ARRAY}
        for m, r in zip(reversed(on), reversed(results), strict=True):
            probs = {"if": m, "then": r, "else": probs}
    elif step.method in ("average", "weightedAverage"):
        rows = [_sum([{"*": [{"attr": r, "path": [j]}, wi]} for r, wi in zip(results, weights, strict=True)]) for j in range(k)]
        probs = {"new": [{"/": [row, "seg_total"]} for row in rows], "type": ARRAY}
    else:  # each selected segment votes (its weight) for its first most probable class
        for i, r in enumerate(results):
            w.bind(f"seg_vote_{i}", {"a.argmax": r}, "int")
        rows = [
            _sum(
                [
                    {"if": {"&&": [m, {"==": [f"seg_vote_{i}", j]}]}, "then": wi, "else": 0.0}
                    for i, (m, wi) in enumerate(zip(on, weights, strict=True))
                ]
            )
            for j in range(k)
        ]
        probs = {"new": [{"/": [row, "seg_total"]} for row in rows], "type": ARRAY}
    if [str(c) for c in sig.classes or classes] != [str(c) for c in classes]:
        raise _refuse("a Segmentation whose categories are not in the signature's order")
    w.bind("probs", probs, "array")
    return {}


SEGMENT_WRITERS: dict[type, Any] = {Segmentation: _segmentation}
