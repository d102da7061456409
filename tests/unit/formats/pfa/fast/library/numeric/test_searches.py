"""Quantiles titus2 finds by search (fast.library.numeric.searches): bisection for lognormalQF, Newton for gammaQF / chi2QF.

The search's own stopping rule is the precision: lognormal stops when the CDF is within 1e-8 of p;
Newton when a step is below sqrt(1e-15), so scipy's CDF at the answer is checked at those figures.
"""

from __future__ import annotations

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # (no stubs installed)

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import document

from ._run import dist

P = np.array([0.01, 0.2, 0.5, 0.8, 0.99])


def test_lognormal_qf_stops_within_1e_8_of_p() -> None:
    q, refused = dist("lognormalQF", P, 0.3, 0.6)
    assert refused == set()
    assert np.all(np.abs(stats.lognorm.cdf(q, 0.6, scale=np.exp(0.3)) - P) <= 1e-8)


def test_gamma_and_chi2_qf_invert_the_cdf() -> None:
    q = dist("gammaQF", P, 2.5, 1.5)[0]
    np.testing.assert_allclose(q, stats.gamma.ppf(P, 2.5, scale=1.5), rtol=1e-7)
    q = dist("chi2QF", P, 3)[0]
    np.testing.assert_allclose(q, stats.chi2.ppf(P, 3), rtol=1e-7)


def test_edges_by_hand() -> None:
    """p = 0 is 0 and p = 1 is infinity for both searches; p outside [0, 1] fails the record."""
    q, refused = dist("gammaQF", np.array([0.0, 1.0, 1.5]), 2.0, 1.0)
    assert q[:2].tolist() == [0.0, np.inf] and refused == {2}


def test_the_same_steps_as_titus2() -> None:
    for fn, params in (("lognormalQF", [0.3, 0.6]), ("gammaQF", [2.5, 1.5]), ("chi2QF", [3])):
        _compare(document({f"prob.dist.{fn}": ["input.x", *params]}), {"x": P})
