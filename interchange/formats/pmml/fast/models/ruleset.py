"""PMML 4.4 §RuleSetModel on the fast path, evaluated as the lift's IR step (ir.rules):
SimpleRule and CompoundRule, selected by the first RuleSelectionMethod (firstHit, weightedSum
or weightedMax); defaultScore when no rule fires; rules whose predicate is UNKNOWN do not fire.
Output: the predicted value and its transformations (pypmml 1.5.8 gives no entityId for
RuleSetModel: not offered).
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler
from interchange.formats.pmml.fast.expressions.compile import elements
from interchange.formats.pmml.fast.lifted import lifted
from interchange.formats.pmml.lift.rules import ruleset_step
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Step

__all__: list[str] = []


@compiler("RuleSetModel")
def _ruleset(model: etree._Element, steps: list[Step]) -> ModelStep:
    for el in elements(model):
        if local(el) not in INERT | {"RuleSet"}:
            raise NotCovered(f"<{local(el)}> in <RuleSetModel>")
    out = child(model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature", "predictedValue") not in ("predictedValue", "transformedValue"):
            raise NotCovered(f"RuleSetModel OutputField feature={of.get('feature')}")
    return lifted(model, ruleset_step)
