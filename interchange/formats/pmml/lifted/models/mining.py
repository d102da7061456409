"""MiningModels the fast path evaluates through their lift, registered in fast.models.mining:
JPMML-SkLearn's multi-target MiningModel (x-multiModelChain, one regression segment per target; ir.select_all
with targets: each target's output is its segment's value) in MULTI_TARGET, and x-mathContext="float"
boosted trees (the lift's float arithmetic, JPMML-Evaluator's) in MATH_CONTEXT."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from lxml import etree

from interchange.formats.pmml.fast.models.mining import MATH_CONTEXT, MULTI_TARGET
from interchange.formats.pmml.lift.models.elements import LiftContext, lift_model
from interchange.formats.pmml.lift.models.precision import computes_in_float
from interchange.formats.pmml.lift.models.segments import lift_segmentation
from interchange.formats.pmml.lifted.step import OnIR, lifted
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


def _in_float(model: etree._Element) -> ModelStep | None:
    """x-mathContext="float" (JPMML-SkLearn's boosted trees): the lift's steps, which compute JPMML-Evaluator's
    float arithmetic (formats/pmml/lift/models/precision.py), where they do; else None (the double path)."""
    if _LIFTING.get() or not computes_in_float(model):  # (the lift compiles its trees here: no loop)
        return None

    def lift(m: etree._Element, lc: LiftContext) -> ModelStep:
        step = lift_model(m, lc)
        return _Plain(step, step.inputs)

    token = _LIFTING.set(True)
    try:
        return _Folded(lifted(model, lift))
    except (NotCovered, ValueError):  # what the lift does not hold: the double path
        return None
    finally:
        _LIFTING.reset(token)


@dataclass(frozen=True)
class _Folded(ModelStep):
    """The lifted model element, which folded its Targets (a rescaleConstant) in: the engine adds none."""

    on: OnIR
    inputs: tuple[str, ...] = ()
    holds_targets: bool = True

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        return self.on.predict(env)


_LIFTING: ContextVar[bool] = ContextVar("pmml_fast_lifting_float", default=False)

MULTI_TARGET["x-multiModelChain"] = _multi_target
MATH_CONTEXT["float"] = _in_float
