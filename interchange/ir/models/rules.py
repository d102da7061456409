"""Rule sets: rules with predicates, weights and a score; one selection criterion.

PMML 4.4 §RuleSetModel (SimpleRule; CompoundRule as the conjunction of its predicate with each
inner rule's): firstHit takes the first rule that fires, weightedMax the fired rule of largest
weight (ties: the first), weightedSum the score whose fired rules weigh most. A rule whose
predicate is UNKNOWN does not fire; no rule fired gives ``default``. The confidence of the
prediction (``RuleSet.select``): the chosen rule's confidence (firstHit, weightedMax), the
winning score's total weight over the number of fired rules (weightedSum), else
``default_confidence``; :class:`RuleConfidence` reports it beside the label (PMML 4.4 §Output
``feature="confidence"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Rule", "RuleSet", "RuleConfidence"]


@dataclass(frozen=True)
class Rule:
    """Fires where every one of ``predicates`` is TRUE."""

    predicates: tuple[Predicate, ...]
    score: Any
    weight: float = 1.0
    confidence: float = 1.0


@dataclass(frozen=True)
class RuleSet(ModelStep):
    rules: tuple[Rule, ...]
    criterion: Literal["firstHit", "weightedMax", "weightedSum"]
    default: Any = None
    default_confidence: float | None = None

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys(f for r in self.rules for p in r.predicates for f in predicate_fields(p)))

    def predict(self, env: Env) -> Prediction:
        return Prediction(label=self.select(env)[0])

    def select(self, env: Env) -> tuple[np.ndarray, np.ndarray]:
        """(label, confidence) per row."""
        n = len(next(iter(env.values()), ())) if getattr(env, "n", None) is None else int(env.n)  # type: ignore[attr-defined]
        cache: dict[int, np.ndarray] = {}

        def fires(rule: Rule) -> np.ndarray:
            out = np.ones(n, dtype=bool)
            for p in rule.predicates:
                if id(p) not in cache:
                    cache[id(p)] = truth(p, env, n)[0]
                out &= cache[id(p)]
            return out

        label = np.full(n, self.default, dtype=object)
        confidence = np.full(n, np.nan if self.default_confidence is None else float(self.default_confidence))
        if self.criterion == "firstHit":
            taken = np.zeros(n, dtype=bool)
            for r in self.rules:
                hit = fires(r) & ~taken
                label[hit] = r.score
                confidence[hit] = r.confidence
                taken |= hit
        elif self.criterion == "weightedMax":
            best = np.full(n, -np.inf)
            for r in self.rules:
                hit = fires(r) & (r.weight > best)
                label[hit] = r.score
                confidence[hit] = r.confidence
                best = np.where(hit, r.weight, best)
        else:
            scores = list(dict.fromkeys(r.score for r in self.rules))
            totals = np.zeros((n, len(scores)))
            fired = np.zeros(n)
            for r in self.rules:
                hit = fires(r)
                totals[:, scores.index(r.score)] += np.where(hit, r.weight, 0.0)
                fired += hit
            winner = np.asarray(scores, dtype=object)[np.argmax(totals, axis=1)] if scores else label
            some = totals.sum(axis=1) > 0
            label = np.where(some, winner, label)
            with np.errstate(all="ignore"):
                confidence = np.where(some, totals.max(axis=1, initial=0.0) / fired, confidence)
        return label, confidence


@dataclass(frozen=True)
class RuleConfidence(ModelStep):
    """``rules``' label, with the confidence of each row's prediction as the figures ``names``."""

    rules: RuleSet
    names: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.rules.inputs

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives beside the label."""
        return self.names

    def predict(self, env: Env) -> Prediction:
        label, confidence = self.rules.select(env)
        return Prediction(label=label, extra=dict.fromkeys(self.names, confidence))
