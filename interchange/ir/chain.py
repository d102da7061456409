"""A chain of models, each one's prediction a column for the next (PMML 4.4 §Segmentation modelChain).

Every link is evaluated on every row (its Segment's predicate TRUE): its predicted value, the
probability of one category, or an expression over the columns so far, becomes a named column
that later links read as an input, and the last model's prediction is the chain's. A missing
figure stays missing, so a later model given it predicts nothing (PMML 4.4
missingPredictionTreatment continue; and returnMissing for the linear models the lift then
accepts as links and ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.ir.expressions import Derive, Expr, references
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Chain", "Link"]


@dataclass(frozen=True)
class Link:
    """``model``'s ``part`` ("value", or "probability" of ``category``) as the column ``name``; or,
    with ``expression`` set, that expression over the columns so far (an OutputField transformedValue)."""

    name: str
    model: ModelStep
    part: str = "value"
    category: Any = None
    expression: Expr | None = None

    def __post_init__(self) -> None:
        if self.part not in ("value", "probability", "expression") or (self.part == "expression") != (
            self.expression is not None
        ):
            raise ValueError(f"a chain link gives a value, a probability or an expression, not {self.part!r}")

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
        for link in self.links:
            reads = sorted(references(link.expression)) if link.expression is not None else link.model.inputs
            read += [c for c in reads if c not in made]
            made.add(link.name)
        read += [c for c in self.model.inputs if c not in made]
        return tuple(dict.fromkeys(read))

    @property
    def classes(self) -> tuple[Any, ...] | None:
        """The last model's categories (a classification chain's)."""
        return getattr(self.model, "classes", None)

    def predict(self, env: Env) -> Prediction:
        scope = dict(env)
        done: dict[int, Prediction] = {}  # each link model predicts once (a segment may give several figures)
        for link in self.links:
            if link.expression is not None:
                Derive((link.name,), link.expression, "double").apply(scope)
                continue
            if id(link.model) not in done:
                done[id(link.model)] = link.model.predict(scope).finish()
            scope[link.name] = link.figure(done[id(link.model)])
        return self.model.predict(scope)
