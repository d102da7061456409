"""Scorecards: an initial score plus one partial score per characteristic, with reason codes.

PMML 4.4 §Scorecard: per Characteristic, the partial score of its first Attribute whose
predicate is TRUE (a number, or a column computed by an expression); no Attribute TRUE makes the
score missing. Reason codes rank each code's points below (or above) the characteristic's
baseline, most points first; equal points keep document order; only codes with positive points
are listed, and a missing score has none. The arithmetic is the plain kernel
interchange.ir.kernels.scorecard.score_card, which generated Python copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.kernels.scorecard import score_card

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
        characteristics = tuple(
            (tuple((a.predicate, a.score, a.code) for a in ch.attributes), ch.baseline) for ch in self.characteristics
        )
        card = (self.initial, characteristics, self.codes, self.below, self.use_codes)
        value, extra = score_card(card, lambda p: truth(p, env, n)[0], env, n, self.reasons)
        return Prediction(value=value, extra=extra)
