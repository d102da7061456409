"""PMML 4.4 §RuleSetModel on the fast path, evaluated as the lift's IR step (ir.rules):
SimpleRule and CompoundRule, selected by the first RuleSelectionMethod (firstHit, weightedSum
or weightedMax); defaultScore when no rule fires; rules whose predicate is UNKNOWN do not fire.
A SimpleRule's ScoreDistributions only describe its training records: nothing reads them.
Output: the predicted value and its transformations, and the confidence of the prediction (the
chosen rule's confidence; under weightedSum the winner's total weight over the number of fired
rules; defaultConfidence, else missing, when none fires), as pypmml 1.5.8 and PMML 4.4 give it.
Declined: entityId (pypmml 1.5.8 gives none for RuleSetModel) and probability (neither pypmml nor
JPMML-Evaluator gives a rule set probabilities).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler
from interchange.formats.pmml.fast.outputs import CONFIDENCE
from interchange.formats.pmml.lift.models.rules import ruleset_step
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.ir.graph import ModelStep, Step
from interchange.ir.models.rules import RuleConfidence, RuleSet

__all__: list[str] = []


@compiler("RuleSetModel")
def _ruleset(model: etree._Element, steps: list[Step]) -> ModelStep:
    for el in elements(model):
        if local(el) not in INERT | {"RuleSet"}:
            raise NotCovered(f"<{local(el)}> in <RuleSetModel>")
    out = child(model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature", "predictedValue") not in ("predictedValue", "transformedValue", "confidence"):
            raise NotCovered(f"RuleSetModel OutputField feature={of.get('feature')}")
        if of.get("feature") == "confidence" and of.get("value") is not None:
            raise NotCovered("RuleSetModel OutputField confidence of a named category")
    on_ir = lifted(model, ruleset_step)
    assert isinstance(on_ir.model, RuleSet)
    return replace(on_ir, model=RuleConfidence(on_ir.model, (CONFIDENCE,)))
