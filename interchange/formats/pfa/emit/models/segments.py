"""Segmentation as PFA: each segment's model in its own ``do`` block, evaluated only where its
predicate is TRUE, then the IR's combination (interchange.ir.combine.segmentation) as expressions:
selectFirst and the averages and votes here, the order statistics (median, weightedMedian,
max) and missingPredictionTreatment through formats.combine (ranks, no sort), shared with ONNX.

A segment's model is written by the model writers into a writer of its own; its let-bindings
stay inside its ``do`` block, its cells are renamed ``s<i>_<cell>`` and an Avro record type
another segment already defined is referred to by name. Every method and treatment of the IR step
is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.combine import any_of, combine_value, middle, total, treat, weighted_middle
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.combine.segmentation import WEIGHTED, Segmentation
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["SEGMENT_WRITERS", "segment_body"]

ARRAY = {"type": "array", "items": "double"}
NAN = {"/": [0.0, 0.0]}


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


def segment_body(w: _Writer, i: int, model: Any, sig: Signature) -> tuple[list[Any], dict[str, Any]]:
    """Segment ``i``'s model: its statements and its output parts (its cells renamed apart, into ``w``)."""
    from interchange.formats.pfa.emit.document import _model, _Writer

    sub = _Writer(sig)
    sub.cols = dict(w.cols)
    sub.missing_as_nan = True
    parts = _model(sub, model, sig)
    defined = _records([w.cells, w.action], set())
    cells = {c: f"s{i}_{c}" for c in sub.cells}
    for c, spec in sub.cells.items():
        w.cells[cells[c]] = _rename(spec, cells, defined)
    body = _rename(sub.action, cells, defined)
    return body, {k: _rename(v, cells, defined) for k, v in parts.items()}


def _segment(w: _Writer, i: int, model: Any, sig: Signature, classes: tuple[Any, ...] | None) -> Any:
    """The segment's result expression: its value, or its probabilities in ``classes`` order."""
    body, parts = segment_body(w, i, model, sig)
    if classes is None:
        if "value" not in parts:
            raise _refuse(f"a regression segment {type(model).__name__} without a value")
        return {"do": [*body, parts["value"]]}
    own = getattr(model, "classes", None)
    if own is None or set(parts) - {"label", "nullable:label"}:  # the model writers bind class probabilities as "probs"
        raise _refuse(f"a classification segment {type(model).__name__} without probabilities")
    mine = [str(c) for c in own]
    aligned = [{"attr": "probs", "path": [mine.index(str(c))]} if str(c) in mine else 0.0 for c in classes]
    return {"do": [*body, {"new": aligned, "type": ARRAY}]}


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = {"+": [out, t]}
    return out


class _Ops:
    """formats.combine's operations as PFA expressions; ``bind`` lets a term once."""

    def __init__(self, w: _Writer) -> None:
        self.w = w
        self.count = 0

    def num(self, x: float | str) -> Any:
        if isinstance(x, str):  # a bound weight read per row (VariableWeights)
            return x
        if math.isnan(x):
            return NAN
        if math.isinf(x):
            return {"/": [1.0 if x > 0 else -1.0, 0.0]}
        return float(x)

    def add(self, a: Any, c: Any) -> Any:
        return {"+": [a, c]}

    def sub(self, a: Any, c: Any) -> Any:
        return {"-": [a, c]}

    def mul(self, a: Any, c: Any) -> Any:
        return {"*": [a, c]}

    def div(self, a: Any, c: Any) -> Any:
        return {"/": [a, c]}

    def floor(self, a: Any) -> Any:
        return {"m.floor": a}

    def maximum(self, a: Any, c: Any) -> Any:
        return {"max": [a, c]}

    def lt(self, a: Any, c: Any) -> Any:
        return {"<": [a, c]}

    def le(self, a: Any, c: Any) -> Any:
        return {"<=": [a, c]}

    def eq(self, a: Any, c: Any) -> Any:
        return {"==": [a, c]}

    def ge(self, a: Any, c: Any) -> Any:
        return {">=": [a, c]}

    def gt(self, a: Any, c: Any) -> Any:
        return {">": [a, c]}

    def and_(self, a: Any, c: Any) -> Any:
        return {"&&": [a, c]}

    def or_(self, a: Any, c: Any) -> Any:
        return {"||": [a, c]}

    def not_(self, a: Any) -> Any:
        return {"!": a}

    def isnan(self, a: Any) -> Any:
        return {"impute.isnan": a}

    def where(self, c: Any, a: Any, d: Any) -> Any:
        return {"if": c, "then": a, "else": d}

    def bind(self, a: Any, boolean: bool = False) -> Any:
        if isinstance(a, (str, float)):
            return a
        self.count += 1
        name = f"seg_t{self.count}"
        self.w.bind(name, a, "boolean" if boolean else "double")
        return name


