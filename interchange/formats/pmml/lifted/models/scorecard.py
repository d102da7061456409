"""PMML 4.4 §Scorecard on the fast path, evaluated as the lift's IR step (ir.scorecard): the
initialScore plus, per Characteristic, the partialScore of its first Attribute whose predicate
is TRUE (or a ComplexPartialScore expression); reason codes ranked by points below (or above)
the baseline score (baselineMethod only says how the baselines were chosen: PMML 4.4 calls it
informational). What is the fast path's own: every rank of the reason codes, for Output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler
from interchange.formats.pmml.fast.outputs import REASONS
from interchange.formats.pmml.lift.models.rules import lift_scorecard
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import NotCovered, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.graph import ModelStep, Prediction, Step
from interchange.ir.models.scorecard import Scorecard

__all__: list[str] = []


@dataclass(frozen=True)
class _Ranked(ModelStep):
    """The IR scorecard asked for every rank; its reason codes as one (rows x codes) matrix."""

    card: Scorecard
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        pred = self.card.predict(env)
        ranks = [pred.extra.pop(name) for name, _ in self.card.reasons]
        ranked = np.column_stack(ranks) if ranks and self.card.use_codes else np.full((env.n, 0), None, dtype=object)
        pred.extra[REASONS] = ranked
        return pred


@compiler("Scorecard")
def _scorecard(model: etree._Element, steps: list[Step]) -> ModelStep:
    for el in elements(model):
        if local(el) not in INERT | {"Characteristics"}:
            raise NotCovered(f"<{local(el)}> in <Scorecard>")
    on_ir = lifted(model, lift_scorecard)
    card = on_ir.model
    if not isinstance(card, Scorecard):
        raise NotCovered(f"<Scorecard> lifts to {type(card).__name__}")
    every_rank = tuple((f"\0rank {r}", r) for r in range(len(card.codes)))
    return replace(on_ir, model=_Ranked(replace(card, reasons=every_rank)))
