"""PMML 4.4 §MiningModel / §Segmentation on the fast path.

Segments with predicates and weights, nested models (MiningModels inside segments), and every
multipleModelMethod PMML 4.4 allows for regression and classification (fast_segments holds
the combination rules and where pypmml departs from them). A forest or boosted sum of plain
binary trees (all segments True, no per-segment transformations) packs into one flat
TreeEnsemble.

Every segment's own result is kept for OutputField segmentId (missing where the segment did
not fire). selectAll yields one result per segment, not per row, so its documents are compiled
only when every OutputField names a segmentId (or is a transformedValue).

VariableWeight (PMML 4.4: a segment's weight read, per row, from a field) weighs the weighted
methods as pypmml 1.5.8 does, for an input or derived field (JPMML-Evaluator refuses the
element; pypmml fails to load one naming the segment model's own OutputField: declined); a
batch where a fired segment's variable weight is missing or not positive goes to pypmml (Defer).

JPMML-SkLearn's multi-target MiningModel (x-multiModelChain, one regression segment per target) is
evaluated through its lift (ir.select_all with targets): each target's output is its segment's value.

Declined: what PMML 4.4 does not define (max for regression, sum / weightedSum for
classification), VariableWeight beside a Segment weight other than 1, missingPredictionTreatment
other than continue for selectAll, modelChain and selectFirst (but returnMissing there), and
segment results pypmml reads differently from their model (see _check_results).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.batch import is_missing
from interchange.formats.pmml.fast.engine import INERT, Scoped, compile_model, compiler, current
from interchange.formats.pmml.fast.expressions.predicates import PREDICATES, find_predicate, predicate
from interchange.formats.pmml.fast.outputs import SEGMENTS, blank
from interchange.formats.pmml.fast.trees.model import FlatTree, target_classes
from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.scope import Scope, num
from interchange.ir.combine.segmentation import METHODS, WEIGHTED, combine_segments, first_fired
from interchange.ir.graph import ModelStep, Prediction, Step
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["Segments", "complete_distributions"]

_VOTES = ("majorityVote", "weightedMajorityVote")

# JPMML-SkLearn's multi-target MiningModel (x-multiModelChain) is compiled through its lift by
# formats/pmml/lifted/models/mining.py, which registers here (the engine loads it by name)
MULTI_TARGET: dict[str, Callable[[etree._Element, etree._Element], ModelStep]] = {}

# x-mathContext -> the MiningModel compiled through its lift, which computes JPMML-Evaluator's float arithmetic
# where it holds the model (None: the double path); formats/pmml/lifted/models/mining.py registers "float"
MATH_CONTEXT: dict[str, Callable[[etree._Element], ModelStep | None]] = {}

# PMML 4.4 §Segmentation: the methods each function may use here (the IR Segmentation's, plus
# modelChain; selectAll: see Segments)
REGRESSION = (*METHODS["regression"], "modelChain")
CLASSIFICATION = (*METHODS["classification"], "modelChain")


@dataclass(frozen=True)
class Segments(ModelStep):
    """Evaluate each segment where its predicate is TRUE and combine the results."""

    method: str
    preds: tuple[Any, ...]
    weights: tuple[float, ...]
    models: tuple[Scoped, ...]
    classes: tuple[str, ...] | None
    ids: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    treatment: str = "continue"  # missingPredictionTreatment
    threshold: float = 1.0  # missingThreshold (skipSegment)
    variable: tuple[str | None, ...] = ()  # VariableWeight fields (weighted methods only)

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        if self.method == "modelChain":
            return self._chain(env)
        on = np.array([p(env)[0] for p in self.preds], dtype=bool).reshape(len(self.preds), env.n)
        weights: tuple[float, ...] | np.ndarray = self.weights
        if any(self.variable):
            results, weights = self._variable(env, on)
        else:
            results = [m.predict(env) for m in self.models]
        combined = self._combine(env, on, results, weights)
        combined.extra[SEGMENTS] = {i: (on[k], results[k]) for k, i in enumerate(self.ids)}  # OutputField segmentId
        return combined

    def _variable(self, env: Scope, on: np.ndarray) -> tuple[list[Prediction], np.ndarray]:
        """Each segment's result and its weight per row (segments x rows): PMML 4.4 VariableWeight,
        the field's value in the segment model's scope times the weight."""
        results, rows = [], []
        for k, m in enumerate(self.models):
            field = self.variable[k]
            if field is None:
                results.append(m.predict(env))
                rows.append(np.full(env.n, self.weights[k]))
                continue
            pred, scope = m.run(env)
            results.append(pred)
            w = num(np.asarray(scope[field])) * self.weights[k]
            if (on[k] & ~(w > 0)).any():  # a missing or non-positive weight: pypmml's arithmetic, not settled here
                raise Defer(f"VariableWeight {field!r} missing or not positive")
            rows.append(np.where(on[k], w, 1.0))  # (a segment that did not fire weighs nothing anyway)
        return results, np.array(rows, dtype=np.float64).reshape(len(self.models), env.n)

    def _combine(
        self, env: Scope, on: np.ndarray, results: list[Prediction], weights: tuple[float, ...] | np.ndarray
    ) -> Prediction:
        if self.method == "selectAll":  # every fired segment's result, only through OutputField segmentId
            k = len(self.classes or ())
            none = np.full(env.n, None, dtype=object)
            if self.classes is None:
                return Prediction(value=np.full(env.n, np.nan))
            return Prediction(classes=self.classes, probabilities=np.full((env.n, k), np.nan), label=none)
        return combine_segments(self.method, results, on, weights, self.classes, self.treatment, self.threshold, env.n)

    def _chain(self, env: Scope) -> Prediction:
        """PMML 4.4 modelChain: segments run in order, each seeing the Output fields of the
        ones before it (missing where those did not fire); the result is the last fired one's."""
        results, on = [], []
        for p, m in zip(self.preds, self.models, strict=True):
            fired = p(env)[0]
            pred, scope = m.run(env)
            done = m.output_scope(pred, scope)
            for name, _ in m.outputs:
                env[name] = blank(np.asarray(done[name]), fired)
            results.append(pred)
            on.append(fired)
        chosen = first_fired(results[::-1], on[::-1], self.classes, env.n)
        if self.treatment == "returnMissing":  # PMML 4.4: any fired segment without a result ends the chain missing
            dead = np.zeros(env.n, dtype=bool)
            for r, fired in zip(results, on, strict=True):
                dead |= fired & _no_result(r, env.n)
            chosen = _where_missing(chosen, dead)
        return chosen


