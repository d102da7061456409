"""``prob.dist.gamma*``, ``chi2*`` and ``poissonCDF`` on the fast path (fast.library.numeric.gamma) against scipy.

titus2's series stop when a term is below 1e-15 of the sum (``regularizedGammaP``) and at 3e-7
(``gser`` / ``gcf`` in ``regularizedGammaQ``), so scipy's values are matched at those precisions;
titus2's own values, to the bit, are the conformance tests' job.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats  # type: ignore[import-untyped]  # (no stubs installed)

from ._run import dist

X = np.array([0.05, 0.5, 1.0, 2.5, 7.0, 20.0])
COUNTS = np.array([0, 1, 3, 8, 20])


@pytest.mark.parametrize("shape", [0.5, 1.0, 3.5])
def test_gamma_pdf_and_cdf(shape: float) -> None:
    np.testing.assert_allclose(dist("gammaPDF", X, shape, 2.0)[0], stats.gamma.pdf(X, shape, scale=2.0), rtol=1e-9)
    np.testing.assert_allclose(dist("gammaCDF", X, shape, 2.0)[0], special.gammainc(shape, X / 2.0), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dof", [1, 4])
def test_chi2(dof: int) -> None:
    np.testing.assert_allclose(dist("chi2PDF", X, dof)[0], stats.chi2.pdf(X, dof), rtol=1e-9)
    np.testing.assert_allclose(dist("chi2CDF", X, dof)[0], stats.chi2.cdf(X, dof), rtol=1e-13, atol=1e-15)


def test_poisson_cdf_to_the_series_precision() -> None:
    np.testing.assert_allclose(dist("poissonCDF", COUNTS, 4.5, count=True)[0], stats.poisson.cdf(COUNTS, 4.5), rtol=3e-7)


def test_exponential_special_case_by_hand() -> None:
    """gamma(shape 1, scale 2) is exponential(rate 1/2): CDF(x) = 1 - exp(-x / 2)."""
    np.testing.assert_allclose(dist("gammaCDF", X, 1.0, 2.0)[0], 1 - np.exp(-X / 2), rtol=1e-13)


def test_negative_parameters_fail_the_records() -> None:
    assert dist("gammaCDF", X[:2], -1.0, 1.0)[1] == {0, 1}
    assert dist("gammaCDF", X[:2], 0.0, 1.0)[0].tolist() == [1.0, 1.0]  # shape 0: all mass at 0, as titus2
    assert dist("gammaPDF", X[:2], 2.0, -1.0)[1] == {0, 1}
