"""PMML 4.4 §RegressionModel on the fast path: what the fast path covers, checked here, and
evaluated as the lift's IR step (ir.linear.Regression / ir.general.GeneralizedLinear /
NormalizedClassifier: the one linear kernel and the one set of links).

Covered: NumericPredictor (with exponent) over numeric fields, CategoricalPredictor,
PredictorTerm over plain numeric FieldRefs; every normalizationMethod pypmml 1.5.8 computes for
regression and for binary and multiclass classification.
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.lift.models.regression import lift_regression
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import NotCovered, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.ir.graph import ModelStep, Step
from interchange.ir.links import INVERSE_LINKS

__all__: list[str] = []


def _check_term(p: etree._Element) -> None:
    tag, numeric = local(p), current().ctx.numeric
    if tag == "NumericPredictor":
        if not numeric(p.get("name")):
            raise NotCovered(f"NumericPredictor over non-numeric field {p.get('name')}")
    elif tag == "PredictorTerm":
        refs = elements(p)
        if not refs or any(local(r) != "FieldRef" or r.get("mapMissingTo") is not None for r in refs):
            raise NotCovered("PredictorTerm with other than plain FieldRefs")
        if not all(numeric(r.get("field")) for r in refs):
            raise NotCovered("PredictorTerm over non-numeric fields")
    elif tag != "CategoricalPredictor":
        raise NotCovered(f"<{tag}> in RegressionTable")


@compiler("RegressionModel")
def _regression(model: etree._Element, steps: list[Step]) -> ModelStep:
    method = model.get("normalizationMethod", "none")
    tables = children(model, "RegressionTable")
    for el in elements(model):
        if local(el) not in INERT | {"RegressionTable"}:
            raise NotCovered(f"<{local(el)}> in <RegressionModel>")
    for t in tables:
        for p in elements(t):
            _check_term(p)
    if model.get("functionName") == "regression":
        # pypmml 1.5.8 returns a missing value for regression with loglog: declined
        if len(tables) != 1 or method not in ("none", "softmax", "logit", "exp", "probit", "cloglog", "cauchit"):
            raise NotCovered(f"regression with {len(tables)} tables, normalizationMethod={method}")
        return lifted(model, lift_regression)
    classes = tuple(t.get("targetCategory") for t in tables)
    if None in classes or len(classes) < 2 or len(set(classes)) != len(classes):
        raise NotCovered("classification tables without distinct targetCategory")
    if method not in ("none", "simplemax", "softmax", "logit", "probit", "cloglog", "loglog", "cauchit"):
        raise NotCovered(f"classification normalizationMethod={method}")
    if method in INVERSE_LINKS and len(classes) > 2:
        # PMML 4.4 defines these links for binary (and ordinal) targets; pypmml 1.5.8 gives
        # missing values for three or more categories
        raise NotCovered(f"normalizationMethod={method} over {len(classes)} categories")
    if _target_optype(model) == "ordinal" and method not in ("softmax", "simplemax"):
        raise NotCovered("ordinal target with a cumulative link")
    return lifted(model, lift_regression)


def _target_optype(model: etree._Element) -> str | None:
    comp = current()
    for mf in children(children(model, "MiningSchema")[0], "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            return mf.get("optype") or (df.get("optype") if df is not None else None)
    return None