def _no_result(r: Prediction, n: int) -> np.ndarray:
    """Rows where a segment's own result is missing (no value, no label or a missing probability)."""
    if r.value is not None:
        return np.isnan(np.asarray(r.value, dtype=np.float64))
    if r.probabilities is not None:
        return np.isnan(r.probabilities).any(axis=1)
    if r.label is not None:
        return np.array([is_missing(v) for v in r.label], dtype=bool)
    return np.ones(n, dtype=bool)


def _where_missing(p: Prediction, dead: np.ndarray) -> Prediction:
    if not dead.any():
        return p
    value = None if p.value is None else np.where(dead, np.nan, p.value)
    probs = None if p.probabilities is None else np.where(dead[:, None], np.nan, p.probabilities)
    label = None if p.label is None else blank(np.asarray(p.label, dtype=object), ~dead)
    return Prediction(classes=p.classes, value=value, probabilities=probs, label=label)


def _flat_ensemble(method: str, models: list[Scoped], classification: bool) -> tuple[TreeEnsemble, bool] | None:
    """Plain binary trees summed or averaged: one flat TreeEnsemble (the benchmark's path), and
    whether a batch with missing inputs needs the general segments."""
    if classification and method != "average" or method not in ("sum", "average"):
        return None
    parts = []
    for m in models:
        if not isinstance(m.inner, FlatTree) or m.local or m.outputs or m.tag != "TreeModel":
            return None
        parts.append(m.inner)
    classes: list[str] = []
    for p in parts:
        classes += [c for c in p.flat.classes or () if c not in classes]
    names: list[str] = []
    for p in parts:
        names += [f for f in p.flat.inputs if f not in names]
    width = len(classes) if classification else 1
    trees = []
    for p in parts:
        t = p.flat.trees[0]
        value = np.zeros((len(t.feature), width))
        if classification:
            own = list(p.flat.classes or ())
            for j, c in enumerate(own):
                value[:, classes.index(c)] = t.value[:, j]
        else:
            value[:, 0] = t.value[:, 0]
        mapping = np.array([names.index(f) for f in p.flat.inputs] or [0])
        feature = np.where(t.feature >= 0, mapping[np.maximum(t.feature, 0)], -1)
        trees.append(Tree(feature, t.threshold, t.left, t.right, value, t.missing_left, t.op))
    if len({t.op for t in trees}) > 1:
        return None
    ensemble = TreeEnsemble(tuple(names), tuple(trees), method, classes=tuple(classes) if classification else None)  # type: ignore[arg-type]  # method checked against the Literal values above
    return ensemble, any(p.needs_general_for_missing for p in parts)


_AVERAGED = ("average", "weightedAverage", "max", "median", "weightedMedian")


