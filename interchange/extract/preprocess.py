"""Scalers and imputers to IR transform steps."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.transforms import Impute, Scale


def _scale(state: Extraction, prefix: str, offset: np.ndarray, scale: np.ndarray) -> None:
    outputs = state.fresh(prefix, state.columns)
    state.steps.append(Scale(state.columns, outputs, tuple(map(float, offset)), tuple(map(float, scale))))
    state.columns = outputs


@extractor(StandardScaler)
def standard(est: Any, state: Extraction) -> None:
    n = len(state.columns)
    mean = est.mean_ if est.with_mean else np.zeros(n)
    scale = 1.0 / est.scale_ if est.with_std else np.ones(n)
    _scale(state, "scaled", mean, scale)


@extractor(MinMaxScaler)
def min_max(est: Any, state: Extraction) -> None:
    if est.clip:
        raise UnsupportedModelError("MinMaxScaler(clip=True) is not extracted yet", estimator="MinMaxScaler")
    # x * scale_ + min_  ==  (x - (-min_/scale_)) * scale_
    _scale(state, "scaled", -est.min_ / est.scale_, est.scale_)


@extractor(MaxAbsScaler)
def max_abs(est: Any, state: Extraction) -> None:
    _scale(state, "scaled", np.zeros(len(state.columns)), 1.0 / est.scale_)


@extractor(RobustScaler)
def robust(est: Any, state: Extraction) -> None:
    n = len(state.columns)
    center = est.center_ if est.with_centering else np.zeros(n)
    scale = 1.0 / est.scale_ if est.with_scaling else np.ones(n)
    _scale(state, "scaled", center, scale)


@extractor(SimpleImputer)
def impute(est: Any, state: Extraction) -> None:
    if est.add_indicator or not (est.missing_values is np.nan or est.missing_values != est.missing_values):
        raise UnsupportedModelError(
            "SimpleImputer with add_indicator or a non-NaN missing_values marker is not extracted yet",
            estimator="SimpleImputer",
        )
    if len(est.statistics_) != len(state.columns):
        raise UnsupportedModelError("SimpleImputer dropped all-missing columns", estimator="SimpleImputer")
    outputs = state.fresh("imputed", state.columns)
    state.steps.append(Impute(state.columns, outputs, tuple(est.statistics_.tolist())))
    state.columns = outputs
