"""PMML 4.4 §GeneralRegressionModel on the fast path.

Covered: modelType regression and generalLinear with the identity link, multinomialLogistic;
factors (indicator per category) and covariates (a power per PPCell), interactions as
products of a parameter's PPCells, a parameter without PPCells as the intercept. Declined:
other links and offsets (pypmml 1.5.8 ignores linkFunction and offsetValue and returns the
linear predictor; the spec applies them), ordinalMultinomial, CoxRegression, trials,
contrast matrices.

pypmml: a missing factor contributes 0 (matches no category); a missing covariate makes the
result missing, and a multinomial label then falls on the first category (both followed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import INERT, compiler, current
from interchange.formats.pmml.fast_expressions import elements
from interchange.formats.pmml.fast_regression import label_of
from interchange.formats.pmml.fast_scope import Scope, keys, num
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step

__all__: list[str] = []

Column = Callable[[Scope], np.ndarray]
_ALLOWED = INERT | {"ParameterList", "FactorList", "CovariateList", "PPMatrix", "ParamMatrix"}


def _factor(field: str, value: str, numeric: bool) -> Column:
    """1 where the factor equals ``value``, 0 elsewhere, missing where the factor is missing."""
    key = keys(np.array([float(value) if numeric else value], dtype=object))[0]

    def column(s: Scope) -> np.ndarray:
        return (keys(s[field]) == key).astype(np.float64)  # a missing factor matches nothing

    return column


def _covariate(field: str, exponent: float) -> Column:
    return lambda s: np.power(num(s[field]), exponent)  # a missing covariate: a missing result


def _parameters(model: etree._Element) -> dict[str, Column | None]:
    """Parameter name -> its design column (None: the intercept, 1 for every row)."""
    ctx = current().ctx
    factors = {p.get("name") for p in children(child(model, "FactorList"), "Predictor")}
    covariates = {p.get("name") for p in children(child(model, "CovariateList"), "Predictor")}
    for lst in ("FactorList", "CovariateList"):
        for p in children(child(model, lst), "Predictor"):
            if len(elements(p)):
                raise NotCovered(f"{lst} Predictor {p.get('name')} with a contrast matrix or categories")
    params: dict[str, list[Column]] = {p.get("name"): [] for p in children(child(model, "ParameterList"), "Parameter")}
    for cell in children(child(model, "PPMatrix"), "PPCell"):
        name, field, value = cell.get("parameterName"), cell.get("predictorName"), cell.get("value")
        if cell.get("targetCategory") is not None or name not in params:
            raise NotCovered("PPCell with a targetCategory or an undeclared parameter")
        if field in factors:
            params[name].append(_factor(field, value, ctx.numeric(field)))
        elif field in covariates:
            params[name].append(_covariate(field, float(value)))
        else:
            raise NotCovered(f"PPCell predictor {field} is neither a factor nor a covariate")

    def product(parts: list[Column]) -> Column:
        return lambda s: np.prod([p(s) for p in parts], axis=0)

    return {name: (product(parts) if parts else None) for name, parts in params.items()}


def _betas(model: etree._Element, names: list[str]) -> dict[str | None, np.ndarray]:
    """Target category (None for one equation) -> beta per parameter, 0 where no PCell."""
    out: dict[str | None, np.ndarray] = {}
    for cell in children(child(model, "ParamMatrix"), "PCell"):
        if cell.get("parameterName") not in names:
            raise NotCovered(f"PCell for undeclared parameter {cell.get('parameterName')}")
        beta = out.setdefault(cell.get("targetCategory"), np.zeros(len(names)))
        beta[names.index(cell.get("parameterName"))] += float(cell.get("beta"))
    return out


@dataclass(frozen=True)
class _Linear:
    columns: tuple[Column | None, ...]

    def eta(self, s: Scope, beta: np.ndarray) -> np.ndarray:
        total = np.zeros(s.n)
        for column, b in zip(self.columns, beta, strict=True):
            total = total + b * (1.0 if column is None else column(s))
        return total


@dataclass(frozen=True)
class _Regression(ModelStep):
    linear: _Linear
    beta: np.ndarray
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        return Prediction(value=self.linear.eta(env, self.beta))


@dataclass(frozen=True)
class _Multinomial(ModelStep):
    linear: _Linear
    betas: tuple[np.ndarray | None, ...]  # None: the reference category (eta = 0)
    classes: tuple[str, ...]
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        eta = np.column_stack([np.zeros(env.n) if b is None else self.linear.eta(env, b) for b in self.betas])
        with np.errstate(all="ignore"):
            z = np.exp(eta - np.max(eta, axis=1, keepdims=True))
            probs = z / z.sum(axis=1, keepdims=True)
        label = label_of(probs, self.classes)
        label[np.isnan(probs).any(axis=1)] = self.classes[0]  # pypmml 1.5.8
        return Prediction(classes=self.classes, probabilities=probs, label=label)


def _target_values(model: etree._Element) -> list[str]:
    comp = current()
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            values = children(df, "Value") if df is not None else []
            return [v.get("value") for v in values if v.get("property", "valid") == "valid"]
    return []


@compiler("GeneralRegressionModel")
def _general(model: etree._Element, steps: list[Step]) -> ModelStep:
    kind = model.get("modelType")
    for el in elements(model):
        if local(el) not in _ALLOWED:
            raise NotCovered(f"<{local(el)}> in <GeneralRegressionModel>")
    for attr in ("trialsVariable", "trialsValue", "cumulativeLink", "offsetVariable", "offsetValue"):
        if model.get(attr) is not None:
            raise NotCovered(f"GeneralRegressionModel {attr}")
    params = _parameters(model)
    names = list(params)
    linear = _Linear(tuple(params.values()))
    betas = _betas(model, names)
    if kind in ("regression", "generalLinear") and model.get("functionName") == "regression":
        if set(betas) - {None}:
            raise NotCovered("a regression ParamMatrix with target categories")
        link = model.get("linkFunction", "identity") if kind == "generalLinear" else "identity"
        if link != "identity":
            raise NotCovered(f"GeneralRegressionModel linkFunction={link} (pypmml 1.5.8 ignores it)")
        return _Regression(linear, betas.get(None, np.zeros(len(names))))
    if kind == "multinomialLogistic" and model.get("functionName") == "classification":
        classes = _target_values(model) or [c for c in betas if c is not None]
        reference = model.get("targetReferenceCategory")
        missing_betas = [c for c in classes if c not in betas]
        if reference is None:
            if len(missing_betas) != 1:
                raise NotCovered("multinomialLogistic without one reference category")
            reference = missing_betas[0]
        if None in betas or any(c not in classes for c in betas) or reference not in classes:
            raise NotCovered("multinomialLogistic target categories do not match the target field")
        ordered = tuple(None if c == reference else betas.get(c, np.zeros(len(names))) for c in classes)
        return _Multinomial(linear, ordered, tuple(classes))
    raise NotCovered(f"GeneralRegressionModel modelType={kind} functionName={model.get('functionName')}")
