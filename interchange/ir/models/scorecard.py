"""Scorecards: an initial score plus one partial score per characteristic, with reason codes.

PMML 4.4 §Scorecard: per Characteristic, the partial score of its first Attribute whose
predicate is TRUE (a number, or a column computed by an expression); no Attribute TRUE makes the
score missing. Reason codes rank each code's points below (or above) the characteristic's
baseline, most points first; equal points keep document order; only codes with positive points
are listed, and a missing score has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Scorecard", "Characteristic", "Attribute"]


@dataclass(frozen=True)
class Attribute:
    """One bin: ``predicate``, its partial ``score`` (a number or a column name) and reason ``code``."""

    predicate: Predicate
    score: float | str
    code: str | None = None


@dataclass(frozen=True)
class Characteristic:
    attributes: tuple[Attribute, ...]
    baseline: float | None = None


@dataclass(frozen=True)
class Scorecard(ModelStep):
    """``value = initial + sum of partial scores``; ``reasons`` maps output names to reason-code
    ranks (0 = the code with most points); ``below``: points are baseline minus partial score."""

    initial: float
    characteristics: tuple[Characteristic, ...]
    codes: tuple[str, ...] = ()
    below: bool = True
    reasons: tuple[tuple[str, int], ...] = ()
    use_codes: bool = True  # False: the reason-code outputs are missing

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        names: list[str] = []
        for ch in self.characteristics:
            for a in ch.attributes:
                names += predicate_fields(a.predicate) + ([a.score] if isinstance(a.score, str) else [])
        return tuple(dict.fromkeys(names))

    def predict(self, env: Env) -> Prediction:
        n = len(next(iter(env.values()), ())) if getattr(env, "n", None) is None else int(env.n)  # type: ignore[attr-defined]
        k = len(self.codes)
        total = np.full(n, float(self.initial))
        points = np.zeros((n, k))
        first = np.full((n, k), len(self.characteristics))  # the first characteristic giving a code points
        for i, ch in enumerate(self.characteristics):
            todo = np.ones(n, dtype=bool)
            partial = np.full(n, np.nan)
            code = np.full(n, -1)
            for a in ch.attributes:
                hit = todo & truth(a.predicate, env, n)[0]
                value = np.asarray(env[a.score], dtype=np.float64) if isinstance(a.score, str) else np.full(n, a.score)
                partial = np.where(hit, value, partial)
                if a.code is not None:
                    code = np.where(hit, self.codes.index(a.code), code)
                todo &= ~hit
            total = total + partial
            if self.use_codes and ch.baseline is not None:
                diff = (ch.baseline - partial) if self.below else (partial - ch.baseline)
                for j in range(k):
                    points[:, j] += np.where(code == j, diff, 0.0)
                    first[:, j] = np.where(code == j, np.minimum(first[:, j], i), first[:, j])
        none = np.full(n, None, dtype=object)
        extra = {name: none for name, _ in self.reasons}
        if self.use_codes and self.reasons:
            ranked = _ranked(points, first, self.codes, np.isnan(total))
            extra = {name: ranked[:, r] if r < k else none for name, r in self.reasons}
        return Prediction(value=total, extra=extra)


def _ranked(points: np.ndarray, first: np.ndarray, codes: tuple[str, ...], missing: np.ndarray) -> np.ndarray:
    order = np.lexsort((first, -points), axis=-1)
    ranked = np.asarray(codes, dtype=object)[order]
    ranked[~(np.take_along_axis(points, order, axis=1) > 0)] = None
    ranked[missing] = None
    return ranked
