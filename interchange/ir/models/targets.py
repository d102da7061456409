"""PMML 4.4 §Targets: a model's raw prediction post-processed into the target's units.

A regression's value is clamped to ``[min, max]``, rescaled (``value * rescaleFactor +
rescaleConstant``) and cast to an integer (round / ceiling / floor); where the model gives no
prediction a TargetValue's defaultValue stands in, not rescaled (it is in the target's units
already; pypmml agrees). A classification with no prediction (no label, or no probabilities)
takes the category of largest priorProbability, and the priors as its probabilities. A
TargetValue's displayValue is what ``predictedDisplayValue`` shows for its category (no
prediction shows none, as JPMML-Evaluator gives it; pypmml 1.5.8 shows the empty text).
The fast path post-processes with the same functions (``rescale``, ``with_priors``).

PMML 4.4 §Output ``feature="residual"`` (:class:`Residual`) reads the target's actual value, an
input then: a regression's actual minus predicted value (JPMML-Evaluator; pypmml 1.5.8 gives
predicted minus actual, its departure); a classification's 1 where the actual category is the
predicted one, else 0, minus the predicted category's probability (both engines). A missing
actual value has a missing residual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from interchange.errors import ModelError
from interchange.ir.graph import Env, ModelStep, Prediction
from interchange.ir.kernels.targets import no_prediction, rescale, residual_hits, residual_values, stand_in

__all__ = ["Targeted", "Residual", "rescale", "with_priors", "residuals"]

Cast = Literal["round", "ceiling", "floor"]  # (rescale: interchange.ir.kernels.targets, shared with generated code)


def with_priors(p: Prediction, priors: dict[str, float]) -> Prediction:
    """``p`` with the priors where the model gave no prediction (no label or no probabilities)."""
    if p.classes is None or p.label is None:
        return p
    none = no_prediction(p.label, p.probabilities)
    if not none.any():
        return p
    label, probs = stand_in(p.label, p.probabilities, p.classes, priors, none)
    return replace(p, label=label, probabilities=probs)


@dataclass(frozen=True)
class Targeted(ModelStep):
    """``model``'s prediction post-processed as its Target says (see the module docstring).

    ``priors``: (category, priorProbability) of a classification; ``display``: (category,
    displayValue); ``shown``: the output fields that report the predicted category's display value.
    """

    model: ModelStep
    low: float | None = None
    high: float | None = None
    factor: float = 1.0
    constant: float = 0.0
    cast: Cast | None = None
    default: float | None = None
    priors: tuple[tuple[str, float], ...] = ()
    display: tuple[tuple[str, str], ...] = ()
    shown: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.cast not in (None, "round", "ceiling", "floor"):
            raise ValueError(f"castInteger must be round, ceiling or floor, not {self.cast!r}")
        if self.priors:
            top = max(p for _, p in self.priors)
            if [p for _, p in self.priors].count(top) > 1:
                raise ValueError("tied largest priorProbability: no one category stands in")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    @property
    def classes(self) -> tuple[Any, ...] | None:
        """The categories of the wrapped model's prediction (None: a regression), in its order."""
        return getattr(self.model, "classes", None)

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step (and the model it wraps) give beside the prediction."""
        return (*getattr(self.model, "figures", ()), *self.shown)

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env).finish()
        if pred.classes is None and pred.value is not None:
            value = rescale(
                pred.value,
                low=self.low,
                high=self.high,
                factor=self.factor,
                constant=self.constant,
                cast=self.cast,
                default=self.default,
            )
            pred = replace(pred, value=value)
        elif self.priors:
            pred = with_priors(pred, dict(self.priors))
        if self.shown:
            names = dict(self.display)
            if pred.label is None:
                raise ModelError("a display value of a model that predicts no category")
            shown = np.array([None if v is None else names.get(str(v), v) for v in pred.label], dtype=object)
            pred.extra.update({name: shown for name in self.shown})
        return pred


def residuals(actual: np.ndarray, pred: Prediction) -> np.ndarray:
    """The residual of each row's prediction against the ``actual`` target values (see the module docstring)."""
    if pred.classes is None:
        if pred.value is None:
            raise ModelError("a residual of a model that predicts no value")
        return residual_values(actual, pred.value)
    if pred.label is None or pred.probabilities is None:
        raise ModelError("a residual of a classification that gives no label and probabilities")
    return residual_hits(actual, pred.label, pred.probabilities, pred.classes)


@dataclass(frozen=True)
class Residual(ModelStep):
    """``model``'s prediction with its residual against the input column ``target`` as the figures ``names``."""

    model: ModelStep
    target: str
    names: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(dict.fromkeys((*self.model.inputs, self.target)))

    @property
    def classes(self) -> tuple[Any, ...] | None:
        """The categories of the wrapped model's prediction (None: a regression), in its order."""
        return getattr(self.model, "classes", None)

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step (and the model it wraps) give beside the prediction."""
        return (*getattr(self.model, "figures", ()), *self.names)

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env).finish()
        got = residuals(np.asarray(env[self.target]), pred)
        pred.extra.update(dict.fromkeys(self.names, got))
        return pred
