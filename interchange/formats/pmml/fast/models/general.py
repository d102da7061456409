"""PMML 4.4 §GeneralRegressionModel on the fast path.

Covered: modelType regression and generalLinear (the linear predictor: PMML 4.4 applies
linkFunction, offsets and trials to generalizedLinear only, and pypmml agrees);
generalizedLinear regression with every linkFunction (linkParameter, distParameter),
offsetValue / offsetVariable, trialsValue / trialsVariable; multinomialLogistic;
ordinalMultinomial with every cumulativeLink and offsets. Factors (an indicator per category),
covariates (a power per PPCell), interactions as products of a parameter's PPCells, a parameter
without PPCells as the intercept. Declined: CoxRegression (pypmml 1.5.8 reads only the first
BaselineCell whatever the end time, and predicts survival where JPMML predicts the cumulative
hazard), generalizedLinear classification, offsets in multinomialLogistic, PPCell
targetCategory, contrast matrices.

pypmml: a missing factor contributes 0 (matches no category); a missing covariate makes the
result missing (both followed). Specification followed where pypmml 1.5.8 departs (measured):
a classification without probabilities has no label (pypmml: the first category of its hash
map of categories), ordinalMultinomial offsets (pypmml ignores them), cumulativeLink loglog
(pypmml: exp(-exp(y)), which falls as y grows: negative probabilities), a missing
trialsVariable (pypmml multiplies by Int.MinValue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.fast.expressions.compile import elements
from interchange.formats.pmml.fast.scope import Scope, keys, num
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step, label_of
from interchange.ir.links import INVERSE_LINKS, logistic, softmax

__all__: list[str] = []

Column = Callable[[Scope], np.ndarray]
Link = Callable[[np.ndarray], np.ndarray]
_ALLOWED = INERT | {"ParameterList", "FactorList", "CovariateList", "PPMatrix", "ParamMatrix"}
_DISTRIBUTIONS = ("binomial", "gamma", "igauss", "negbin", "normal", "poisson", "tweedie")


def _factor(field: str, value: str, numeric: bool) -> Column:
    """1 where the factor equals ``value``, 0 elsewhere, missing where the factor is missing."""
    key = keys(np.array([float(value) if numeric else value], dtype=object))[0]

    def column(s: Scope) -> np.ndarray:
        return (keys(s[field]) == key).astype(np.float64)  # a missing factor matches nothing

    return column


def _covariate(field: str, exponent: float) -> Column:
    return lambda s: np.power(num(s[field]), exponent)  # a missing covariate: a missing result


def _predictors(model: etree._Element, tag: str) -> set[str]:
    found = child(model, tag)
    for p in children(found, "Predictor") if found is not None else []:
        if len(elements(p)):
            raise NotCovered(f"{tag} Predictor {p.get('name')} with a contrast matrix or categories")
    return {p.get("name") for p in children(found, "Predictor")} if found is not None else set()


def _parameters(model: etree._Element) -> dict[str, Column | None]:
    """Parameter name -> its design column (None: the intercept, 1 for every row)."""
    ctx = current().ctx
    factors, covariates = _predictors(model, "FactorList"), _predictors(model, "CovariateList")
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


def _variable(model: etree._Element, attr: str) -> Column | None:
    """The column named by ``attr`` (an active MiningField or a derived field), or None."""
    name = model.get(attr)
    if name is None:
        return None
    comp = current()
    fields = children(child(model, "MiningSchema"), "MiningField")
    mining = {mf.get("name") for mf in fields if mf.get("usageType", "active") == "active"}
    if name not in mining and (name in comp.fields or name not in comp.ctx.types):
        raise NotCovered(f"GeneralRegressionModel {attr}={name} is not an active field of the model")
    return lambda s: num(s[name])


def _offset(model: etree._Element) -> Column | None:
    """PMML 4.4: offsetVariable or offsetValue, added to the linear predictor."""
    if model.get("offsetVariable") is not None and model.get("offsetValue") is not None:
        raise NotCovered("GeneralRegressionModel with both offsetVariable and offsetValue")
    if model.get("offsetValue") is not None:
        value = float(model.get("offsetValue"))
        return lambda s: np.full(s.n, value)
    return _variable(model, "offsetVariable")


def _trials(model: etree._Element) -> Column | None:
    """PMML 4.4: trialsVariable or trialsValue, multiplying the inverse link (binomial counts)."""
    if model.get("trialsVariable") is not None and model.get("trialsValue") is not None:
        raise NotCovered("GeneralRegressionModel with both trialsVariable and trialsValue")
    if model.get("trialsValue") is not None:
        value = float(int(model.get("trialsValue")))
        return lambda s: np.full(s.n, value)
    column = _variable(model, "trialsVariable")
    if column is None:
        return None
    # pypmml truncates a trial count to an integer; a missing one gives a missing result (PMML
    # 4.4: missing input), where pypmml 1.5.8 multiplies by Int.MinValue
    return lambda s: np.trunc(column(s))


def _power(d: float) -> Link:
    return (lambda e: np.power(e, 1.0 / d)) if d != 0 else np.exp


def _oddspower(d: float) -> Link:
    return (lambda e: 1.0 / (1.0 + np.power(1.0 + d * e, -1.0 / d))) if d != 0 else logistic


def _link(model: etree._Element) -> Link:
    """PMML 4.4 §GeneralRegressionModel, generalizedLinear: mu = g^-1(eta) per linkFunction."""
    name = model.get("linkFunction")
    if model.get("distribution", "normal") not in _DISTRIBUTIONS:
        raise NotCovered(f"GeneralRegressionModel distribution={model.get('distribution')}")
    needs = {"negbin": "distParameter", "power": "linkParameter", "oddspower": "linkParameter"}.get(name or "")
    if needs and model.get(needs) is None:
        raise NotCovered(f"linkFunction={name} without {needs}")
    param = float(model.get(needs)) if needs else 0.0
    links: dict[str, Callable[[], Link]] = {
        "identity": lambda: lambda e: e,
        "log": lambda: np.exp,
        "logc": lambda: lambda e: 1.0 - np.exp(e),
        "logit": lambda: INVERSE_LINKS["logit"],
        "probit": lambda: INVERSE_LINKS["probit"],
        "cloglog": lambda: INVERSE_LINKS["cloglog"],
        "loglog": lambda: INVERSE_LINKS["loglog"],
        "negbin": lambda: lambda e: 1.0 / (param * (np.exp(-e) - 1.0)),
        "power": lambda: _power(param),
        "oddspower": lambda: _oddspower(param),
    }
    if name not in links:
        raise NotCovered(f"GeneralRegressionModel linkFunction={name}")
    return links[name]()


@dataclass(frozen=True)
class _Regression(ModelStep):
    linear: _Linear
    beta: np.ndarray
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        return Prediction(value=self.linear.eta(env, self.beta))


@dataclass(frozen=True)
class _Generalized(ModelStep):
    """generalizedLinear: trials * g^-1(eta + offset)."""

    linear: _Linear
    beta: np.ndarray
    link: Link
    offset: Column | None
    trials: Column | None
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        eta = self.linear.eta(env, self.beta)
        if self.offset is not None:
            eta = eta + self.offset(env)
        with np.errstate(all="ignore"):
            mu = self.link(eta)
        return Prediction(value=mu if self.trials is None else mu * self.trials(env))


@dataclass(frozen=True)
class _Multinomial(ModelStep):
    linear: _Linear
    betas: tuple[np.ndarray | None, ...]  # None: the reference category (eta = 0)
    classes: tuple[str, ...]
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        eta = np.column_stack([np.zeros(env.n) if b is None else self.linear.eta(env, b) for b in self.betas])
        with np.errstate(all="ignore"):
            probs = softmax(eta)
        return _classified(probs, self.classes)


def _classified(probs: np.ndarray, classes: tuple[str, ...]) -> Prediction:
    return Prediction(classes=classes, probabilities=probs, label=label_of(probs, classes))  # no probabilities, no label


# PMML 4.4 §GeneralRegressionModel, cumulativeLink: the distribution function F
_CUMULATIVE = {name: INVERSE_LINKS[name] for name in ("logit", "probit", "cloglog", "loglog", "cauchit")}


@dataclass(frozen=True)
class _Ordinal(ModelStep):
    """ordinalMultinomial: P(y <= c_j) = F(theta_j + x.beta + offset) for all but the last category."""

    linear: _Linear
    thresholds: tuple[np.ndarray, ...]  # the betas of the first k-1 categories, common ones added
    link: Link
    offset: Column | None
    classes: tuple[str, ...]
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        offset = self.offset(env) if self.offset is not None else 0.0
        with np.errstate(all="ignore"):
            cumulative = np.column_stack([self.link(self.linear.eta(env, b) + offset) for b in self.thresholds])
        bounded = np.column_stack([np.zeros(env.n), cumulative, np.ones(env.n)])
        probs = np.diff(bounded, axis=1)
        probs[np.isnan(cumulative).any(axis=1)] = np.nan
        return _classified(probs, self.classes)


def _target_values(model: etree._Element) -> list[str]:
    comp = current()
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            values = children(df, "Value") if df is not None else []
            return [v.get("value") for v in values if v.get("property", "valid") == "valid"]
    return []


def _multinomial(model: etree._Element, linear: _Linear, betas: dict[str | None, np.ndarray], n: int) -> ModelStep:
    if model.get("offsetVariable") is not None or model.get("offsetValue") is not None:
        raise NotCovered("multinomialLogistic with an offset")  # PMML 4.4 adds it; pypmml 1.5.8 ignores it
    classes = _target_values(model) or [c for c in betas if c is not None]
    reference = model.get("targetReferenceCategory")
    missing_betas = [c for c in classes if c not in betas]
    if reference is None:
        if len(missing_betas) != 1:
            raise NotCovered("multinomialLogistic without one reference category")
        reference = missing_betas[0]
    if None in betas or any(c not in classes for c in betas) or reference not in classes:
        raise NotCovered("multinomialLogistic target categories do not match the target field")
    ordered = tuple(None if c == reference else betas.get(c, np.zeros(n)) for c in classes)
    return _Multinomial(linear, ordered, tuple(classes))


def _ordinal(model: etree._Element, linear: _Linear, betas: dict[str | None, np.ndarray], n: int) -> ModelStep:
    classes = _target_values(model)
    link = _CUMULATIVE.get(model.get("cumulativeLink", ""))
    if link is None:
        raise NotCovered(f"ordinalMultinomial cumulativeLink={model.get('cumulativeLink')}")
    # PMML 4.4: one intercept per target category but the last (in DataField order)
    if len(classes) < 2 or set(betas) - {None} != set(classes[:-1]):
        raise NotCovered("ordinalMultinomial thresholds are not the first k-1 target categories")
    common = betas.get(None, np.zeros(n))
    return _Ordinal(linear, tuple(betas[c] + common for c in classes[:-1]), link, _offset(model), tuple(classes))


@compiler("GeneralRegressionModel")
def _general(model: etree._Element, steps: list[Step]) -> ModelStep:
    kind, function = model.get("modelType"), model.get("functionName")
    if kind == "CoxRegression":
        raise NotCovered("GeneralRegressionModel modelType=CoxRegression")
    for el in elements(model):
        if local(el) not in _ALLOWED:
            raise NotCovered(f"<{local(el)}> in <GeneralRegressionModel>")
    params = _parameters(model)
    names = list(params)
    linear = _Linear(tuple(params.values()))
    betas = _betas(model, names)
    if kind in ("regression", "generalLinear", "generalizedLinear") and function == "regression":
        if set(betas) - {None}:
            raise NotCovered("a regression ParamMatrix with target categories")
        beta = betas.get(None, np.zeros(len(names)))
        if kind != "generalizedLinear":  # linkFunction, offsets and trials belong to generalizedLinear
            return _Regression(linear, beta)
        return _Generalized(linear, beta, _link(model), _offset(model), _trials(model))
    if kind == "multinomialLogistic" and function == "classification":
        return _multinomial(model, linear, betas, len(names))
    if kind == "ordinalMultinomial" and function == "classification":
        return _ordinal(model, linear, betas, len(names))
    raise NotCovered(f"GeneralRegressionModel modelType={kind} functionName={function}")
