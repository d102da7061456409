"""PMML 4.4 §GeneralRegressionModel lifted into the IR.

Each Parameter with PPCells becomes a design column (Derive): a factor is an indicator of its
category (a missing factor matches none: 0), a covariate its power (a missing one: missing), an
interaction the product of its cells; a Parameter without PPCells is the intercept.

* regression / generalLinear (functionName regression): Regression (PMML 4.4 applies
  linkFunction, offsets and trials to generalizedLinear only, and pypmml agrees);
* generalizedLinear regression: GeneralizedLinear with every linkFunction, offsets and trials;
* multinomialLogistic: Regression under softmax, the reference category's scores 0;
* ordinalMultinomial: CumulativeLink (the first k-1 target categories' thresholds).

Refused with a reason: CoxRegression (pypmml 1.5.8 reads only the first BaselineCell and
predicts survival where JPMML predicts the cumulative hazard: no settled reading),
generalizedLinear classification, offsets in multinomialLogistic (pypmml ignores them),
PPCell targetCategory, contrast matrices, both an offset (trials) variable and value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.trees.model import target_classes
from interchange.formats.pmml.parse import child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.ir.derive.expressions import Call, Const, Expr, Indicator, Ref
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.general import CUMULATIVE_LINKS, LINKS, CumulativeLink, GeneralizedLinear
from interchange.ir.models.linear import Link, Regression

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_general"]

_ALLOWED = {"MiningSchema", "Output", "ModelStats", "ModelExplanation", "Targets", "LocalTransformations", "ModelVerification"}
_ALLOWED |= {"Extension", "ParameterList", "FactorList", "CovariateList", "PPMatrix", "ParamMatrix"}
_DISTRIBUTIONS = ("binomial", "gamma", "igauss", "negbin", "normal", "poisson", "tweedie")


def lift_general(model: etree._Element, lc: LiftContext) -> ModelStep:
    """The IR step of a GeneralRegressionModel, or Unliftable naming what has no IR form."""
    path = path_of(model)
    kind, function = model.get("modelType"), model.get("functionName")
    if kind == "CoxRegression":
        raise Unliftable(path, "CoxRegression: pypmml and JPMML read its baseline differently (no settled reading)")
    for el in elements(model):
        if local(el) not in _ALLOWED:
            raise Unliftable(path_of(el), f"<{local(el)}> in <GeneralRegressionModel>")
    names, columns = _parameters(model, lc)
    betas = _betas(model, names)
    design = [i for i, c in enumerate(columns) if c is not None]
    cols = tuple(c for c in columns if c is not None)
    ones = [i for i, c in enumerate(columns) if c is None]

    def split(beta: np.ndarray) -> tuple[np.ndarray, float]:
        return beta[design], float(beta[ones].sum()) if ones else 0.0

    if kind in ("regression", "generalLinear", "generalizedLinear") and function == "regression":
        if set(betas) - {None}:
            raise Unliftable(path_of(child(model, "ParamMatrix")), "a regression ParamMatrix with target categories")
        coef, intercept = split(betas.get(None, np.zeros(len(names))))
        if kind != "generalizedLinear":
            return Regression(cols, coef[None, :], np.array([intercept]))
        link, parameter = _link(model)
        return GeneralizedLinear(cols, coef, intercept, link, parameter, _either(model, "offset"), _either(model, "trials"))
    if kind == "multinomialLogistic" and function == "classification":
        if model.get("offsetVariable") is not None or model.get("offsetValue") is not None:
            raise Unliftable(path, "multinomialLogistic with an offset (PMML 4.4 adds it; pypmml 1.5.8 ignores it)")
        classes, reference = _multinomial_classes(model, betas)
        zero = (np.zeros(len(cols)), 0.0)
        rows = [split(betas[c]) if c in betas and c != reference else zero for c in classes]
        coef = np.array([r[0] for r in rows]).reshape(len(rows), len(cols))
        return Regression(cols, coef, np.array([r[1] for r in rows]), Link.SOFTMAX, tuple(classes))
    if kind == "ordinalMultinomial" and function == "classification":
        classes = target_classes(model)
        link = model.get("cumulativeLink", "")
        if link not in CUMULATIVE_LINKS:
            raise Unliftable(path, f"ordinalMultinomial cumulativeLink={link}")
        if len(classes) < 2 or set(betas) - {None} != set(classes[:-1]):
            raise Unliftable(path, "ordinalMultinomial thresholds are not the first k-1 target categories")
        common = betas.get(None, np.zeros(len(names)))
        rows = [split(betas[c] + common) for c in classes[:-1]]
        coef = np.array([r[0] for r in rows]).reshape(len(rows), len(cols))
        return CumulativeLink(cols, coef, np.array([r[1] for r in rows]), link, tuple(classes), _either(model, "offset"))
    raise Unliftable(path, f"GeneralRegressionModel modelType={kind} functionName={function}")


def _predictors(model: etree._Element, tag: str) -> set[str]:
    found = child(model, tag)
    for p in children(found, "Predictor") if found is not None else []:
        if len(elements(p)):
            raise Unliftable(path_of(p), f"{tag} Predictor with a contrast matrix or categories")
    return {p.get("name") for p in children(found, "Predictor")} if found is not None else set()


def _parameters(model: etree._Element, lc: LiftContext) -> tuple[list[str], list[str | None]]:
    """Parameter names and their design columns (None: the intercept, 1 for every row)."""
    factors, covariates = _predictors(model, "FactorList"), _predictors(model, "CovariateList")
    names = [p.get("name") for p in children(child(model, "ParameterList"), "Parameter")]
    parts: dict[str, list[Expr]] = {n: [] for n in names}
    for cell in children(child(model, "PPMatrix"), "PPCell"):
        name, field, value = cell.get("parameterName"), cell.get("predictorName"), cell.get("value")
        if cell.get("targetCategory") is not None or name not in parts:
            raise Unliftable(path_of(cell), "PPCell with a targetCategory or an undeclared parameter")
        if field in factors:
            typed: Any = float(value) if lc.ctx.numeric(field) else value
            parts[name].append(Indicator(Ref(field), typed, 0.0))  # a missing factor matches no category
        elif field in covariates:
            exponent = float(value)
            parts[name].append(Ref(field) if exponent == 1.0 else Call("pow", (Ref(field), Const(exponent))))
        else:
            raise Unliftable(path_of(cell), f"PPCell predictor {field} is neither a factor nor a covariate")
    where = path_of(model)
    columns: list[str | None] = []
    for n in names:
        exprs = parts[n]
        if not exprs:
            columns.append(None)
            continue
        expr = exprs[0]
        for e in exprs[1:]:
            expr = Call("*", (expr, e))
        columns.append(expr.name if isinstance(expr, Ref) else lc.derive(f"{where}/Parameter[@name={n!r}]", expr))
    return names, columns


def _betas(model: etree._Element, names: list[str]) -> dict[str | None, np.ndarray]:
    """Target category (None for one equation) -> beta per parameter, 0 where no PCell."""
    out: dict[str | None, np.ndarray] = {}
    for cell in children(child(model, "ParamMatrix"), "PCell"):
        if cell.get("parameterName") not in names:
            raise Unliftable(path_of(cell), f"PCell for the undeclared parameter {cell.get('parameterName')}")
        beta = out.setdefault(cell.get("targetCategory"), np.zeros(len(names)))
        beta[names.index(cell.get("parameterName"))] += float(cell.get("beta"))
    return out


def _either(model: etree._Element, what: str) -> str | float | None:
    """offsetVariable / offsetValue (trialsVariable / trialsValue): a column, a constant or None."""
    variable, value = model.get(f"{what}Variable"), model.get(f"{what}Value")
    if variable is not None and value is not None:
        raise Unliftable(path_of(model), f"GeneralRegressionModel with both {what}Variable and {what}Value")
    if value is not None:
        return float(int(value)) if what == "trials" else float(value)
    return variable


def _link(model: etree._Element) -> tuple[str, float]:
    name = model.get("linkFunction")
    if model.get("distribution", "normal") not in _DISTRIBUTIONS:
        raise Unliftable(path_of(model), f"GeneralRegressionModel distribution={model.get('distribution')}")
    if name not in LINKS or name == "cauchit":
        raise Unliftable(path_of(model), f"GeneralRegressionModel linkFunction={name}")
    needs = {"negbin": "distParameter", "power": "linkParameter", "oddspower": "linkParameter"}.get(name)
    if needs and model.get(needs) is None:
        raise Unliftable(path_of(model), f"linkFunction={name} without {needs}")
    return name, float(model.get(needs)) if needs else 0.0


def _multinomial_classes(model: etree._Element, betas: dict[str | None, np.ndarray]) -> tuple[list[str], str]:
    classes = target_classes(model) or [c for c in betas if c is not None]
    reference = model.get("targetReferenceCategory")
    if reference is None:
        lacking = [c for c in classes if c not in betas]
        if len(lacking) != 1:
            raise Unliftable(path_of(model), "multinomialLogistic without one reference category")
        reference = lacking[0]
    if None in betas or any(c not in classes for c in betas) or reference not in classes:
        raise Unliftable(path_of(model), "multinomialLogistic target categories do not match the target field")
    return classes, reference  # the reference category's scores stay 0 (no PCells, or they are ignored)
