"""AnomalyDetectionModel (iforest) on the fast path (pmml.fast.models.anomaly): the score 2^(-h / c(n)) by hand."""

from __future__ import annotations

import math

import numpy as np

import interchange
from tests.unit.formats.pmml.lift.models._pmml import continuous, document

ROWS = {"x": np.array([0.0, 2.0, 10.0])}


def _iforest(algorithm: str = "iforest", n: int = 8) -> bytes:
    def tree(split: float, left: float, right: float) -> str:
        return f"""<Segment><True/><TreeModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema>
<Node score="0"><True/><Node score="{left}"><SimplePredicate field="x" operator="lessThan" value="{split}"/></Node>
<Node score="{right}"><True/></Node></Node></TreeModel></Segment>"""

    model = f"""<AnomalyDetectionModel functionName="regression" algorithmType="{algorithm}" sampleDataSize="{n}">
<MiningSchema><MiningField name="x"/></MiningSchema>
<Output><OutputField name="score" feature="predictedValue" optype="continuous" dataType="double"/></Output>
<MiningModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema>
<Segmentation multipleModelMethod="average">{tree(1.0, 1.0, 3.0)}{tree(5.0, 2.0, 4.0)}</Segmentation></MiningModel>
</AnomalyDetectionModel>"""
    return document(continuous("x"), model)


def test_score_by_hand() -> None:
    """Mean path lengths h = 1.5, 2.5, 3.5; c(8) = 2 (ln 7 + 0.5772156649) - 2 * 7 / 8; score 2^(-h / c)."""
    c = 2 * (math.log(7) + 0.5772156649015329) - 2 * 7 / 8
    want = [2 ** (-h / c) for h in (1.5, 2.5, 3.5)]
    model = interchange.load(_iforest())
    assert model.info.engine == "interchange-fast", model.info.reason
    np.testing.assert_allclose(model.predict(ROWS)["score"], want, rtol=1e-12)
    # by hand only: pypmml 1.5.8 fails to load the inner MiningModel without a target (NullPointerException)
    # and JPMML-Evaluator has no AnomalyDetectionModel
