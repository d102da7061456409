"""The fast path's multi-target MiningModel (pmml.lifted.models.mining: x-multiModelChain, one segment per target)."""

from __future__ import annotations

import numpy as np

import interchange
from tests.unit.formats.pmml.lift.models._pmml import continuous, document, jpmml, schema

ROWS = {"x": np.array([-1.0, 0.0, 2.5])}


def _two_targets() -> bytes:
    def segment(target: str, intercept: float, slope: float) -> str:
        return f"""<Segment><True/><RegressionModel functionName="regression">{schema("x", target=target)}
<RegressionTable intercept="{intercept}"><NumericPredictor name="x" coefficient="{slope}"/></RegressionTable></RegressionModel></Segment>"""  # noqa: E501

    model = f"""<MiningModel functionName="regression"><MiningSchema><MiningField name="x"/>
<MiningField name="y1" usageType="target"/><MiningField name="y2" usageType="target"/></MiningSchema>
<Segmentation multipleModelMethod="x-multiModelChain">{segment("y1", 1, 1)}{segment("y2", 0, 2)}</Segmentation></MiningModel>"""
    return document(continuous("x", "y1", "y2"), model)


def test_one_output_per_target_by_hand() -> None:
    """y1 = 1 + x, y2 = 2 x; JPMML-Evaluator (sklearn2pmml's engine for this extension) agrees."""
    model = interchange.load(_two_targets())
    assert model.info.engine == "interchange-fast", model.info.reason
    got = model.predict(ROWS)
    assert got["y1"].tolist() == [0.0, 1.0, 3.5] and got["y2"].tolist() == [-2.0, 0.0, 5.0]
    for name in ("y1", "y2"):
        np.testing.assert_allclose(jpmml(_two_targets(), ROWS, name), got[name], rtol=1e-15)
