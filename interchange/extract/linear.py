"""Linear models to the IR Regression step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.linear import Link, Regression


@extractor(LinearRegression, Ridge, Lasso, ElasticNet)
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
