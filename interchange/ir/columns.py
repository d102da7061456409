"""A document that computes named values with expressions only (no model family): its outputs
are columns the transform steps derived. PFA actions that build an output record from ``let``,
``if`` / ``cond`` and ``m.*`` lift into this."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Columns"]


@dataclass(frozen=True)
class Columns(ModelStep):
    """Output field ``outputs[i]`` is the column ``inputs[i]`` (given as ``Prediction.extra``)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def predict(self, env: Env) -> Prediction:
        return Prediction(extra={out: np.asarray(env[col]) for out, col in zip(self.outputs, self.inputs, strict=True)})
