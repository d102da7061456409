"""The element dispatch, Targets and Output of pmml.lift.models.elements: by hand, pypmml, refusals."""

from __future__ import annotations

import numpy as np

from ._pmml import continuous, document, lift, lifted_outputs, reason, schema

ROWS = {"x": np.array([-1.0, 0.0, 2.5])}
TABLE = '<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>'


def _model(targets: str = "", tag: str = "RegressionModel", output: str = "") -> bytes:
    return document(continuous("x", "y"), f'<{tag} functionName="regression">{schema("x")}{output}{targets}{TABLE}</{tag}>')


def test_targets_clamp_then_rescale_by_hand() -> None:
    """PMML 4.4 Targets: clamp the raw 1 + 2 x = -1, 1, 6 to [0, 5] first (0, 1, 5), then * 10 + 3: 3, 13, 53."""
    targets = '<Targets><Target field="y" rescaleFactor="10" rescaleConstant="3" min="0" max="5"/></Targets>'
    assert lifted_outputs(_model(targets), ROWS)["y"].tolist() == [3.0, 13.0, 53.0]


def test_cast_integer_by_hand() -> None:
    """castInteger round: (1 + 2 x) * 0.3 = -0.3, 0.3, 1.8 -> -0, 0, 2."""
    targets = '<Targets><Target field="y" rescaleFactor="0.3" castInteger="round"/></Targets>'
    assert lifted_outputs(_model(targets), ROWS)["y"].tolist() == [0.0, 0.0, 2.0]


def test_the_dispatch_names_each_element_it_lifted() -> None:
    assert [path for path, _ in lift(_model()).lifted] == ["/PMML/RegressionModel"]


def test_an_element_without_a_lifter_is_refused_by_name() -> None:
    assert "BaselineModel" in reason(_model(tag="BaselineModel"))
