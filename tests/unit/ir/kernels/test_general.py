"""The generalized-linear kernels against the link functions' definitions (PMML 4.4 §General
Regression) computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interchange.ir.kernels.general import cumulative_probabilities, find_inverse_link, linked_mean, normalized_probabilities


@pytest.mark.parametrize(
    ("name", "parameter", "eta", "mu"),
    [
        ("identity", 0.0, 0.7, 0.7),
        ("log", 0.0, 0.7, math.exp(0.7)),
        ("logc", 0.0, -0.7, 1.0 - math.exp(-0.7)),
        ("logit", 0.0, 0.7, 1.0 / (1.0 + math.exp(-0.7))),
        ("cloglog", 0.0, 0.7, 1.0 - math.exp(-math.exp(0.7))),
        ("probit", 0.0, 0.7, 0.5 * (1.0 + math.erf(0.7 / math.sqrt(2.0)))),
        ("negbin", 2.0, -0.7, 1.0 / (2.0 * (math.exp(0.7) - 1.0))),
        ("power", 0.5, 0.7, 0.7**2.0),
        ("power", 0.0, 0.7, math.exp(0.7)),
        ("oddspower", 2.0, 0.7, 1.0 / (1.0 + (1.0 + 2.0 * 0.7) ** -0.5)),
        ("oddspower", 0.0, 0.7, 1.0 / (1.0 + math.exp(-0.7))),
    ],
)
def test_inverse_links(name: str, parameter: float, eta: float, mu: float) -> None:
    assert linked_mean(np.array([eta]), name, parameter)[0] == pytest.approx(mu, rel=1e-14)


def test_unknown_link() -> None:
    assert find_inverse_link("exp") is None  # PMML's linkFunction has no "exp"
    with pytest.raises(ValueError, match="unknown link function 'nope'"):
        linked_mean(np.zeros(1), "nope", 0.0)


def test_cumulative_probabilities_are_differences_of_the_link() -> None:
    eta = np.array([[-1.0, 1.0], [np.nan, 0.0]])
    got = cumulative_probabilities(eta, "logit")
    f = [1.0 / (1.0 + math.exp(1.0)), 1.0 / (1.0 + math.exp(-1.0))]
    np.testing.assert_allclose(got[0], [f[0], f[1] - f[0], 1.0 - f[1]], rtol=1e-15)
    assert np.isnan(got[1]).all()


def test_normalizations() -> None:
    y = np.array([[1.0, 3.0], [1.5, 0.0], [np.nan, 1.0]])
    np.testing.assert_allclose(normalized_probabilities(y, "simplemax")[0], [0.25, 0.75])
    none = normalized_probabilities(y, "none")
    np.testing.assert_array_equal(none[0], [1.0, 0.0])  # two classes: the first clamped to [0, 1]
    np.testing.assert_array_equal(none[1], [1.0, 0.0])
    assert np.isnan(none[2]).all()
    three = normalized_probabilities(np.array([[0.2, 0.3, 9.0]]), "none")  # more classes: not clamped
    np.testing.assert_allclose(three[0], [0.2, 0.3, 0.5])
    logit = normalized_probabilities(np.array([[0.0, 5.0]]), "logit")
    np.testing.assert_allclose(logit[0], [0.5, 0.5])
