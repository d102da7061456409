"""RegressionModel lifted into the IR (pmml.lift.models.regression): by hand, against the reference engine, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ._pmml import categorical, continuous, document, lift, lifted_outputs, reason, schema

ROWS = {"a": np.array([0.0, 1.0, -2.0, 0.5]), "b": np.array([1.0, 0.0, 3.0, -1.0])}


def _regression(tables: str, attrs: str = 'functionName="regression"', target: str = continuous("y"), output: str = "") -> bytes:
    return document(
        continuous("a", "b") + target, f"<RegressionModel {attrs}>{schema('a', 'b')}{output}{tables}</RegressionModel>"
    )  # noqa: E501


def test_regression_by_hand() -> None:
    """y = 1 + 2 a - 0.5 b + 0.25 a^2 (a NumericPredictor with exponent 2)."""
    tables = """<RegressionTable intercept="1"><NumericPredictor name="a" coefficient="2"/>
<NumericPredictor name="b" coefficient="-0.5"/><NumericPredictor name="a" exponent="2" coefficient="0.25"/></RegressionTable>"""
    got = lifted_outputs(_regression(tables), ROWS)["y"]
    a, b = ROWS["a"], ROWS["b"]
    np.testing.assert_allclose(got, 1 + 2 * a - 0.5 * b + 0.25 * a**2, rtol=1e-15)


def test_exp_normalization_by_hand() -> None:
    tables = '<RegressionTable intercept="0.5"><NumericPredictor name="a" coefficient="1"/></RegressionTable>'
    got = lifted_outputs(_regression(tables, 'functionName="regression" normalizationMethod="exp"'), ROWS)["y"]
    np.testing.assert_allclose(got, np.exp(0.5 + ROWS["a"]), rtol=1e-15)


def test_softmax_classification_by_hand() -> None:
    """Scores 1 + a and b for classes p and q; P(p) = e^(1+a) / (e^(1+a) + e^b)."""
    tables = """<RegressionTable intercept="1" targetCategory="p"><NumericPredictor name="a" coefficient="1"/></RegressionTable>
<RegressionTable intercept="0" targetCategory="q"><NumericPredictor name="b" coefficient="1"/></RegressionTable>"""
    output = '<Output><OutputField name="P_p" feature="probability" value="p" optype="continuous" dataType="double"/></Output>'
    data = _regression(tables, 'functionName="classification" normalizationMethod="softmax"', categorical("y", "p", "q"), output)
    out = lifted_outputs(data, ROWS)
    p = [math.exp(1 + a) / (math.exp(1 + a) + math.exp(b)) for a, b in zip(ROWS["a"], ROWS["b"], strict=True)]
    np.testing.assert_allclose(out["P_p"], p, rtol=1e-12)
    assert out["y"].tolist() == ["p" if pi >= 0.5 else "q" for pi in p]  # row 0 ties: the first category wins


@pytest.mark.parametrize(
    ("tables", "attrs", "why"),
    [
        ("", 'functionName="regression"', "RegressionModel without RegressionTable"),
        (
            '<RegressionTable intercept="0"><PredictorTerm coefficient="1"><FieldRef field="a"/><Constant>2</Constant></PredictorTerm></RegressionTable>',  # noqa: E501
            'functionName="regression"',
            "PredictorTerm with other than plain FieldRefs",
        ),
    ],
    ids=["no-table", "predictor-term-constant"],
)
def test_refusals_name_the_element(tables: str, attrs: str, why: str) -> None:
    assert why in reason(_regression(tables, attrs))


def test_the_lifted_step_names_its_path() -> None:
    tables = '<RegressionTable intercept="1"/>'
    assert any("RegressionModel" in path for path, _ in lift(_regression(tables)).lifted)
