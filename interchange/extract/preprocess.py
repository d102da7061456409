"""Scalers and imputers to IR transform steps."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.transforms import Impute, Scale


def _scale(state: Extraction, offset: Any = 0.0, divisor: Any = 1.0, factor: Any = 1.0, shift: Any = 0.0) -> None:
    n = len(state.columns)
    outputs = state.fresh("scaled", state.columns)
    params = [
        tuple(float(v) for v in np.broadcast_to(np.asarray(p, dtype=np.float64), n)) for p in (offset, divisor, factor, shift)
    ]
    state.steps.append(Scale(state.columns, outputs, *params))
    state.columns = outputs


@extractor(StandardScaler)
def standard(est: Any, state: Extraction) -> None:
    # sklearn: (x - mean_) / scale_, each part only when enabled
    _scale(state, offset=est.mean_ if est.with_mean else 0.0, divisor=est.scale_ if est.with_std else 1.0)


@extractor(MinMaxScaler)
def min_max(est: Any, state: Extraction) -> None:
    if est.clip:
        raise UnsupportedModelError("MinMaxScaler(clip=True) is not extracted yet", estimator="MinMaxScaler")
    _scale(state, factor=est.scale_, shift=est.min_)  # sklearn: x * scale_ + min_


@extractor(MaxAbsScaler)
def max_abs(est: Any, state: Extraction) -> None:
    _scale(state, divisor=est.scale_)  # sklearn: x / scale_


@extractor(RobustScaler)
def robust(est: Any, state: Extraction) -> None:
    _scale(state, offset=est.center_ if est.with_centering else 0.0, divisor=est.scale_ if est.with_scaling else 1.0)


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
