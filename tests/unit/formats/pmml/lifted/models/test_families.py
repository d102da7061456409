"""The fast path's ClusteringModel, NeuralNetwork and NaiveBayesModel (pmml.lifted.models.families): by hand and pypmml."""

from __future__ import annotations

import math

import numpy as np

from tests.unit.formats.pmml.lift.models import test_families as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs

ROWS = docs.ROWS


def test_nearest_cluster_by_hand() -> None:
    assert fast_outputs(docs._clusters(), ROWS)["cluster"].tolist() == ["near", "far", "near"]


def test_network_by_hand() -> None:
    expected = [1 + 3 / (1 + math.exp(-(0.5 + a - 2 * b))) for a, b in zip(ROWS["a"], ROWS["b"], strict=True)]
    np.testing.assert_allclose(fast_outputs(docs._network(), ROWS)["y"], expected, rtol=1e-12)
