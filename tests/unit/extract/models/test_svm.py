"""libsvm estimators to the IR SupportVectorMachine step (interchange.extract.models.svm)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC, SVR, NuSVR

from interchange.errors import UnsupportedModelError

from ._agree import assert_extracts

X, Y = make_classification(60, 3, n_informative=3, n_redundant=0, n_classes=3, random_state=0)


@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly", "sigmoid"])
def test_one_vs_one_classifier_per_kernel(kernel: str) -> None:
    est = SVC(kernel=kernel, gamma=0.3, coef0=0.5, degree=2).fit(X, Y)
    model = assert_extracts(est, X).model
    assert model.pairs is not None and model.pairs.tolist() == [[0, 1], [0, 2], [1, 2]] and model.kernel == kernel
    assert model.gamma == 0.3 and model.coef0 == 0.5 and model.degree == 2.0


@pytest.mark.filterwarnings("ignore:The `probability` parameter was deprecated:FutureWarning")  # (scikit-learn 1.9)
@pytest.mark.filterwarnings("ignore:Attribute `prob[AB]_` was deprecated:FutureWarning")
def test_ovo_decision_shape_and_platt_terms() -> None:
    est = SVC(decision_function_shape="ovo", probability=True, random_state=0).fit(X, Y)
    model = assert_extracts(est, X).model
    assert model.shape == "ovo" and model.prob_a is not None and len(model.prob_a) == 3


@pytest.mark.parametrize("cls", [SVR, NuSVR])
def test_regressors_keep_dual_coefficients(cls: type) -> None:
    est = cls(gamma="scale").fit(X, X @ [1.0, 0.5, -1.0])
    model = assert_extracts(est, X).model
    np.testing.assert_array_equal(model.coef, est.dual_coef_)
    assert model.gamma == est._gamma  # "scale" resolved at fit


def test_a_callable_kernel_is_refused_by_name() -> None:
    est = SVR(kernel=lambda a, b: a @ b.T).fit(X, Y.astype(float))
    with pytest.raises(UnsupportedModelError, match=r"SVR\(kernel=<function .*only linear, rbf, poly and sigmoid"):
        assert_extracts(est, X)


def test_break_ties_is_refused_by_name() -> None:
    est = SVC(break_ties=True).fit(X, Y)
    with pytest.raises(UnsupportedModelError, match=r"SVC\(break_ties=True\)"):
        assert_extracts(est, X)
