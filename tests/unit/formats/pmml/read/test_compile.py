"""Expressions compiled for the fast path (pmml.read.compile): NormContinuous, Discretize, Apply by hand, pypmml / JPMML."""

from __future__ import annotations  # noqa: I001

import numpy as np
import pytest

import interchange

from tests.unit.formats.pmml.lift.models._pmml import fast_outputs, jpmml, not_fast

from ._derived import expression_document

ROWS = {"x": np.array([-1.0, 0.5, 2.0, 10.0])}


def test_norm_continuous_by_hand() -> None:
    """Piecewise linear through (0, 0), (1, 10), (2, 30), extrapolated: -10, 5, 30, 190."""
    expr = '<NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="1" norm="10"/><LinearNorm orig="2" norm="30"/></NormContinuous>'  # noqa: E501
    assert fast_outputs(expression_document(expr), ROWS)["e"].tolist() == [-10.0, 5.0, 30.0, 190.0]


def test_discretize_by_hand() -> None:
    """(-inf, 0] -> low, (0, 5] -> mid, else the default, high."""
    expr = """<Discretize field="x" defaultValue="high"><DiscretizeBin binValue="low"><Interval closure="openClosed" rightMargin="0"/></DiscretizeBin>
<DiscretizeBin binValue="mid"><Interval closure="openClosed" leftMargin="0" rightMargin="5"/></DiscretizeBin></Discretize>"""  # noqa: E501
    data = expression_document(expr, data_type="string")
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    # pypmml 1.5.8 ignores the defaultValue (None for 10); JPMML-Evaluator follows PMML 4.4: the reference here
    assert model.predict(ROWS)["e"].tolist() == ["low", "mid", "mid", "high"] == jpmml(data, ROWS, "e")


def test_nested_apply_by_hand() -> None:
    """if(x > 1, x * 2, 0 - x): 1, -0.5, 4, 20."""
    expr = """<Apply function="if"><Apply function="greaterThan"><FieldRef field="x"/><Constant>1</Constant></Apply>
<Apply function="*"><FieldRef field="x"/><Constant>2</Constant></Apply><Apply function="-"><Constant>0</Constant><FieldRef field="x"/></Apply></Apply>"""  # noqa: E501
    assert fast_outputs(expression_document(expr), ROWS)["e"].tolist() == [1.0, -0.5, 4.0, 20.0]


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "expm1", "rint"])
def test_trigonometric_functions_agree_with_jpmml(name: str) -> None:
    """PMML 4.4 sin ... tanh (radians), expm1 and rint (of 0.5: to even) on the fast path, against
    JPMML-Evaluator (Java Math) at rtol 1e-9."""
    data = expression_document(f'<Apply function="{name}"><FieldRef field="x"/></Apply>')
    got, want = fast_outputs(data, ROWS)["e"], np.array(jpmml(data, ROWS, "e"), dtype=np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_function_the_fast_path_lacks_is_left_to_the_reference_engine_by_name() -> None:
    """PMML 4.4's stdNormalCDF is not compiled (a gap): the reason names the Apply."""
    data = expression_document('<Apply function="stdNormalCDF"><FieldRef field="x"/></Apply>')
    assert "Apply function=stdNormalCDF" in not_fast(data)
