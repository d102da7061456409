"""scikit-learn's GaussianNB to the IR GaussianNaiveBayes step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.naive_bayes import GaussianNB

from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.naive_bayes import GaussianNaiveBayes


@extractor(GaussianNB)
def gaussian(est: Any, state: Extraction) -> GaussianNaiveBayes:
    """``var_`` already includes scikit-learn's ``var_smoothing`` epsilon."""
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.asarray(est.class_prior_, dtype=np.float64))
    return GaussianNaiveBayes(
        state.columns,
        tuple(est.classes_.tolist()),
        np.asarray(est.theta_, dtype=np.float64),
        np.asarray(est.var_, dtype=np.float64),
        log_prior,
    )
