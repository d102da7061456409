"""The fast path's RegressionModel (pmml.lifted.models.regression): the lift tests' documents, scored fast, by hand and pypmml."""

from __future__ import annotations

import math

import numpy as np

from tests.unit.formats.pmml.lift.models import test_regression as docs
from tests.unit.formats.pmml.lift.models._pmml import categorical, fast_outputs

ROWS = docs.ROWS


def test_regression_by_hand() -> None:
    tables = """<RegressionTable intercept="1"><NumericPredictor name="a" coefficient="2"/>
<NumericPredictor name="b" coefficient="-0.5"/><NumericPredictor name="a" exponent="2" coefficient="0.25"/></RegressionTable>"""
    a, b = ROWS["a"], ROWS["b"]
    np.testing.assert_allclose(fast_outputs(docs._regression(tables), ROWS)["y"], 1 + 2 * a - 0.5 * b + 0.25 * a**2, rtol=1e-15)


def test_softmax_classification_by_hand() -> None:
    tables = """<RegressionTable intercept="1" targetCategory="p"><NumericPredictor name="a" coefficient="1"/></RegressionTable>
<RegressionTable intercept="0" targetCategory="q"><NumericPredictor name="b" coefficient="1"/></RegressionTable>"""
    output = '<Output><OutputField name="P_p" feature="probability" value="p" optype="continuous" dataType="double"/></Output>'
    data = docs._regression(
        tables, 'functionName="classification" normalizationMethod="softmax"', categorical("y", "p", "q"), output
    )  # noqa: E501
    out = fast_outputs(data, ROWS)
    p = [math.exp(1 + a) / (math.exp(1 + a) + math.exp(b)) for a, b in zip(ROWS["a"], ROWS["b"], strict=True)]
    np.testing.assert_allclose(out["P_p"], p, rtol=1e-12)
