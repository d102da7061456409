"""A chain of models, each one's figures columns for the next (PMML 4.4 §Segmentation modelChain).

Segments run in order. Each model is evaluated on every row; where its Segment's predicate is
TRUE its figures (its predicted value, the probability of one category, or an expression over
the columns so far) become named columns that later segments read as inputs, missing elsewhere.
The chain's prediction is, per row, that of the last segment whose predicate is TRUE (none: no
prediction). A missing figure stays missing, so a later model given it predicts nothing (PMML
4.4 missingPredictionTreatment continue; and returnMissing for the linear models the lift then
accepts, which give no prediction from a missing input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import num_rows
from interchange.errors import ModelError
from interchange.ir.combine.segmentation import first_fired
from interchange.ir.derive.expressions import Derive, Expr, references
from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Chain", "ChainSegment", "Link"]


@dataclass(frozen=True)
class Link:
    """A figure of its segment's prediction as the column ``name``: the ``part`` "value", the
    "probability" of ``category``, or with ``expression`` set that expression over the columns so far."""

    name: str
    part: str = "value"
    category: Any = None
    expression: Expr | None = None

    def __post_init__(self) -> None:
        expression = self.part == "expression"
        if self.part not in ("value", "probability", "expression") or expression != (self.expression is not None):
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
class ChainSegment:
    """One model of a chain, the predicate that selects it (None: TRUE) and the figures it passes on."""

    model: ModelStep
    when: Predicate | None = None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Chain(ModelStep):
    """``segments`` in order (see the module docstring); ``classes`` of a classification chain."""

    segments: tuple[ChainSegment, ...]
    classes: tuple[Any, ...] | None = None

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        made: set[str] = set()
        read: list[str] = []
        for seg in self.segments:
            reads = [*(predicate_fields(seg.when) if seg.when is not None else ()), *seg.model.inputs]
            read += [c for c in reads if c not in made]
            for link in seg.links:  # (an expression may read the segment's earlier figures)
                read += [c for c in sorted(references(link.expression)) if c not in made] if link.expression is not None else []
                made.add(link.name)
        return tuple(dict.fromkeys(read))

    def predict(self, env: Env) -> Prediction:
        scope = dict(env)
        n = num_rows(env)
        results, on = [], []
        for seg in self.segments:
            fired = truth(seg.when, scope, n)[0] if seg.when is not None else np.ones(n, dtype=bool)
            pred = seg.model.predict(scope).finish()
            for link in seg.links:
                if link.expression is not None:
                    Derive((link.name,), link.expression, "double").apply(scope)
                else:
                    scope[link.name] = link.figure(pred)
                scope[link.name] = np.where(fired, np.asarray(scope[link.name], dtype=np.float64), np.nan)
            results.append(pred)
            on.append(fired)
        return first_fired(results[::-1], on[::-1], self.classes, n)
