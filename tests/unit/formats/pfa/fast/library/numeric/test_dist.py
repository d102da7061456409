"""Closed-form ``prob.dist.*`` on the fast path (fast.library.numeric.dist) against scipy.stats; bad parameters fail records."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]  # (no stubs installed)

from ._run import dist

X = np.array([-1.5, 0.0, 0.3, 1.0, 2.5, 7.0])
P = np.array([0.001, 0.1, 0.5, 0.9, 0.999])
CASES: list[tuple[str, np.ndarray, tuple[float, ...], Callable[..., np.ndarray]]] = [
    ("gaussianLL", X, (0.5, 2.0), lambda x: stats.norm.logpdf(x, 0.5, 2.0)),
    ("gaussianCDF", X, (0.5, 2.0), lambda x: stats.norm.cdf(x, 0.5, 2.0)),
    ("exponentialPDF", X[1:], (1.5,), lambda x: stats.expon.pdf(x, scale=1 / 1.5)),
    ("exponentialCDF", X[1:], (1.5,), lambda x: stats.expon.cdf(x, scale=1 / 1.5)),
    ("exponentialQF", P, (1.5,), lambda p: stats.expon.ppf(p, scale=1 / 1.5)),
    ("cauchyPDF", X, (1.0, 0.5), lambda x: stats.cauchy.pdf(x, 1.0, 0.5)),
    ("cauchyCDF", X, (1.0, 0.5), lambda x: stats.cauchy.cdf(x, 1.0, 0.5)),
    ("cauchyQF", P, (1.0, 0.5), lambda p: stats.cauchy.ppf(p, 1.0, 0.5)),
    ("lognormalPDF", X[2:], (0.2, 0.7), lambda x: stats.lognorm.pdf(x, 0.7, scale=np.exp(0.2))),
    ("lognormalCDF", X[2:], (0.2, 0.7), lambda x: stats.lognorm.cdf(x, 0.7, scale=np.exp(0.2))),
    ("uniformPDF", X, (-1.0, 2.0), lambda x: stats.uniform.pdf(x, -1.0, 3.0)),
    ("uniformCDF", X, (-1.0, 2.0), lambda x: stats.uniform.cdf(x, -1.0, 3.0)),
    ("uniformQF", P, (-1.0, 2.0), lambda p: stats.uniform.ppf(p, -1.0, 3.0)),
    ("weibullPDF", X[2:], (1.5, 2.0), lambda x: stats.weibull_min.pdf(x, 1.5, scale=2.0)),
    ("weibullCDF", X[2:], (1.5, 2.0), lambda x: stats.weibull_min.cdf(x, 1.5, scale=2.0)),
    ("weibullQF", P, (1.5, 2.0), lambda p: stats.weibull_min.ppf(p, 1.5, scale=2.0)),
]
COUNTS = np.array([0, 1, 2, 5, 12])


@pytest.mark.parametrize(("function", "x", "params", "scipy"), CASES, ids=[c[0] for c in CASES])
def test_against_scipy(function: str, x: np.ndarray, params: tuple[float, ...], scipy: Callable[..., np.ndarray]) -> None:
    values, refused = dist(function, x, *params)
    assert refused == set()
    np.testing.assert_allclose(values, scipy(x), rtol=1e-9, atol=1e-12)


def test_gaussian_qf_is_abramowitz_stegun_26_2_23() -> None:
    """titus2's normal quantile is the rational approximation A&S 26.2.23, |error| < 4.5e-4 (times sigma)."""
    values = dist("gaussianQF", P, 0.5, 2.0)[0]
    assert np.all(np.abs(values - stats.norm.ppf(P, 0.5, 2.0)) < 4.5e-4 * 2.0)
    # at p = 1/2, t = sqrt(-2 ln 1/2) and the quantile is mu - sigma (t - (c0 + c1 t + c2 t^2) / (1 + d1 t + d2 t^2 + d3 t^3))
    t = np.sqrt(2 * np.log(2.0))
    g = t - (2.515517 + 0.802853 * t + 0.010328 * t**2) / (1 + 1.432788 * t + 0.189269 * t**2 + 0.001308 * t**3)
    np.testing.assert_allclose(values[P == 0.5], [0.5 - 2.0 * g], rtol=1e-15)


def test_counts_against_scipy() -> None:
    np.testing.assert_allclose(dist("poissonPDF", COUNTS, 2.5, count=True)[0], stats.poisson.pmf(COUNTS, 2.5), rtol=1e-9)
    np.testing.assert_allclose(dist("geometricPDF", COUNTS, 0.3, count=True)[0], stats.geom.pmf(COUNTS + 1, 0.3), rtol=1e-9)


def test_by_hand() -> None:
    """Exponential(rate 2): CDF(ln 2 / 2) = 1/2; uniform(0, 4) density 1/4 inside, 0 outside."""
    assert dist("exponentialCDF", np.array([np.log(2.0) / 2]), 2.0)[0].tolist() == pytest.approx([0.5], rel=1e-15)
    assert dist("uniformPDF", np.array([-1.0, 1.0, 5.0]), 0.0, 4.0)[0].tolist() == [0.0, 0.25, 0.0]


@pytest.mark.parametrize(
    ("function", "params"),
    [("gaussianCDF", (0.0, -1.0)), ("exponentialPDF", (-2.0,)), ("cauchyCDF", (0.0, 0.0)), ("uniformQF", (2.0, 1.0))],
)
def test_invalid_parameters_fail_every_record(function: str, params: tuple[float, ...]) -> None:
    x = np.array([0.1, 0.5])
    assert dist(function, x, *params)[1] == {0, 1}


def test_a_probability_outside_zero_one_fails_only_that_record() -> None:
    assert dist("gaussianQF", np.array([0.5, 1.5, -0.1]), 0.0, 1.0)[1] == {1, 2}
