"""A chain of models, each one's prediction a column for the next (PMML 4.4 §Segmentation modelChain).

Every link is evaluated on every row (its Segment's predicate TRUE): its predicted value, or the
probability of one category, becomes a named column that later links read as an input, and the
last model's prediction is the chain's. A missing figure stays missing, so a later model given
it predicts nothing (PMML 4.4 missingPredictionTreatment returnMissing, and continue for the
linear models the lift accepts as links and ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Chain", "Link"]


@dataclass(frozen=True)
class Link:
    """``model``'s ``part`` ("value", or "probability" of ``category``) as the column ``name``."""

    name: str
    model: ModelStep
    part: str = "value"
    category: Any = None

    def __post_init__(self) -> None:
        if self.part not in ("value", "probability"):
            raise ValueError(f"a chain link gives a value or a probability, not {self.part!r}")

    def figure(self, pred: Prediction) -> np.ndarray:
        if self.part == "value":
            if pred.value is None:
                raise ModelError(f"chain link {self.name!r}: the model gives no value")
            return np.asarray(pred.value, dtype=np.float64)
        classes = [str(c) for c in pred.classes or ()]
        if pred.probabilities is None or str(self.category) not in classes:
            raise ModelError(f"chain link {self.name!r}: the model gives no probability of {self.category!r}")
        return np.asarray(pred.probabilities, dtype=np.float64)[:, classes.index(str(self.category))]


@dataclass(frozen=True)
class Chain(ModelStep):
    """``links`` in order, each a column for the later ones, then ``model``'s prediction."""

    links: tuple[Link, ...]
    model: ModelStep

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        made: set[str] = set()
        read: list[str] = []
        for m, name in [*((lk.model, lk.name) for lk in self.links), (self.model, None)]:
            read += [c for c in m.inputs if c not in made]
            if name is not None:
                made.add(name)
        return tuple(dict.fromkeys(read))

    def predict(self, env: Env) -> Prediction:
        scope = dict(env)
        for link in self.links:
            scope[link.name] = link.figure(link.model.predict(scope).finish())
        return self.model.predict(scope)
