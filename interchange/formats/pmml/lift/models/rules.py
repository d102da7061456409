"""PMML 4.4 §Scorecard and §RuleSetModel lifted into the IR (Scorecard, RuleSet steps).

Scorecard: Attributes with a partialScore or a ComplexPartialScore expression (a Derive
column), reason codes pointsBelow / pointsAbove with their OutputField ranks. RuleSetModel
(classification): SimpleRules and CompoundRules under the first RuleSelectionMethod.

Refused with a reason: a scorecard Attribute without a reason code or a Characteristic without
a baseline where reason codes are used, classification scorecards, rule outputs other than the
predicted value and its confidence (entityId, ruleValue, the confidence of a named category). A
SimpleRule's ScoreDistributions are descriptive and read by no engine: lifted without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from interchange.formats.pmml.parse import child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.ir.expressions import lift_expression, path_of
from interchange.formats.pmml.read.ir.predicates import PREDICATES, find_predicate, lift_predicate
from interchange.ir.derive.predicates import Predicate
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.rules import Rule, RuleConfidence, RuleSet
from interchange.ir.models.scorecard import Attribute, Characteristic, Scorecard

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_scorecard", "lift_ruleset", "ruleset_step"]

_INERT = {"MiningSchema", "Output", "ModelStats", "ModelExplanation", "Targets", "LocalTransformations", "ModelVerification"}
_INERT |= {"Extension"}


def _only(model: etree._Element, allowed: set[str]) -> None:
    for el in elements(model):
        if local(el) not in _INERT | allowed:
            raise Unliftable(path_of(el), f"<{local(el)}> in <{local(model)}>")


def lift_scorecard(model: etree._Element, lc: LiftContext) -> ModelStep:
    """A Scorecard step, or Unliftable naming what has no IR form."""
    _only(model, {"Characteristics"})
    if model.get("functionName") != "regression":
        raise Unliftable(path_of(model), f"Scorecard functionName={model.get('functionName')}")
    reasons = model.get("useReasonCodes", "true") == "true"
    algorithm = model.get("reasonCodeAlgorithm", "pointsBelow")
    if algorithm not in ("pointsBelow", "pointsAbove"):
        raise Unliftable(path_of(model), f"reasonCodeAlgorithm={algorithm}")
    default_baseline = model.get("baselineScore")
    codes: list[str] = []
    chars = []
    for ch in children(child(model, "Characteristics"), "Characteristic"):
        attrs = []
        for a in children(ch, "Attribute"):
            for c in elements(a):
                if local(c) not in (*PREDICATES, "ComplexPartialScore", "Extension"):
                    raise Unliftable(path_of(c), f"<{local(c)}> in Attribute")
            complex_score = child(a, "ComplexPartialScore")
            score: float | str
            if complex_score is not None:
                body = elements(complex_score)
                if len(body) != 1:
                    raise Unliftable(path_of(complex_score), "ComplexPartialScore without one expression")
                score = lc.derive(path_of(complex_score), lift_expression(body[0], lc.ctx))
            elif a.get("partialScore") is not None:
                score = float(a.get("partialScore"))
            else:
                raise Unliftable(path_of(a), "Attribute without partialScore")
            code = a.get("reasonCode") or ch.get("reasonCode")
            if reasons and code is None:
                raise Unliftable(path_of(a), "a scorecard Attribute without a reason code")
            if code is not None and code not in codes:
                codes.append(code)
            attrs.append(Attribute(lift_predicate(find_predicate(a), lc.ctx), score, code))
        baseline = ch.get("baselineScore", default_baseline)
        if reasons and baseline is None:
            raise Unliftable(path_of(ch), "reason codes without a baselineScore")
        chars.append(Characteristic(tuple(attrs), None if baseline is None else float(baseline)))
    out = child(model, "Output")
    ranks = tuple(
        (of.get("name"), int(of.get("rank", "1")) - 1)
        for of in (children(out, "OutputField") if out is not None else [])
        if of.get("feature") == "reasonCode"
    )
    initial = float(model.get("initialScore", "0"))
    return Scorecard(initial, tuple(chars), tuple(codes), algorithm == "pointsBelow", ranks, reasons)


def lift_ruleset(model: etree._Element, lc: LiftContext) -> ModelStep:
    """A RuleSet step, or Unliftable naming what has no IR form."""
    out = child(model, "Output")
    confidence = []
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature") == "confidence" and of.get("value") is None:  # the prediction's confidence
            confidence.append(of.get("name"))
        elif of.get("feature", "predictedValue") != "predictedValue":
            raise Unliftable(
                path_of(of), f"RuleSetModel OutputField feature={of.get('feature')} is not part of the IR's prediction"
            )
    rules = ruleset_step(model, lc)
    return RuleConfidence(rules, tuple(confidence)) if confidence else rules


def ruleset_step(model: etree._Element, lc: LiftContext) -> RuleSet:
    """The RuleSet of a RuleSetModel (its Output not looked at)."""
    _only(model, {"RuleSet"})
    if model.get("functionName") != "classification":
        raise Unliftable(path_of(model), f"RuleSetModel functionName={model.get('functionName')}")
    rs = child(model, "RuleSet")
    if rs is None:
        raise Unliftable(path_of(model), "RuleSetModel without a RuleSet")
    methods = children(rs, "RuleSelectionMethod")
    criterion = methods[0].get("criterion") if methods else None
    if criterion not in ("firstHit", "weightedSum", "weightedMax"):
        raise Unliftable(path_of(rs), f"RuleSelectionMethod criterion={criterion}")
    rules: list[Rule] = []
    _flatten(rs, (), lc, rules)
    default_confidence = rs.get("defaultConfidence")
    return RuleSet(
        tuple(rules), criterion, rs.get("defaultScore"), None if default_confidence is None else float(default_confidence)
    )


def _flatten(el: etree._Element, outer: tuple[Predicate, ...], lc: LiftContext, out: list[Rule]) -> None:
    for r in elements(el):
        tag = local(r)
        if tag in PREDICATES or tag in ("RuleSelectionMethod", "ScoreDistribution", "Extension"):
            continue
        if tag not in ("SimpleRule", "CompoundRule"):
            raise Unliftable(path_of(r), f"<{tag}> in a RuleSet")
        preds = (*outer, lift_predicate(find_predicate(r), lc.ctx))
        if tag == "CompoundRule":
            _flatten(r, preds, lc, out)
            continue
        # a SimpleRule's ScoreDistributions describe the training records where it fired (PMML 4.4
        # §RuleSet); the prediction and its confidence do not read them (nor do pypmml and JPMML-Evaluator)
        out.append(Rule(preds, r.get("score"), float(r.get("weight", "1")), float(r.get("confidence", "1"))))
