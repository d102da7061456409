"""The fast path's SupportVectorMachineModel (pmml.lifted.models.svm): linear and RBF kernels by hand, and pypmml."""

from __future__ import annotations

import numpy as np

from tests.unit.formats.pmml.lift.models import test_svm as docs
from tests.unit.formats.pmml.lift.models._pmml import fast_outputs

ROWS = docs.ROWS


def test_linear_kernel_by_hand() -> None:
    np.testing.assert_allclose(
        fast_outputs(docs._svm("<LinearKernelType/>"), ROWS)["y"], 2 * ROWS["a"] - 2 * ROWS["b"] + 0.5, rtol=1e-15
    )  # noqa: E501


def test_rbf_kernel_by_hand() -> None:
    a, b = ROWS["a"], ROWS["b"]
    k1, k2 = np.exp(-0.3 * ((a - 1) ** 2 + b**2)), np.exp(-0.3 * (a**2 + (b - 2) ** 2))
    np.testing.assert_allclose(
        fast_outputs(docs._svm('<RadialBasisKernelType gamma="0.3"/>'), ROWS)["y"], 2 * k1 - k2 + 0.5, rtol=1e-12
    )  # noqa: E501
