"""Linear models to the IR Regression step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.linear import Link, Regression


@extractor(LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor, LinearSVR)
def regression(est: Any, state: Extraction) -> Regression:
    coef = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))
    if coef.shape[0] != 1:
        raise UnsupportedModelError(f"multi-target {type(est).__name__} is not supported", estimator=type(est).__name__)
    return Regression(state.columns, coef, np.atleast_1d(np.asarray(est.intercept_, dtype=np.float64)))


@extractor(LogisticRegression)
def logistic(est: Any, state: Extraction) -> Regression:
    coef = np.asarray(est.coef_, dtype=np.float64)
    classes = tuple(est.classes_.tolist())
    if len(classes) == 2:
        link = Link.LOGISTIC
    else:
        # sklearn >= 1.5 deprecates multi_class; "ovr" remains when set explicitly.
        multi = getattr(est, "multi_class", "auto")
        link = Link.OVR if multi == "ovr" else Link.SOFTMAX
    return Regression(state.columns, coef, np.asarray(est.intercept_, dtype=np.float64), link, classes)


@extractor(LinearSVC, SGDClassifier)
def margin_classifier(est: Any, state: Extraction) -> Regression:
    """Decision values only (hinge-type losses), one-vs-rest for more than two classes.

    SGDClassifier with ``log_loss`` / ``modified_huber`` also has probabilities: the log-loss
    ones are one-vs-rest logistic, which the IR has; modified_huber's clipping it has not.
    """
    coef = np.asarray(est.coef_, dtype=np.float64)
    classes = tuple(est.classes_.tolist())
    loss = getattr(est, "loss", "hinge")
    if isinstance(est, SGDClassifier) and loss == "log_loss":
        link = Link.LOGISTIC if len(classes) == 2 else Link.OVR
    elif isinstance(est, SGDClassifier) and loss == "modified_huber":
        raise UnsupportedModelError(
            "SGDClassifier(loss='modified_huber') probabilities (clipped, then normalised) have no IR form",
            estimator="SGDClassifier",
        )
    else:
        link = Link.IDENTITY
    return Regression(state.columns, coef, np.asarray(est.intercept_, dtype=np.float64).reshape(-1), link, classes)
