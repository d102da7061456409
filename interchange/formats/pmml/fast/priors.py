"""PMML 4.4 §Targets, TargetValue priorProbability and defaultValue on the fast path.

They stand in for a prediction the model's own logic did not produce (a missing input, a tree
with no true child): a classification takes the category with the largest prior probability
and the priors as its probabilities; a regression takes defaultValue, not rescaled (it is
already in the target's units; pypmml agrees). pypmml 1.5.8 applies them for RegressionModel,
the regressions of GeneralRegressionModel and TreeModel, and Scorecard; it ignores the priors
of TreeModel and GeneralRegressionModel: the specification is followed there. pypmml keeps
x/0, ln(0) and overflows infinite (shown as missing, no stand-in) where the fast path has
missing values: documents with such functions are declined.
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.parse import NotCovered, children, local
from interchange.ir.models.targets import with_priors

__all__ = ["fallbacks", "with_priors"]

_MODELS = ("RegressionModel", "GeneralRegressionModel", "TreeModel", "Scorecard")
_INFINITE = ("/", "ln", "log10", "exp", "pow")  # can give +-Infinity in pypmml


def fallbacks(model: etree._Element, target: etree._Element) -> tuple[float | None, dict[str, float]]:
    """The Target's (defaultValue, priorProbability per category) for ``model``."""
    values = children(target, "TargetValue")
    default = [tv.get("defaultValue") for tv in values if tv.get("defaultValue") is not None]
    priors = {tv.get("value"): float(tv.get("priorProbability")) for tv in values if tv.get("priorProbability") is not None}
    if not default and not priors:
        return None, {}
    parent = model.getparent()
    if local(model) not in _MODELS or (parent is not None and local(parent) == "Segment"):
        raise NotCovered(f"TargetValue priorProbability / defaultValue in <{local(model)}>")
    for apply in model.getroottree().getroot().iter("{*}Apply"):
        if apply.get("function") in _INFINITE:
            raise NotCovered(f"TargetValue priorProbability / defaultValue with function {apply.get('function')}")
    if model.get("functionName") == "regression":
        # pypmml reads the first TargetValue's defaultValue; one TargetValue leaves no doubt
        if priors or len(values) != 1:
            raise NotCovered("a regression Target with priorProbability or several TargetValues")
        return float(default[0]), {}
    if default or None in priors:
        raise NotCovered("a classification TargetValue with defaultValue or without a value")
    if list(priors.values()).count(max(priors.values())) > 1:
        raise NotCovered("tied largest priorProbability")  # pypmml picks one in hash-map order
    return None, priors
