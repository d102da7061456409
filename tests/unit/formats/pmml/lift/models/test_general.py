"""GeneralRegressionModel lifted into the IR (pmml.lift.models.general): factors and covariates by hand, pypmml, refusals."""

from __future__ import annotations

import math

import numpy as np

from ._pmml import categorical, continuous, document, lifted_outputs, reason

ROWS = {"x": np.array([0.0, 1.0, 2.0]), "c": np.array(["u", "v", "w"], dtype=object)}


def _grm(attrs: str) -> bytes:
    model = f"""<GeneralRegressionModel functionName="regression" {attrs}>
<MiningSchema><MiningField name="x"/><MiningField name="c"/><MiningField name="y" usageType="target"/></MiningSchema>
<ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/></ParameterList>
<FactorList><Predictor name="c"/></FactorList><CovariateList><Predictor name="x"/></CovariateList>
<PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/><PPCell value="v" predictorName="c" parameterName="p2"/>
<PPCell value="w" predictorName="c" parameterName="p3"/></PPMatrix>
<ParamMatrix><PCell parameterName="p0" beta="0.5"/><PCell parameterName="p1" beta="2"/><PCell parameterName="p2" beta="-1"/>
<PCell parameterName="p3" beta="3"/></ParamMatrix></GeneralRegressionModel>"""
    return document(continuous("x") + categorical("c", "u", "v", "w") + continuous("y"), model)


def test_factor_indicators_and_a_covariate_by_hand() -> None:
    """eta = 0.5 + 2 x - [c = v] + 3 [c = w]: 0.5, 1.5, 7.5."""
    assert lifted_outputs(_grm('modelType="generalLinear"'), ROWS)["y"].tolist() == [0.5, 1.5, 7.5]


def test_log_link_by_hand() -> None:
    got = lifted_outputs(_grm('modelType="generalizedLinear" linkFunction="log" distribution="poisson"'), ROWS)["y"]
    np.testing.assert_allclose(got, [math.exp(0.5), math.exp(1.5), math.exp(7.5)], rtol=1e-14)


def test_cox_regression_is_refused_by_name() -> None:
    assert "CoxRegression" in reason(_grm('modelType="CoxRegression"'))
