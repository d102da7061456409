"""A compact reference profile of a model's inputs and predictions, and PSI against it.

Captured at conversion time from the sample the model was converted with, carried in the
model envelope, and used by the monitor to measure drift: for each numeric input the
sample's decile edges and the share of rows in each bin, for each categorical input the
share of each value, and the same for the model's prediction (class frequencies for
classifiers and clusterers, value bins for regressors). Missing values get their own share.
Pure numpy / pandas so it can run anywhere a profile is read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "PROFILE_VERSION",
    "reference_profile",
    "describe",
    "proportions",
    "psi",
    "PSI_EPSILON",
    "profile_json",
    "profile_from_json",
]

PROFILE_VERSION = 1
BINS = 10
MAX_CATEGORIES = 50  # a categorical column with more values keeps the most frequent ones; the rest is "other"
PSI_EPSILON = 1e-4  # floor on shares so an empty bin gives a large, finite PSI term


def _missing(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()], dtype=bool)


def _numeric(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64)
    return np.array([np.nan if v is None else float(v) for v in arr.tolist()], dtype=np.float64)


def describe(values: Any, kind: str, bins: int = BINS) -> dict[str, Any]:
    """The reference distribution of one column: ``kind`` is ``numeric`` or ``categorical``."""
    arr = np.asarray(values)
    n = len(arr)
    if kind == "numeric":
        x = _numeric(arr)
        present = x[~np.isnan(x)]
        if len(present):
            edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
        else:
            edges = np.empty(0)
        spec: dict[str, Any] = {"kind": "numeric", "edges": [float(e) for e in edges]}
    else:
        keys = np.array(["" if v is None else str(v) for v in arr.tolist()], dtype=object)
        mask = _missing(arr)
        counts: dict[str, int] = {}
        for k in keys[~mask].tolist():
            counts[k] = counts.get(k, 0) + 1
        top = sorted(counts, key=lambda k: (-counts[k], k))[:MAX_CATEGORIES]
        spec = {"kind": "categorical", "values": sorted(top)}
    shares = proportions(spec, arr) if n else [0.0] * (len(spec.get("edges", spec.get("values", []))) + 2)
    spec["proportions"] = shares
    spec["rows"] = n
    return spec


def proportions(spec: Mapping[str, Any], values: Any) -> list[float]:
    """Shares of ``values`` in the buckets of ``spec``: its bins (or values, then "other"), then missing.

    Numeric bins are ``(-inf, e1], (e1, e2], ..., (ek, inf)``; the last share is always the missing one.
    """
    arr = np.asarray(values)
    n = len(arr)
    if spec["kind"] == "numeric":
        x = _numeric(arr)
        missing = np.isnan(x)
        idx = np.searchsorted(np.asarray(spec["edges"], dtype=np.float64), x[~missing], side="left")
        counts = np.bincount(idx, minlength=len(spec["edges"]) + 1).astype(np.float64)
    else:
        missing = _missing(arr)
        position = {v: i for i, v in enumerate(spec["values"])}
        other = len(spec["values"])
        idx = np.array([position.get(str(v), other) for v in arr[~missing].tolist()], dtype=np.int64)
        counts = np.bincount(idx, minlength=other + 1).astype(np.float64)
    counts = np.append(counts, float(missing.sum()))
    return (counts / n).tolist() if n else [0.0] * len(counts)


def psi(expected: Sequence[float], observed: Sequence[float], epsilon: float = PSI_EPSILON) -> float:
    """Population stability index: ``sum((o - e) * ln(o / e))`` over buckets, shares floored at ``epsilon``.

    Rule of thumb: below 0.1 stable, 0.1-0.25 a moderate shift, above 0.25 a major shift.
    """
    e = np.maximum(np.asarray(expected, dtype=np.float64), epsilon)
    o = np.maximum(np.asarray(observed, dtype=np.float64), epsilon)
    if e.shape != o.shape:
        raise ValueError(f"PSI needs the same buckets on both sides, got {e.shape} and {o.shape}")
    return float(np.sum((o - e) * np.log(o / e)))


def _prediction_field(outputs: Sequence[Any]) -> tuple[str, str] | None:
    """``(field name, kind)`` of the output whose distribution stands for the prediction."""
    for kind, profile_kind in (("label", "categorical"), ("cluster", "categorical"), ("value", "numeric"), ("score", "numeric")):
        for f in outputs:
            if f.kind == kind:
                return f.name, profile_kind
    return None


def reference_profile(columns: Mapping[str, Any], signature: Any, outputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The reference profile of a sample (typed columns per input) and the model's outputs on it.

    Example::

        profile = reference_profile({"x": np.array([0.1, 0.5])}, signature, {"label": np.array(["a", "b"])})
    """
    features: dict[str, Any] = {}
    for f in signature.inputs:
        if f.type == "array" or f.name not in columns:
            continue
        kind = "numeric" if f.type in ("double", "integer") and f.optype == "continuous" else "categorical"
        features[f.name] = describe(columns[f.name], kind)
    profile: dict[str, Any] = {"version": PROFILE_VERSION, "features": features, "prediction": None}
    chosen = _prediction_field(signature.outputs)
    if outputs is not None and chosen is not None and chosen[0] in outputs:
        name, kind = chosen
        profile["prediction"] = {"field": name, **describe(outputs[name], kind)}
    return profile


def profile_json(profile: Mapping[str, Any] | None) -> str | None:
    """The profile as the compact JSON the envelope carries."""
    return None if profile is None else json.dumps(profile, sort_keys=True, separators=(",", ":"))


def profile_from_json(text: str | None) -> dict[str, Any] | None:
    return None if not text else json.loads(text)
