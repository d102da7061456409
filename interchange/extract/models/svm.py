"""scikit-learn's libsvm estimators (SVC, NuSVC, SVR, NuSVR) to the IR SupportVectorMachine step."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.svm import SVC, SVR, NuSVC, NuSVR

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.svm import SupportVectorMachine, one_vs_one


def _kernel(est: Any) -> dict[str, Any]:
    if not isinstance(est.kernel, str) or est.kernel not in ("linear", "rbf", "poly", "sigmoid"):
        raise UnsupportedModelError(
            f"{type(est).__name__}(kernel={est.kernel!r}): only linear, rbf, poly and sigmoid kernels have an IR form",
            estimator=type(est).__name__,
        )
    if hasattr(est, "support_vectors_") and getattr(est, "_sparse", False):
        raise UnsupportedModelError(f"{type(est).__name__} fitted on sparse input", estimator=type(est).__name__)
    return {"kernel": est.kernel, "gamma": float(est._gamma), "coef0": float(est.coef0), "degree": float(est.degree)}


@extractor(SVR, NuSVR)
def regressor(est: Any, state: Extraction) -> SupportVectorMachine:
    coef = np.asarray(est._dual_coef_, dtype=np.float64).reshape(1, -1)
    vectors = np.asarray(est.support_vectors_, dtype=np.float64)
    return SupportVectorMachine(state.columns, vectors=vectors, coef=coef, intercept=np.asarray(est._intercept_), **_kernel(est))


@extractor(SVC, NuSVC)
def classifier(est: Any, state: Extraction) -> SupportVectorMachine:
    """One machine per class pair (i < j) in libsvm order; f > 0 votes for class i.

    libsvm's dual coefficients for pair (i, j): row j-1 for the vectors of class i, row i for
    the vectors of class j (scikit-learn keeps them unflipped in ``_dual_coef_``).
    """
    classes = tuple(est.classes_.tolist())
    k = len(classes)
    dual = np.asarray(est._dual_coef_, dtype=np.float64)
    vectors = np.asarray(est.support_vectors_, dtype=np.float64)
    pairs, coef = one_vs_one(dual, [int(n) for n in est._n_support])
    prob_a = prob_b = None
    if getattr(est, "probability", False) is True:
        with warnings.catch_warnings():  # sklearn warned the user at fit; reading the fitted Platt terms is ours to do
            warnings.filterwarnings("ignore", "Attribute `prob[AB]_` was deprecated", FutureWarning)
            prob_a, prob_b = np.asarray(est.probA_, dtype=np.float64), np.asarray(est.probB_, dtype=np.float64)
    if getattr(est, "break_ties", False) and k > 2 and est.decision_function_shape == "ovr":
        raise UnsupportedModelError(
            f"{type(est).__name__}(break_ties=True) predicts the argmax of decision values; not in the IR yet",
            estimator=type(est).__name__,
        )
    return SupportVectorMachine(
        state.columns,
        vectors=vectors,
        coef=coef,
        intercept=np.asarray(est._intercept_, dtype=np.float64),
        classes=classes,
        pairs=pairs,
        shape=est.decision_function_shape,
        prob_a=prob_a,
        prob_b=prob_b,
        **_kernel(est),
    )
