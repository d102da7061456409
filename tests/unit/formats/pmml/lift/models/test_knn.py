"""NearestNeighborModel lifted into the IR's NearestNeighbors (pmml.lift.models.knn): by hand and the reference engine."""

from __future__ import annotations

import numpy as np

from ._pmml import continuous, document, lifted_outputs, reason

ROWS = {"a": np.array([0.0, 2.9, 10.0]), "b": np.array([0.0, 1.0, 10.0])}
INSTANCES = [(0.0, 0.0, 1.0), (1.0, 0.0, 3.0), (3.0, 1.0, 10.0), (9.0, 9.0, 20.0)]


def _knn(k: int, method: str = "average", measure: str = "<euclidean/>") -> bytes:
    rows = "".join(f"<row><a>{a}</a><b>{b}</b><y>{y}</y></row>" for a, b, y in INSTANCES)
    model = f"""<NearestNeighborModel functionName="regression" numberOfNeighbors="{k}" continuousScoringMethod="{method}">
<MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
<TrainingInstances><InstanceFields><InstanceField field="a" column="a"/><InstanceField field="b" column="b"/>
<InstanceField field="y" column="y"/></InstanceFields><InlineTable>{rows}</InlineTable></TrainingInstances>
<ComparisonMeasure kind="distance">{measure}</ComparisonMeasure>
<KNNInputs><KNNInput field="a"/><KNNInput field="b"/></KNNInputs></NearestNeighborModel>"""
    return document(continuous("a", "b", "y"), model)


def test_average_of_the_two_nearest_by_hand() -> None:
    """(0, 0): instances 1 and 2 -> (1 + 3) / 2; (2.9, 1): 3 and 2 -> 6.5; (10, 10): 4 and 3 -> 15."""
    assert lifted_outputs(_knn(2), ROWS)["y"].tolist() == [2.0, 6.5, 15.0]


def test_median_of_three() -> None:
    assert lifted_outputs(_knn(3, "median"), ROWS)["y"].tolist() == [3.0, 3.0, 10.0]


def test_an_unknown_measure_is_refused_by_name() -> None:
    params = " ".join(f'{c}{i}{j}-parameter="{int(i == j)}"' for c in "cd" for i in "01" for j in "01")
    assert "binarySimilarity" in reason(_knn(2, measure=f"<binarySimilarity {params}/>"))
