"""Scorecard and RuleSet as PMML 4.4 Scorecard and RuleSetModel.

Scorecard: one Characteristic per IR characteristic (baselineScore), one Attribute per bin with
its predicate, partialScore (or a ComplexPartialScore reading the derived column) and reason
code; reason-code outputs are OutputFields feature="reasonCode" with their rank. RuleSet: one
SimpleRule per rule (its predicates joined by and), the criterion and defaultScore.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.predicates import predicate_element
from interchange.formats.pmml.emit.xmlbuild import TARGET, E, num, text
from interchange.ir.derive.predicates import Always, Predicate
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard
from interchange.signature import Signature

__all__ = ["scoring_writers"]


def _schema(sig: Signature, target: bool = True) -> etree._Element:
    ms = E("MiningSchema", None, *(E("MiningField", {"name": n}) for n in sig.input_names))
    if target:
        ms.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return ms


def scorecard(step: Scorecard, sig: Signature) -> etree._Element:
    attrs = {
        "functionName": "regression",
        "initialScore": num(step.initial),
        "useReasonCodes": "true" if step.use_codes else "false",
        "reasonCodeAlgorithm": "pointsBelow" if step.below else "pointsAbove",
        "baselineMethod": "other",
    }
    model = E("Scorecard", attrs, _schema(sig), _output(step, sig))
    chars = E("Characteristics")
    for i, ch in enumerate(step.characteristics):
        c_attrs = {"name": f"c{i}"}
        if ch.baseline is not None:
            c_attrs["baselineScore"] = num(ch.baseline)
        el = E("Characteristic", c_attrs)
        for a in ch.attributes:
            a_attrs: dict[str, str] = {}
            if a.code is not None:
                a_attrs["reasonCode"] = a.code
            if not isinstance(a.score, str):
                a_attrs["partialScore"] = num(a.score)
            attribute = E("Attribute", a_attrs, predicate_element(a.predicate))
            if isinstance(a.score, str):
                attribute.append(E("ComplexPartialScore", None, E("FieldRef", {"field": a.score})))
            el.append(attribute)
        chars.append(el)
    model.append(chars)
    return model


def _output(step: Scorecard, sig: Signature) -> etree._Element:
    ranks = dict(step.reasons)
    out = E("Output")
    for f in sig.outputs:
        if f.kind == "value":
            out.append(
                E("OutputField", {"name": f.name, "optype": "continuous", "dataType": "double", "feature": "predictedValue"})
            )
        elif f.name in ranks:
            attrs = {
                "name": f.name,
                "optype": "categorical",
                "dataType": "string",
                "feature": "reasonCode",
                "rank": ranks[f.name] + 1,
            }
            out.append(E("OutputField", attrs))
        else:
            raise UnsupportedModelError(
                f"a scorecard output {f.name!r} ({f.kind}) has no PMML form", estimator="Scorecard", format="pmml"
            )
    return out


def _rule(preds: tuple[Predicate, ...], attrs: dict[str, str]) -> etree._Element:
    """A SimpleRule, inside one CompoundRule per outer predicate (each predicate stays its own
    element, as the lifted CompoundRules had it: a surrogate is not nested in an and)."""
    if len(preds) <= 1:
        return E("SimpleRule", attrs, predicate_element(preds[0] if preds else Always(True)))
    return E("CompoundRule", None, predicate_element(preds[0]), _rule(preds[1:], attrs))


def ruleset(step: RuleSet, sig: Signature) -> etree._Element:
    rules = E("RuleSet", {"defaultScore": text(step.default)} if step.default is not None else None)
    rules.append(E("RuleSelectionMethod", {"criterion": step.criterion}))
    for i, r in enumerate(step.rules):
        attrs = {"id": f"r{i}", "score": text(r.score), "weight": num(r.weight)}
        rules.append(_rule(r.predicates, attrs))
    return E("RuleSetModel", {"functionName": "classification"}, _schema(sig), rules)


def scoring_writers() -> dict[type, Any]:
    return {Scorecard: scorecard, RuleSet: ruleset}
