"""A model step whose prediction also reports columns computed beside it.

PMML 4.4 §Output ``feature="transformedValue"``: an output field that is an expression over the
model's input and derived fields (the golden documents show derived fields this way; producers
report decision values or scaled scores). The expression is an ordinary Derive step of the graph;
:class:`Reported` hands its column to the output field of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Reported"]


@dataclass(frozen=True)
class Reported(ModelStep):
    """``model``'s prediction, with ``columns`` (output name, column name) as named extra figures."""

    model: ModelStep
    columns: tuple[tuple[str, str], ...]

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys((*self.model.inputs, *(c for _, c in self.columns))))

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env)
        for name, column in self.columns:
            pred.extra[name] = np.asarray(env[column])
        return pred