def _segmentation(
    w: _Writer, step: Segmentation, sig: Signature, weigh: Callable[[list[str]], list[Any]] | None = None
) -> dict[str, Any]:
    """``weigh``: the segments' weights (numbers or bound doubles) from their bound fired flags (VariableWeights),
    for the step's constant weights."""
    classes = tuple(step.classes) if step.classes is not None else None
    ops = _Ops(w)
    on = []
    for i, p in enumerate(step.predicates):
        w.bind(f"seg_on_{i}", truth(w, p)[0], "boolean")
        on.append(f"seg_on_{i}")
    weights: list[Any] = weigh(on) if weigh is not None else [float(x) if step.method in WEIGHTED else 1.0 for x in step.weights]
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
    if classes is None:
        if step.method == "selectFirst":
            value: Any = NAN
            for m, r in zip(reversed(on), reversed(results), strict=True):
                value = {"if": m, "then": r, "else": value}
        else:
            value = combine_value(ops, step.method, results, on, weights, step.treatment, step.threshold)
        w.bind("seg_value", value)
        return {"value": "seg_value"}
    if [str(c) for c in sig.classes or classes] != [str(c) for c in classes]:
        raise _refuse("a Segmentation whose categories are not in the signature's order")
    parts: dict[str, Any] = {}
    if step.method == "selectFirst":
        probs: Any = {"new": [NAN] * k, "type": ARRAY}
        for m, r in zip(reversed(on), reversed(results), strict=True):
            probs = {"if": m, "then": r, "else": probs}
        w.bind("probs", probs, "array")
        return _no_label_where_missing(parts)
    gone = []
    for i, r in enumerate(results):  # a segment's missing result: any missing probability
        w.bind(f"seg_gone_{i}", {"impute.isnan": _sum([{"attr": r, "path": [j]} for j in range(k)])}, "boolean")
        gone.append(f"seg_gone_{i}")
    used, dead = treat(ops, step.treatment, step.threshold, gone, on, weights)
    w.bind("seg_total", total(ops, [{"if": m, "then": wi, "else": 0.0} for m, wi in zip(used, weights, strict=True)]))
    if step.method in ("average", "weightedAverage"):
        rows = [_sum([{"*": [{"attr": r, "path": [j]}, wi]} for r, wi in zip(results, weights, strict=True)]) for j in range(k)]
        if step.treatment == "skipSegment":  # a skipped segment adds nothing
            rows = [
                _sum(
                    [
                        {"if": u, "then": {"*": [{"attr": r, "path": [j]}, wi]}, "else": 0.0}
                        for r, u, wi in zip(results, used, weights, strict=True)
                    ]
                )
                for j in range(k)
            ]
        probs = {"new": [{"/": [row, "seg_total"]} for row in rows], "type": ARRAY}
    elif step.method in ("max", "median", "weightedMedian"):
        probs, parts["label"] = _ordered(w, ops, step.method, results, gone, used, weights, k)
    else:  # each selected segment votes (its weight) for its first most probable class; a missing one votes for nothing
        for i, r in enumerate(results):
            w.bind(f"seg_vote_{i}", {"if": gone[i], "then": -1, "else": {"a.argmax": r}}, "int")
        rows = [
            _sum(
                [
                    {"if": {"&&": [m, {"==": [f"seg_vote_{i}", j]}]}, "then": wi, "else": 0.0}
                    for i, (m, wi) in enumerate(zip(used, weights, strict=True))
                ]
            )
            for j in range(k)
        ]
        missing = _sum([{"if": {"&&": [m, g]}, "then": wi, "else": 0.0} for m, g, wi in zip(used, gone, weights, strict=True)])
        w.bind("seg_votes", {"new": rows, "type": ARRAY}, "array")
        ok = {"&&": [{">": ["seg_total", 0.0]}, {"!": {">": [missing, {"a.max": "seg_votes"}]}}]}
        probs = {
            "if": ok,
            "then": {"new": [{"/": [{"attr": "seg_votes", "path": [j]}, "seg_total"]} for j in range(k)], "type": ARRAY},
            "else": {"new": [NAN] * k, "type": ARRAY},
        }
    if dead is not None:
        probs = {"if": dead, "then": {"new": [NAN] * k, "type": ARRAY}, "else": probs}
    w.bind("probs", probs, "array")
    return _no_label_where_missing(parts)


