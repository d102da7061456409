"""A PMML model element evaluated through its lift: the IR's kernels over the fast path's scope.

The fast path keeps what is PMML's own (MiningSchema treatments, derived fields computed on
demand in nested scopes, Targets, Output); the model arithmetic is the IR step the lift builds
from the same element, after the design columns the lift derives (indicators, powers,
products) are computed into a child scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import current
from interchange.formats.pmml.fast.scope import Scope
from interchange.formats.pmml.lift.models import LiftContext
from interchange.formats.pmml.parse import NotCovered
from interchange.ir.graph import ModelStep, Prediction, Step, label_of
from interchange.ir.lifted import Unliftable

__all__ = ["OnIR", "lifted"]


@dataclass(frozen=True)
class OnIR(ModelStep):
    """The lift's transform ``steps`` and IR ``model`` of one model element.

    ``order``: the categories in the document's order, where the IR holds them in another (a
    binary logit's second class first): a tie between probabilities goes to the first of them
    in the document, as pypmml picks it.
    """

    steps: tuple[Step, ...]
    model: ModelStep
    order: tuple[Any, ...] | None = None
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        scope = env.child() if self.steps else env
        for step in self.steps:
            step.apply(scope)
        pred = self.model.predict(scope)
        if self.order is not None and pred.probabilities is not None and pred.classes != self.order:
            at = [list(pred.classes or ()).index(c) for c in self.order]
            pred.label = label_of(np.asarray(pred.probabilities)[:, at], self.order)
        return pred


def lifted(
    model: etree._Element, lifter: Callable[[etree._Element, LiftContext], ModelStep], order: tuple[Any, ...] | None = None
) -> OnIR:
    """``lifter(model, LiftContext)`` as a fast-path step; what does not lift is not covered."""
    lc = LiftContext(current().ctx, [], [])
    try:
        step = lifter(model, lc)
    except Unliftable as exc:
        raise NotCovered(str(exc)) from exc
    return OnIR(tuple(lc.steps), step, order)
