"""PMML 4.4 §Segmentation lifted into the IR's Segmentation step (predicates, weights, methods).

Used where a MiningModel is not a plain forest / boosted sum (models.py folds those into one
TreeEnsemble): segments with predicates other than True, weights, and the methods average,
weightedAverage, sum, weightedSum, median, weightedMedian, max, majorityVote,
weightedMajorityVote and selectFirst over any model the IR lifts; VariableWeight (weights read per
row from a field, ir.variable_weight) as the fast path reads it. missingPredictionTreatment
and missingThreshold as the fast path settles them against pypmml. JPMML-SkLearn's multi-target
MiningModel (x-multiModelChain, one regression segment per target) as ir.select_all with ``targets``.

Refused with a reason (what no IR prediction holds, or where pypmml 1.5.8, the reference,
departs from PMML 4.4 and no reading is settled): OutputField segmentId outside selectAll
(selectAll: ir.select_all, each segment's parts as outputs of their own), methods PMML 4.4 does not define for the function,
and segments without a category of the target. A segment TreeModel Node whose ScoreDistribution
lacks a category gives it probability 0, and skipSegment with a classification average averages
the kept segments (JPMML-Evaluator; pypmml departs: formats/pmml/departures.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from interchange.formats.pmml.fast.models.mining import complete_distributions, variable_weight
from interchange.formats.pmml.fast.trees.model import target_classes
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.formats.pmml.read.ir.predicates import PREDICATES, find_predicate, lift_predicate
from interchange.ir.combine.chain import Chain, ChainSegment
from interchange.ir.combine.segmentation import METHODS, WEIGHTED, Segmentation
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.ir.combine.variable_weight import VariableWeights
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_segmentation"]

_VOTES = ("majorityVote", "weightedMajorityVote")


def lift_segmentation(model: etree._Element, seg: etree._Element, lc: LiftContext) -> Segmentation | AllSegments:
    """The Segmentation step of a MiningModel, or Unliftable naming the element and why."""
    from interchange.formats.pmml.lift.models.elements import lift_model  # (models.py imports this module)

    path = path_of(seg)
    method, function = seg.get("multipleModelMethod"), model.get("functionName")
    if method == "selectAll":
        return _select_all(model, seg, lc)
    if method == "x-multiModelChain":
        return _multi_target(model, seg, lc)
    if method not in METHODS.get(function or "", ()):
        raise Unliftable(path, f"multipleModelMethod={method} for {function} (PMML 4.4 does not define it)")
    out = child(model, "Output")
    if out is not None and any(f.get("segmentId") is not None for f in children(out, "OutputField")):
        raise Unliftable(path_of(out), "OutputField segmentId (one segment's result) is not part of the IR's prediction")
    treatment, threshold = _missing_treatment(seg, method, function)
    complete_distributions(model, seg)
    preds, weights, steps, inner_elements, variable = [], [], [], [], []
    for s in children(seg, "Segment"):
        try:
            variable.append(variable_weight(s, method))
        except NotCovered as exc:
            raise Unliftable(path_of(s), str(exc)) from None
        preds.append(lift_predicate(find_predicate(s), lc.ctx))
        weights.append(float(s.get("weight", "1")))
        if method in WEIGHTED and not weights[-1] > 0:
            raise Unliftable(path_of(s), f"Segment weight {weights[-1]} in {method}")
        inner = [c for c in elements(s) if local(c) not in PREDICATES and local(c) != "VariableWeight"]
        if len(inner) != 1:
            raise Unliftable(path_of(s), "a Segment without exactly one model")
        if inner[0].get("functionName") != function:
            raise Unliftable(path_of(inner[0]), f"a {inner[0].get('functionName')} segment in a {function} Segmentation")
        inner_elements.append(inner[0])
        steps.append(lift_model(inner[0], lc))
    if not steps:
        raise Unliftable(path, "Segmentation without segments")
    classes: tuple[Any, ...] | None = None
    if function == "classification":
        found: list[Any] = list(target_classes(model))
        for st in steps:
            found += [c for c in getattr(st, "classes", None) or () if str(c) not in map(str, found)]
        classes = tuple(found)
        if method not in _VOTES:
            _check_categories(classes, steps, inner_elements)
    if any(variable):
        _check_variable(variable, inner_elements, lc)
        return VariableWeights(method, tuple(preds), tuple(weights), tuple(steps), classes, treatment, threshold, tuple(variable))
    return Segmentation(method, tuple(preds), tuple(weights), tuple(steps), classes, treatment, threshold)


def _select_all(model: etree._Element, seg: etree._Element, lc: LiftContext) -> AllSegments:
    """PMML 4.4 selectAll: every fired segment's own result, as the OutputFields with a segmentId
    name its parts (predictedValue, probability of a category); no other output is defined."""
    from interchange.formats.pmml.lift.models.elements import lift_model  # (models.py imports this module)

    function, path = model.get("functionName"), path_of(seg)
    if function not in ("regression", "classification"):
        raise Unliftable(path, f"selectAll for {function}")
    if seg.get("missingPredictionTreatment", "continue") != "continue":
        raise Unliftable(path, "selectAll with a missingPredictionTreatment other than continue")
    segments = children(seg, "Segment")
    ids = [s.get("id") or str(i + 1) for i, s in enumerate(segments)]  # PMML 4.4: the 1-based position when no id
    preds, steps = [], []
    for s in segments:
        inner = [c for c in elements(s) if local(c) not in PREDICATES]
        if len(inner) != 1 or inner[0].get("functionName") != function:
            raise Unliftable(path_of(s), f"a selectAll Segment without exactly one {function} model")
        preds.append(lift_predicate(find_predicate(s), lc.ctx))
        steps.append(lift_model(inner[0], lc))
    out = child(model, "Output")
    wanted = []
    for of in children(out, "OutputField") if out is not None else []:
        segment, feature = of.get("segmentId"), of.get("feature", "predictedValue")
        if segment is None or segment not in ids:
            raise Unliftable(path_of(of), "a selectAll OutputField without a Segment's segmentId (nothing is combined)")
        k = ids.index(segment)
        if feature == "predictedValue":
            wanted.append(SegmentPart(str(of.get("name")), k, "label" if function == "classification" else "value"))
        elif feature == "probability" and function == "classification" and of.get("value") is not None:
            wanted.append(SegmentPart(str(of.get("name")), k, "probability", of.get("value")))
        else:
            raise Unliftable(path_of(of), f"a selectAll OutputField feature={feature} (a segment's value, label or probability)")
    if not wanted:
        raise Unliftable(path, "selectAll without an OutputField segmentId (nothing is combined: no result to give)")
    classes = None
    if function == "classification":
        found: list[Any] = list(target_classes(model))
        for st in steps:
            found += [c for c in getattr(st, "classes", None) or () if str(c) not in map(str, found)]
        classes = tuple(found)
    return AllSegments(tuple(preds), tuple(steps), tuple(wanted), classes)


def _multi_target(model: etree._Element, seg: etree._Element, lc: LiftContext) -> AllSegments:
    """JPMML-SkLearn's multi-target model (x-multiModelChain, one regression segment per target of the
    MiningModel): each segment's predicted value is its target's output (ir.select_all, ``targets``),
    missing where its predicate is not TRUE (JPMML-Evaluator skips the segment). Segments run in order
    and each one's OutputFields are columns of the later ones (RegressorChain passes its predictions
    on): a segment after such a one is the ir.chain of the segments up to it. A classification's
    per-target probabilities (MultiOutputClassifier) are refused by name."""
    from interchange.formats.pmml.lift.models.chains import _chain_links
    from interchange.formats.pmml.lift.models.elements import lift_model  # (models.py imports this module)

    function, path = model.get("functionName"), path_of(seg)
    if function != "regression":
        raise Unliftable(path, f"x-multiModelChain for {function}: each target's own Output (probabilities) has no IR form yet")
    if seg.get("missingPredictionTreatment", "continue") != "continue":
        raise Unliftable(path, "x-multiModelChain with a missingPredictionTreatment other than continue")
    out = child(model, "Output")
    if out is not None and children(out, "OutputField"):
        raise Unliftable(path_of(out), "an Output beside x-multiModelChain's targets (JPMML-SkLearn writes none)")
    targets = _targets(model)
    preds, steps = [], []
    wanted: list[SegmentPart] = []
    chain: list[ChainSegment] = []  # the segments so far, each with the columns it passes on
    for k, s in enumerate(children(seg, "Segment")):
        inner = [c for c in elements(s) if local(c) not in PREDICATES]
        if len(inner) != 1 or inner[0].get("functionName") != "regression":
            raise Unliftable(path_of(s), "an x-multiModelChain Segment without exactly one regression model")
        own = _targets(inner[0])
        if len(own) != 1 or own[0] not in targets or own[0] in {w.name for w in wanted}:
            raise Unliftable(path_of(inner[0]), f"a segment predicting {own}, not one target of {targets} of its own")
        step = lift_model(inner[0], lc)
        links = _chain_links(inner[0], step, lc)
        preds.append(lift_predicate(find_predicate(s), lc.ctx))
        chained = any(c.links for c in chain)
        if (chained or links) and local(find_predicate(s)) != "True":
            raise Unliftable(path_of(s), "a Segment predicate other than True in an x-multiModelChain passing columns on")
        steps.append(Chain((*chain, ChainSegment(step)), None) if chained else step)
        chain.append(ChainSegment(step, None, links))
        wanted.append(SegmentPart(own[0], k, "value"))
    if sorted(w.name for w in wanted) != sorted(targets):
        raise Unliftable(path, f"targets {sorted(set(targets) - {w.name for w in wanted})} no segment predicts")
    return AllSegments(tuple(preds), tuple(steps), tuple(wanted), None, targets=True)


def _targets(model: etree._Element) -> list[str]:
    """The target fields of a model's MiningSchema, in order."""
    schema = child(model, "MiningSchema")
    found = children(schema, "MiningField") if schema is not None else []
    return [str(mf.get("name")) for mf in found if mf.get("usageType") in ("target", "predicted")]


