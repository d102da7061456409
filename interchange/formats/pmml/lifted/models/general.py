"""PMML 4.4 §GeneralRegressionModel on the fast path: evaluated as the lift's IR step
(formats/pmml/lift/models/general.py: Regression, GeneralizedLinear, Regression under softmax,
CumulativeLink), so on the one linear kernel and the one set of links.

Covered (what the lift holds): modelType regression and generalLinear (the linear predictor:
PMML 4.4 applies linkFunction, offsets and trials to generalizedLinear only, and pypmml agrees);
generalizedLinear regression with every linkFunction but cauchit (linkParameter, distParameter),
offsetValue / offsetVariable, trialsValue / trialsVariable; multinomialLogistic;
ordinalMultinomial with every cumulativeLink and offsets. Factors (an indicator per category),
covariates (a power per PPCell), interactions as products of a parameter's PPCells, a parameter
without PPCells as the intercept. Declined: CoxRegression, generalizedLinear classification,
offsets in multinomialLogistic, PPCell targetCategory, contrast matrices (the lift says why).

pypmml: a missing factor contributes 0 (matches no category); a missing covariate makes the
result missing (both followed). Specification followed where pypmml 1.5.8 departs (measured):
a classification without probabilities has no label (pypmml: the first category of its hash
map of categories), ordinalMultinomial offsets (pypmml ignores them), cumulativeLink loglog
(pypmml: exp(-exp(y)), which falls as y grows: negative probabilities), a missing
trialsVariable (pypmml multiplies by Int.MinValue; here the result is missing).
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.fast.engine import compiler, current
from interchange.formats.pmml.lift.models.general import lift_general
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import NotCovered, child, children
from interchange.ir.graph import ModelStep, Step

__all__: list[str] = []


def _check_variable(model: etree._Element, attr: str) -> None:
    """An offset or trials variable must be an active MiningField or a derived field."""
    name = model.get(attr)
    if name is None:
        return
    comp = current()
    fields = children(child(model, "MiningSchema"), "MiningField")
    mining = {mf.get("name") for mf in fields if mf.get("usageType", "active") == "active"}
    if name not in mining and (name in comp.fields or name not in comp.ctx.types):
        raise NotCovered(f"GeneralRegressionModel {attr}={name} is not an active field of the model")


@compiler("GeneralRegressionModel")
def _general(model: etree._Element, steps: list[Step]) -> ModelStep:
    for attr in ("offsetVariable", "trialsVariable"):
        _check_variable(model, attr)
    return lifted(model, lift_general)
