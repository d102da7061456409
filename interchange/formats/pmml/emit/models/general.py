"""GeneralizedLinear, CumulativeLink and NormalizedClassifier as PMML 4.4 models.

GeneralizedLinear -> GeneralRegressionModel generalizedLinear (linkFunction, linkParameter or
distParameter, offset and trials variable / value); CumulativeLink -> GeneralRegressionModel
ordinalMultinomial (cumulativeLink; one intercept PCell per category but the last, slopes
shared or per category); NormalizedClassifier -> RegressionModel with its normalizationMethod.
Each design column is one covariate (exponent 1) of its own parameter, so the linear predictor
is the IR's ``columns @ coef + intercept`` term for term.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import TARGET, E, in_float, num, text
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier
from interchange.signature import Signature

__all__ = ["general_writers"]

_GRM_LINKS = ("identity", "log", "logc", "logit", "probit", "cloglog", "loglog", "negbin", "power", "oddspower")
_PARAMETER = {"negbin": "distParameter", "power": "linkParameter", "oddspower": "linkParameter"}


def _schema(sig: Signature, extra: tuple[str, ...]) -> etree._Element:
    ms = E("MiningSchema")
    for name in dict.fromkeys((*sig.input_names, *extra)):
        ms.append(E("MiningField", {"name": name}))
    ms.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return ms


def _design(columns: tuple[str, ...]) -> list[etree._Element]:
    """ParameterList, CovariateList and PPMatrix: p0 the intercept, p<j+1> column j."""
    params = E("ParameterList", None, E("Parameter", {"name": "p0", "label": "Intercept"}))
    covariates = E("CovariateList")
    pp = E("PPMatrix")
    for j, name in enumerate(columns, 1):
        params.append(E("Parameter", {"name": f"p{j}", "label": name}))
        pp.append(E("PPCell", {"value": "1", "predictorName": name, "parameterName": f"p{j}"}))
    for name in dict.fromkeys(columns):
        covariates.append(E("Predictor", {"name": name}))
    return [params, covariates, pp]


def _cell(parameter: str, beta: float, category: Any = None) -> etree._Element:
    attrs = {"parameterName": parameter, "beta": num(beta), "df": "1"}
    if category is not None:
        attrs = {"targetCategory": text(category), **attrs}
    return E("PCell", attrs)


def _offset_trials(attrs: dict[str, str], what: str, source: str | float | None) -> tuple[str, ...]:
    if source is None:
        return ()
    if isinstance(source, str):
        attrs[f"{what}Variable"] = source
        return (source,)
    attrs[f"{what}Value"] = str(int(source)) if what == "trials" else num(source)
    return ()


_FLOAT_NORMALIZATIONS = {"identity": "none", "logit": "logit", "log": "exp"}


def _regression_model(step: GeneralizedLinear, sig: Signature, normalization: str) -> etree._Element:
    """The GLM as a RegressionModel: one table, the link as its normalizationMethod."""
    model = E("RegressionModel", {"functionName": "regression", "normalizationMethod": normalization}, _schema(sig, ()))
    table = E("RegressionTable", {"intercept": num(step.intercept)})
    for name, w in zip(step.columns, np.asarray(step.coef, dtype=np.float64), strict=True):
        table.append(E("NumericPredictor", {"name": name, "coefficient": num(w)}))
    model.append(table)
    return model


def generalized_linear(step: GeneralizedLinear, sig: Signature) -> etree._Element:
    if step.precision == "float":  # x-mathContext="float": a RegressionModel, whose float arithmetic JPMML defines
        return in_float(_regression_model(step, sig, _FLOAT_NORMALIZATIONS[step.link]), step.precision)
    if step.link not in _GRM_LINKS:  # cauchit: not a GeneralRegressionModel link, but a regression normalisation
        if step.offset is not None or step.trials is not None:
            raise UnsupportedModelError(
                f"linkFunction {step.link} with an offset or trials has no PMML 4.4 form",
                estimator="GeneralizedLinear",
                format="pmml",
            )
        return _regression_model(step, sig, step.link)
    attrs = {"modelType": "generalizedLinear", "functionName": "regression", "linkFunction": step.link}
    if step.link in _PARAMETER:
        attrs[_PARAMETER[step.link]] = num(step.parameter)
    if step.link == "negbin":
        attrs["distribution"] = "negbin"
    extra = _offset_trials(attrs, "offset", step.offset) + _offset_trials(attrs, "trials", step.trials)
    model = E("GeneralRegressionModel", attrs, _schema(sig, extra), *_design(step.columns))
    matrix = E("ParamMatrix", None, _cell("p0", step.intercept))
    for j, c in enumerate(np.asarray(step.coef, dtype=np.float64), 1):
        matrix.append(_cell(f"p{j}", c))
    model.append(matrix)
    return model


def cumulative_link(step: CumulativeLink, sig: Signature) -> etree._Element:
    attrs = {"modelType": "ordinalMultinomial", "functionName": "classification", "cumulativeLink": step.link}
    extra = _offset_trials(attrs, "offset", step.offset)
    model = E("GeneralRegressionModel", attrs, _schema(sig, extra), *_design(step.columns))
    coef = np.asarray(step.coef, dtype=np.float64).reshape(len(step.intercept), len(step.columns))
    matrix = E("ParamMatrix")
    for c, b in zip(step.classes, np.asarray(step.intercept, dtype=np.float64), strict=False):
        matrix.append(_cell("p0", b, c))
    shared = bool(len(coef)) and bool(np.all(coef == coef[0]))
    for j in range(len(step.columns)):
        if shared:
            matrix.append(_cell(f"p{j + 1}", coef[0, j]))
        else:
            matrix.extend(_cell(f"p{j + 1}", coef[i, j], c) for i, c in enumerate(step.classes[: len(coef)]))
    model.append(matrix)
    return model


def normalized_classifier(step: NormalizedClassifier, sig: Signature) -> etree._Element:
    attrs = {"functionName": "classification", "normalizationMethod": step.normalization}
    model = E("RegressionModel", attrs, _schema(sig, ()))
    coef = np.asarray(step.coef, dtype=np.float64)
    for c, row, b in zip(step.classes, coef, np.asarray(step.intercept, dtype=np.float64), strict=True):
        table = E("RegressionTable", {"intercept": num(b), "targetCategory": text(c)})
        for name, w in zip(step.columns, row, strict=True):
            table.append(E("NumericPredictor", {"name": name, "coefficient": num(w)}))
        model.append(table)
    return model


def general_writers() -> dict[type, Any]:
    return {GeneralizedLinear: generalized_linear, CumulativeLink: cumulative_link, NormalizedClassifier: normalized_classifier}