def _check_variable(variable: list[str | None], inner: list[etree._Element], lc: LiftContext) -> None:
    """VariableWeight fields must be numeric inputs or derived fields, not the segment model's own
    OutputFields (pypmml fails to load such a document; the fast path declines it)."""
    for field, el in zip(variable, inner, strict=True):
        out = child(el, "Output")
        own = {f.get("name") for f in children(out, "OutputField")} if out is not None else set()
        if field is not None and (field in own or not (field in lc.ctx.types and lc.ctx.numeric(field))):
            raise Unliftable(path_of(el), f"VariableWeight field {field!r} is no numeric input or derived field")


def _missing_treatment(seg: etree._Element, method: str, function: str | None) -> tuple[str, float]:
    treatment, threshold = seg.get("missingPredictionTreatment", "continue"), float(seg.get("missingThreshold", "1"))
    path = path_of(seg)
    if treatment not in ("continue", "returnMissing", "skipSegment"):
        raise Unliftable(path, f"missingPredictionTreatment={treatment}")
    if threshold != 1 and treatment != "skipSegment":
        raise Unliftable(path, f"missingThreshold with missingPredictionTreatment={treatment}")
    if method == "selectFirst" and treatment == "skipSegment":
        raise Unliftable(path, "selectFirst with skipSegment (pypmml ignores the treatment)")
    if treatment == "skipSegment" and threshold >= 1 and method not in ("sum", "weightedSum", "average", "weightedAverage"):
        raise Unliftable(path, f"skipSegment with missingThreshold {threshold} and {method}: what pypmml gives is not measured")
    return treatment, threshold


def _check_categories(classes: tuple[Any, ...], steps: list[ModelStep], inner: list[etree._Element]) -> None:
    """Averages, max and medians read each segment's probability of every category."""
    for st, el in zip(steps, inner, strict=True):
        own = getattr(st, "classes", None)
        if own is None or {str(c) for c in classes} - {str(c) for c in own}:
            raise Unliftable(path_of(el), "a segment model without a probability for every category of the target")