def complete_distributions(model: etree._Element, seg: etree._Element) -> None:
    """PMML 4.4 §Segmentation over classification TreeModels whose Node lists a ScoreDistribution
    without a category another Node of the tree names: that category's probability there is 0 (its
    record count is 0), so the averages, max and medians read a 0 for it (JPMML-Evaluator, measured;
    pypmml 1.5.8 makes the combined probability missing: formats/pmml/departures.py). Completed in
    place, once (a completed Node lacks nothing), for the fast path and the lift alike."""
    if model.get("functionName") != "classification" or seg.get("multipleModelMethod") not in _AVERAGED:
        return
    for tree in (t for s in children(seg, "Segment") for t in children(s, "TreeModel")):
        lists = [children(n, "ScoreDistribution") for n in tree.iter("{*}Node")]
        every = list(dict.fromkeys(str(d.get("value")) for ds in lists for d in ds))
        for ds in lists:
            seen = {d.get("value") for d in ds}
            for value in (v for v in every if ds and v not in seen):
                extra = {"value": value, "recordCount": "0"}
                if all(d.get("probability") is not None for d in ds):
                    extra["probability"] = "0"
                ds[-1].addnext(etree.Element(ds[-1].tag, extra))
                ds[-1] = ds[-1].getnext()


@compiler("MiningModel")
def _mining(model: etree._Element, steps: list[Step]) -> ModelStep:
    ctx = current().ctx
    in_context = MATH_CONTEXT.get(model.get("x-mathContext", "double"))
    on_ir = in_context(model) if in_context is not None else None
    if on_ir is not None:
        return on_ir
    for el in elements(model):
        if local(el) not in INERT | {"Segmentation"}:
            raise NotCovered(f"<{local(el)}> in <MiningModel>")
    seg = child(model, "Segmentation")
    if seg is None:
        raise NotCovered("MiningModel without Segmentation")
    method, function = seg.get("multipleModelMethod"), model.get("functionName")
    if method == "x-multiModelChain":
        return MULTI_TARGET["x-multiModelChain"](model, seg)
    out = child(model, "Output")
    fields = children(out, "OutputField") if out is not None else []
    if method == "selectAll" and any(f.get("segmentId") is None and f.get("feature") != "transformedValue" for f in fields):
        raise NotCovered("selectAll with an OutputField that names no segmentId (one result per segment, not per row)")
    if method not in (CLASSIFICATION if function == "classification" else REGRESSION) + ("selectAll",):
        # PMML 4.4 has no max for regression and no sum / weightedSum for classification (pypmml refuses them)
        raise NotCovered(f"Segmentation multipleModelMethod={method} for {function}")
    treatment, threshold = _missing_treatment(seg, method)
    if treatment == "skipSegment" and threshold >= 1 and method not in ("sum", "weightedSum", "average", "weightedAverage"):
        # a row whose used segments are all skipped: what pypmml returns is not measured
        raise NotCovered(f"Segmentation skipSegment with missingThreshold {threshold} and {method}")
    for el in elements(seg):
        if local(el) != "Segment":
            raise NotCovered(f"<{local(el)}> in Segmentation")
    complete_distributions(model, seg)
    segments = children(seg, "Segment")
    preds, weights, models, elems, variable = [], [], [], [], []
    for s in segments:
        variable.append(variable_weight(s, method))
        preds.append(predicate(find_predicate(s), ctx))
        weights.append(float(s.get("weight", "1")))
        if method in WEIGHTED and not weights[-1] > 0:
            raise NotCovered(f"Segment weight {weights[-1]} in {method}")
        inner = [c for c in elements(s) if local(c) not in PREDICATES and local(c) != "VariableWeight"]
        if len(inner) != 1:
            raise NotCovered("Segment without exactly one model")
        elems.append(inner[0])
        models.append(compile_model(inner[0]))
    if not models:
        raise NotCovered("Segmentation without segments")
    ids = tuple(s.get("id") or str(i + 1) for i, s in enumerate(segments))  # PMML 4.4: else the 1-based position
    wanted = {f.get("segmentId") for f in fields} - {None}
    if wanted - set(ids) or len(set(ids)) != len(ids):
        raise NotCovered(f"OutputField segmentId {sorted(wanted - set(ids))} or Segment ids that are not unique")
    classes: tuple[str, ...] | None = None
    if function == "classification":
        found = target_classes(model)
        for m in models:
            found += [c for c in _model_classes(m) or () if c not in found]
        classes = tuple(found)
    _check_results(method, function, segments, elems, models, classes)
    for field, m in zip(variable, models, strict=True):
        if field is not None and (field in {name for name, _ in m.outputs} or not (field in ctx.types and ctx.numeric(field))):
            raise NotCovered(f"VariableWeight field {field!r} is no numeric input or derived field")
    general = Segments(
        method, tuple(preds), tuple(weights), tuple(models), classes, ids, (), treatment, threshold, tuple(variable)
    )
    # (skipSegment would leave out a tree whose leaf has no score; the flat sum cannot)
    plain = not wanted and treatment != "skipSegment"
    plain = plain and not any(variable)
    plain = plain and all(local(find_predicate(s)) == "True" and s.get("weight", "1") in ("1", "1.0") for s in segments)
    flat = _flat_ensemble(method, models, function == "classification") if plain else None
    return general if flat is None else FlatTree(flat[0], general, flat[1])


