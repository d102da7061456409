"""The gate: a candidate goes live only if it is not worse than the live version on held-out events.

Both are scored on the same held-out window (every k-th training event, never trained on)
through the same ``Model.predict`` interface, so the live version is judged as it serves,
whatever its format. Classifiers: accuracy (higher is better); regressors: RMSE (lower);
clusterers: the within-cluster sum of squares of each model's own assignment of the held-out
events, per event (lower). ``margin`` lets a candidate be that much worse and still pass.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["GateResult", "judge", "score"]

_METRIC = {"classification": ("accuracy", True), "regression": ("rmse", False), "clustering": ("within_ss", False)}


@dataclass(frozen=True)
class GateResult:
    passed: bool
    metric: str
    candidate: float
    live: float | None
    live_version: int | None
    rows: int
    margin: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        live = "no live version" if self.live is None else f"live v{self.live_version} {self.live:.4g}"
        verdict = "passes" if self.passed else "refused"
        return f"{self.metric} candidate {self.candidate:.4g} vs {live} on {self.rows} held-out events: {verdict}"


def score(task: str, model: Any, X: pd.DataFrame, y: np.ndarray | None) -> float:
    """The gate's figure for one model on the held-out events."""
    out = model.predict(X)
    if task == "classification":
        predicted = np.asarray(out["label"]).tolist()
        return float(np.mean([p == t for p, t in zip(predicted, np.asarray(y).tolist(), strict=True)]))
    if task == "regression":
        p = np.asarray(out["prediction"], dtype=np.float64)
        return math.sqrt(float(np.mean((p - np.asarray(y, dtype=np.float64)) ** 2)))
    clusters = np.asarray(out["cluster"])
    values = X.to_numpy(dtype=np.float64)
    total = 0.0
    for c in np.unique(clusters):
        members = values[clusters == c]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total / len(values)


def judge(
    task: str,
    candidate: Any,
    live: Any | None,
    X: pd.DataFrame,
    y: np.ndarray | None,
    *,
    live_version: int | None,
    margin: float = 0.0,
) -> GateResult:
    """Score the candidate (and the live model, if any) and decide."""
    metric, higher_better = _METRIC[task]
    cand = score(task, candidate, X, y)
    if live is None:
        return GateResult(True, metric, cand, None, None, len(X), margin)
    current = score(task, live, X, y)
    passed = cand >= current - margin if higher_better else cand <= current + margin
    return GateResult(passed, metric, cand, current, live_version, len(X), margin)