def _no_label_where_missing(parts: dict[str, Any]) -> dict[str, Any]:
    """No label where the combined probabilities are missing (no segment selected, a missing result
    returned, no vote), as the IR's label_of: the argmax of NaN would be a label nobody gave."""
    from interchange.formats.pfa.emit.document import label_unless_missing

    return {**parts, "label": label_unless_missing("probs", parts.get("label")), "nullable:label": True}


def _ordered(
    w: _Writer, ops: _Ops, method: str, results: list[str], gone: list[str], used: list[Any], weights: list[Any], k: int
) -> tuple[Any, Any]:
    """(probabilities, label) of max / median / weightedMedian (ir.segmentation.combine_probabilities),
    category by category: the order statistic, the winner (first highest), the average of the
    segments whose probability of the winner is that statistic."""
    pz = []
    for i, (r, u) in enumerate(zip(results, used, strict=True)):
        w.bind(f"seg_pz_{i}", {"if": u, "then": r, "else": {"new": [0.0] * k, "type": ARRAY}}, "array")
        pz.append(f"seg_pz_{i}")
    combined = []
    for j in range(k):
        column = [{"attr": p, "path": [j]} for p in pz]
        if method == "max":
            terms = [{"if": u, "then": c, "else": ops.num(-math.inf)} for u, c in zip(used, column, strict=True)]
            best = terms[0]
            for t in terms[1:]:
                best = {"max": [best, t]}
        elif method == "median":
            low, high = middle(ops, column, used)
            best = {"/": [{"+": [low, high]}, 2.0]}
        else:
            best = weighted_middle(ops, column, used, weights)
        combined.append(best)
    w.bind("seg_combined", {"new": combined, "type": ARRAY}, "array")
    w.bind("seg_winner", {"a.argmax": "seg_combined"}, "int")
    chosen = [ops.bind({"attr": p, "path": ["seg_winner"]}) for p in pz]
    if method == "median":
        lo, hi = middle(ops, chosen, used)
        lo, hi = ops.bind(lo), ops.bind(hi)
        takes = [
            ops.bind({"&&": [u, {"||": [{"==": [c, lo]}, {"==": [c, hi]}]}]}, True) for u, c in zip(used, chosen, strict=True)
        ]
    else:
        target = ops.bind({"attr": "seg_combined", "path": ["seg_winner"]})
        takes = [ops.bind({"&&": [u, {"==": [c, target]}]}, True) for u, c in zip(used, chosen, strict=True)]
    count = total(ops, [{"if": t, "then": 1.0, "else": 0.0} for t in takes])
    rows = [
        total(ops, [{"if": t, "then": {"attr": p, "path": [j]}, "else": 0.0} for t, p in zip(takes, pz, strict=True)])
        for j in range(k)
    ]
    broken = any_of(ops, [{"&&": [u, g]} for u, g in zip(used, gone, strict=True)])
    bad = {"||": [broken, {"!": any_of(ops, used)}]}
    probs = {
        "if": bad,
        "then": {"new": [NAN] * k, "type": ARRAY},
        "else": {"new": [{"/": [r, count]} for r in rows], "type": ARRAY},
    }
    return probs, {"attr": {"cell": "classes"}, "path": ["seg_winner"]}


SEGMENT_WRITERS: dict[type, Any] = {Segmentation: _segmentation}
