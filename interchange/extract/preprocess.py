"""Scalers, imputers, binarising, binning, normalising, polynomial and PCA to IR transform steps."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (
    Binarizer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor
from interchange.ir.derive.transforms import Bin, Impute, Normalize, Polynomial, Project, Scale, Threshold


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


@extractor(Binarizer)
def binarize(est: Any, state: Extraction) -> None:
    outputs = state.fresh("binary", state.columns)
    state.steps.append(Threshold(state.columns, outputs, float(est.threshold)))
    state.columns = outputs


@extractor(KBinsDiscretizer)
def bins(est: Any, state: Extraction) -> None:
    """sklearn: ``searchsorted(edges[1:-1], x, side="right")``, then one-hot unless ordinal."""
    if est.encode not in ("ordinal", "onehot", "onehot-dense"):
        raise UnsupportedModelError(f"KBinsDiscretizer(encode={est.encode!r})", estimator="KBinsDiscretizer")
    edges = tuple(tuple(float(e) for e in np.asarray(b)[1:-1]) for b in est.bin_edges_)
    one_hot = est.encode != "ordinal"
    per_bin = [f"{c}_{b}" for c, e in zip(state.columns, edges, strict=True) for b in range(len(e) + 1)]
    names = per_bin if one_hot else state.columns
    outputs = state.fresh("bin", names)
    state.steps.append(Bin(state.columns, outputs, edges, one_hot))
    state.columns = outputs


@extractor(Normalizer)
def normalize(est: Any, state: Extraction) -> None:
    outputs = state.fresh("normalized", state.columns)
    state.steps.append(Normalize(state.columns, outputs, est.norm))
    state.columns = outputs


@extractor(PolynomialFeatures)
def polynomial(est: Any, state: Extraction) -> None:
    powers = np.asarray(est.powers_, dtype=np.int64)
    names = ["_".join(f"{i}p{p}" for i, p in enumerate(row) if p) or "bias" for row in powers]
    outputs = state.fresh("poly", names)
    state.steps.append(Polynomial(state.columns, outputs, powers))
    state.columns = outputs


@extractor(PCA)
def pca(est: Any, state: Extraction) -> None:
    """sklearn: ``x @ components.T - mean @ components.T``, then ``/ sqrt(variance)`` if whitened."""
    components = np.asarray(est.components_, dtype=np.float64)
    bias = -(np.asarray(est.mean_, dtype=np.float64).reshape(1, -1) @ components.T)[0]
    outputs = state.fresh("pc", [str(j) for j in range(len(components))])
    state.steps.append(Project(state.columns, outputs, components, bias))
    state.columns = outputs
    if est.whiten:
        scale = np.sqrt(np.asarray(est.explained_variance_, dtype=np.float64))
        _scale(state, divisor=np.maximum(scale, np.finfo(np.float64).eps))
