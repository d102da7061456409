"""PMML ``x-mathContext="float"`` (JPMML-SkLearn's XGBoost / LightGBM documents) on the lifted tree steps.

JPMML-Evaluator computes a model element marked ``x-mathContext="float"`` in float32 (``FloatValue``,
``SimpleFloatVector``): each Node score a float, the Segmentation sum added segment by segment, a Target's
``value * rescaleFactor + rescaleConstant``, a RegressionModel's ``intercept + coefficient * x`` and its
normalizationMethod (logit, exp, softmax), each rounded to float32 after every operation. The lifted step
gets ``precision="float"`` (ir.trees.ensemble.TreeEnsemble, ir.models.general.GeneralizedLinear) where the
IR then computes exactly what JPMML computes: every model element of the subtree is marked float, every
Target rescales by a factor of 1 (nothing else), every RegressionModel reads its raw scores with
coefficient 1 (or 0: another class's) and intercept 0, and the Segmentations sum or chain, so the lift's folds (leaves times
factors, bases plus constants) leave JPMML's float values and its order of additions. Elsewhere the step
stays double: agreement with JPMML at float tolerance.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from interchange.formats.pmml.parse import children, local
from interchange.ir.combine.chain import Chain
from interchange.ir.graph import ModelStep
from interchange.ir.models.general import FLOAT_LINKS, GeneralizedLinear
from interchange.ir.models.linear import Link
from interchange.ir.trees.ensemble import TreeEnsemble

__all__ = ["float_context", "computes_in_float"]

_MODELS = ("TreeModel", "MiningModel", "RegressionModel")


def _one(value: str | None, default: float) -> bool:
    return value is None or float(value) == default


def _exact(model: etree._Element) -> bool:
    """The subtree computes in float as the lifted IR step orders it (see the module docstring)."""
    for el in model.iter():
        if not isinstance(el.tag, str):
            continue
        name = local(el)
        if name in _MODELS and el.get("x-mathContext") != "float":
            return False
        if name == "Segmentation" and el.get("multipleModelMethod") not in ("sum", "modelChain"):
            return False
        if name == "Target" and (
            not _one(el.get("rescaleFactor"), 1.0)
            or any(el.get(a) is not None for a in ("min", "max", "castInteger"))
            or children(el, "TargetValue")
        ):
            return False
        if name == "RegressionTable":
            if not _one(el.get("intercept"), 0.0) or children(el, "CategoricalPredictor") or children(el, "PredictorTerm"):
                return False
            numeric = children(el, "NumericPredictor")
            if any(float(p.get("coefficient", "1")) not in (0.0, 1.0) or not _one(p.get("exponent"), 1.0) for p in numeric):
                return False
    return True


def computes_in_float(model: etree._Element) -> bool:
    """Whether ``model`` is marked ``x-mathContext="float"`` and its lifted steps compute JPMML's float arithmetic."""
    return model.get("x-mathContext") == "float" and _exact(model)


def float_context(model: etree._Element, step: ModelStep) -> ModelStep:
    """``step`` (lifted from ``model``) with ``precision="float"`` where JPMML-Evaluator's float arithmetic is
    what the IR then computes; else ``step`` as it is."""
    if not computes_in_float(model):
        return step
    if isinstance(step, TreeEnsemble) and step.aggregation == "sum" and step.link in (Link.IDENTITY, Link.SOFTMAX):
        return replace(step, precision="float")
    if isinstance(step, Chain) and len(step.segments) == 2:
        head, tail = step.segments[0].model, step.segments[1].model
        if (
            isinstance(head, TreeEnsemble)
            and head.aggregation == "sum"
            and head.classes is None
            and isinstance(tail, GeneralizedLinear)
            and tail.link in FLOAT_LINKS
            and tail.offset is None
            and tail.trials is None
        ):
            first = replace(step.segments[0], model=replace(head, precision="float"))
            second = replace(step.segments[1], model=replace(tail, precision="float"))
            return replace(step, segments=(first, second))
    return step
