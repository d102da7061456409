"""GaussianNB to the IR GaussianNaiveBayes step (interchange.extract.models.naive_bayes)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

from ._agree import assert_extracts

X = np.array([[0.0, 1.0], [0.5, 1.5], [1.0, 0.5], [4.0, 4.0], [4.5, 3.0], [5.0, 4.5]])
Y = np.array([0, 0, 0, 1, 1, 1])


def test_means_variances_and_log_priors() -> None:
    est = GaussianNB().fit(X, Y)
    model = assert_extracts(est, X).model
    np.testing.assert_array_equal(model.var, est.var_)  # var_smoothing already inside
    np.testing.assert_allclose(model.log_prior, np.log([0.5, 0.5]), rtol=1e-15)


# scikit-learn's own predict (the reference assert_extracts replays) takes log(0) of the prior and warns; the extractor does not
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
def test_a_zero_prior_is_minus_infinity_not_a_warning() -> None:
    est = GaussianNB(priors=[1.0, 0.0]).fit(X, Y)
    model = assert_extracts(est, X).model
    assert model.log_prior.tolist() == [0.0, -np.inf]
