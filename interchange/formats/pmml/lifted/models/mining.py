"""JPMML-SkLearn's multi-target MiningModel (x-multiModelChain, one regression segment per target)
on the fast path, evaluated through its lift (ir.select_all with targets): each target's output is
its segment's value. Registered in fast.models.mining's MULTI_TARGET (moved from there)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from interchange.formats.pmml.fast.models.mining import MULTI_TARGET
from interchange.formats.pmml.lift.models.elements import LiftContext
from interchange.formats.pmml.lift.models.segments import lift_segmentation
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import NotCovered
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.graph import ModelStep, Prediction

__all__: list[str] = []


def _multi_target(model: etree._Element, seg: etree._Element) -> ModelStep:
    """JPMML-SkLearn's multi-target MiningModel (x-multiModelChain, one segment per target) evaluated
    as its lift (ir.select_all with targets): each target's output is its segment's predicted value.
    What the lift refuses (a segment's own Output passed on, a classification) is not covered."""

    def lift(m: etree._Element, lc: LiftContext) -> ModelStep:
        step = lift_segmentation(m, seg, lc)
        if lc.reasons:
            raise NotCovered(str(lc.reasons[0]))
        return _Plain(step, step.inputs)

    return lifted(model, lift)


@dataclass(frozen=True)
class _Plain(ModelStep):
    """An IR step given a plain dict of the columns it reads: ir.chain copies its env into a dict, which
    keeps none of the fast path's Scope fields computed on demand (its inputs, derived fields)."""

    model: ModelStep
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        return self.model.predict({name: env[name] for name in self.inputs})


MULTI_TARGET["x-multiModelChain"] = _multi_target