def variable_weight(segment: etree._Element, method: str) -> str | None:
    """The field of a Segment's VariableWeight where the method weighs segments (the others ignore
    weights, as pypmml does); declined beside a weight attribute other than 1 (pypmml multiplies
    the two; PMML 4.4 does not say)."""
    el = child(segment, "VariableWeight")
    if el is None or method not in WEIGHTED:
        return None
    if float(segment.get("weight", "1")) != 1.0:
        raise NotCovered("Segment VariableWeight beside a weight other than 1")
    if not el.get("field"):
        raise NotCovered("VariableWeight without a field")
    return str(el.get("field"))


def _missing_treatment(seg: etree._Element, method: str) -> tuple[str, float]:
    """missingPredictionTreatment and missingThreshold, where their meaning is settled: the
    combining methods (fast_segments.treat_missing); selectFirst with returnMissing, which
    returns the chosen segment's result, missing or not, as continue does; modelChain with
    returnMissing (any fired segment without a result makes the result missing)."""
    treatment, threshold = seg.get("missingPredictionTreatment", "continue"), float(seg.get("missingThreshold", "1"))
    if treatment not in ("continue", "returnMissing", "skipSegment"):
        raise NotCovered(f"Segmentation missingPredictionTreatment={treatment}")
    if threshold != 1 and treatment != "skipSegment":
        raise NotCovered(f"Segmentation missingThreshold with missingPredictionTreatment={treatment}")
    settled = method not in ("selectAll", "selectFirst", "modelChain") or (treatment == "returnMissing" and method != "selectAll")
    if treatment != "continue" and not settled:
        # pypmml ignores the treatment for these methods (modelChain with returnMissing: the spec is
        # followed, see _chain; JPMML-SkLearn writes it for every boosted classifier)
        raise NotCovered(f"Segmentation missingPredictionTreatment={treatment} with {method}")
    return treatment, threshold


def _check_results(
    method: str,
    function: str,
    segments: list[etree._Element],
    elems: list[etree._Element],
    models: list[Scoped],
    classes: tuple[str, ...] | None,
) -> None:
    """Decline segment results the combination cannot read the way pypmml does."""
    ends = range(len(segments))
    if method == "modelChain":  # only a segment with no <True/> one after it can end the chain
        trues = [i for i, s in enumerate(segments) if local(find_predicate(s)) == "True"]
        ends = range(trues[-1] if trues else 0, len(segments))
    for i in ends:
        if elems[i].get("functionName") != function:
            raise NotCovered(f"a {elems[i].get('functionName')} segment in a {function} Segmentation ({method})")
        out = child(elems[i], "Output")
        if method == "modelChain" and out is not None:
            # pypmml builds the chain's result from the last segment's Output fields alone; with
            # every probability there (JPMML-SkLearn's boosted classifiers) the interchange reference
            # reads the label as the most probable category, which is the segment's own label
            fields = children(out, "OutputField")
            features = {(f.get("feature", "predictedValue"), f.get("value")) for f in fields if f.get("segmentId") is None}
            probabilities = {("probability", c) for c in classes or ()}
            wanted = probabilities if probabilities and probabilities <= features else {("predictedValue", None)} | probabilities
            if not wanted <= features:
                raise NotCovered("modelChain ending in a segment whose Output lacks its predictedValue or probabilities")
        known = _model_classes(models[i])
        if classes is not None and method not in _VOTES and known is not None:
            if set(classes) - set(known):
                # pypmml: a category a segment does not predict has a missing probability, which wins the label
                raise NotCovered(f"a segment model without the categories {sorted(set(classes) - set(known))}")


def _model_classes(m: Scoped) -> list[str] | None:
    """The categories a compiled classification model predicts, when the step says."""
    inner = m.inner
    for part in (inner, getattr(inner, "flat", None), getattr(inner, "general", None), getattr(inner, "ensemble", None)):
        value = getattr(part, "classes", None) if part is not None else None
        if value:
            return [str(c) for c in value]
    return None
