"""The fast path's GeneralRegressionModel (pmml.lifted.models.general): factors, a covariate and a log link by hand, pypmml."""

from __future__ import annotations

import math

import numpy as np

from tests.unit.formats.pmml.lift.models import test_general as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs


def test_general_linear_by_hand() -> None:
    assert fast_outputs(docs._grm('modelType="generalLinear"'), docs.ROWS)["y"].tolist() == [0.5, 1.5, 7.5]


def test_log_link_by_hand() -> None:
    got = fast_outputs(docs._grm('modelType="generalizedLinear" linkFunction="log" distribution="poisson"'), docs.ROWS)["y"]
    np.testing.assert_allclose(got, [math.exp(0.5), math.exp(1.5), math.exp(7.5)], rtol=1e-14)
