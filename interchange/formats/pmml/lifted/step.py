"""A PMML model element evaluated through its lift: the IR's kernels over the fast path's scope.

The fast path keeps what is PMML's own (MiningSchema treatments, derived fields computed on
demand in nested scopes, Targets, Output); the model arithmetic is the IR step the lift builds
from the same element, after the design columns the lift derives (indicators, powers,
products) are computed into a child scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from interchange.formats.pmml.fast.engine import current
from interchange.formats.pmml.lift.models.elements import LiftContext
from interchange.formats.pmml.parse import NotCovered
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.graph import ModelStep, Prediction, Step
from interchange.ir.lifted import Unliftable

__all__ = ["OnIR", "lifted"]


@dataclass(frozen=True)
class OnIR(ModelStep):
    """The lift's transform ``steps`` and IR ``model`` of one model element."""

    steps: tuple[Step, ...]
    model: ModelStep
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        scope = env.child() if self.steps else env
        for step in self.steps:
            step.apply(scope)
        return self.model.predict(scope)


def lifted(model: etree._Element, lifter: Callable[[etree._Element, LiftContext], ModelStep]) -> OnIR:
    """``lifter(model, LiftContext)`` as a fast-path step; what does not lift is not covered."""
    lc = LiftContext(current().ctx, [], [])
    try:
        step = lifter(model, lc)
    except Unliftable as exc:
        raise NotCovered(str(exc)) from exc
    return OnIR(tuple(lc.steps), step)
