"""Rule sets: rules with predicates, weights and a score; one selection criterion.

PMML 4.4 §RuleSetModel (SimpleRule; CompoundRule as the conjunction of its predicate with each
inner rule's): firstHit takes the first rule that fires, weightedMax the fired rule of largest
weight (ties: the first), weightedSum the score whose fired rules weigh most. A rule whose
predicate is UNKNOWN does not fire; no rule fired gives ``default``. The confidence of the
prediction (``RuleSet.select``): the chosen rule's confidence (firstHit, weightedMax), the
winning score's total weight over the number of fired rules (weightedSum), else
``default_confidence``; :class:`RuleConfidence` reports it beside the label (PMML 4.4 §Output
``feature="confidence"``). The selection is the plain kernel interchange.ir.kernels.rules.select_rule,
which generated Python copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.kernels.rules import select_rule

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
        rules = tuple((r.predicates, r.score, r.weight, r.confidence) for r in self.rules)
        return select_rule(rules, lambda p: truth(p, env, n)[0], self.criterion, self.default, self.default_confidence, n)


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
