"""formats/pmml/emit/models/targets.py and anomaly.py: the Targets element and the iforest sampleDataSize."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.models.anomaly import sample_size
from interchange.formats.pmml.emit.models.targets import targets_element
from interchange.formats.pmml.fast.models.anomaly import average_path_length
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.targets import Targeted


def test_targets_element_holds_every_attribute_and_one_target_value_per_category() -> None:
    model = Regression(("a",), np.array([[1.0]]), np.array([0.0]), Link.SOFTMAX, ("x", "y"))
    step = Targeted(model, priors=(("x", 0.25), ("y", 0.75)), display=(("y", "Why"),))
    target = targets_element(step, True)[0]
    assert target.get("field") == "target" and target.get("optype") == "categorical"
    values = {v.get("value"): dict(v.attrib) for v in target}
    assert values["x"] == {"value": "x", "priorProbability": "0.25"}
    assert values["y"] == {"value": "y", "displayValue": "Why", "priorProbability": "0.75"}
    regression = Targeted(
        Regression(("a",), np.array([[1.0]]), np.array([0.0]), Link.IDENTITY), low=-1.0, factor=2.0, cast="ceiling", default=3.5
    )
    target = targets_element(regression, False)[0]
    assert (target.get("min"), target.get("max"), target.get("rescaleFactor"), target.get("castInteger")) == (
        "-1.0",
        None,
        "2.0",
        "ceiling",
    )
    assert target.get("rescaleConstant") is None and [v.get("defaultValue") for v in target] == ["3.5"]


def test_sample_size_inverts_the_average_path_length() -> None:
    for n in (2, 3, 8, 256, 10_000, 123_456_789):
        assert sample_size(average_path_length(n)) == n
    with pytest.raises(UnsupportedModelError, match="no whole sampleDataSize"):
        sample_size(average_path_length(8) + 1e-9)
