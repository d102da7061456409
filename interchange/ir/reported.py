"""A model step whose prediction also reports figures computed from the inputs and the prediction.

PMML 4.4 §Output ``feature="transformedValue"``: an output field that is an expression over the
model's fields and the OutputFields before it (a predicted value, a category's probability).
Producers report decision values or scaled scores this way (our own IsolationForest document
turns the mean path length into the anomaly score), and the golden documents show derived fields.
:class:`Reported` evaluates the model, binds the named parts of its prediction, then each
expression in order (each sees the ones before it), as extra figures named by the output field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import ModelError
from interchange.ir.derive.expressions import Derive, Expr, references
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["Reported", "PARTS"]

PARTS = ("value", "label", "probability")


@dataclass(frozen=True)
class Reported(ModelStep):
    """``model``'s prediction, with extra figures.

    ``bindings``: (name, part, category) — the prediction's ``value``, ``label`` or the
    ``probability`` of ``category``, visible to the expressions by ``name``.
    ``expressions``: (name, expression, type) — computed in order, each visible to the next.
    ``replaces``: (name, part) — an expression that is the prediction's ``value``, ``label``
    or ``cluster`` (a document whose predicted label is computed from the model's score).
    """

    model: ModelStep
    bindings: tuple[tuple[str, str, Any], ...]
    expressions: tuple[tuple[str, Expr, str | None], ...]
    replaces: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for _, part, _ in self.bindings:
            if part not in PARTS:
                raise ValueError(f"a bound prediction part must be one of {PARTS}, not {part!r}")
        for _, part in self.replaces:
            if part not in ("value", "label", "cluster"):
                raise ValueError(f"an expression may replace the value, label or cluster, not {part!r}")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        own = {n for n, _, _ in self.bindings} | {n for n, _, _ in self.expressions}
        read = [r for _, e, _ in self.expressions for r in sorted(references(e)) if r not in own]
        return tuple(dict.fromkeys((*self.model.inputs, *read)))

    def predict(self, env: Env) -> Prediction:
        pred = self.model.predict(env).finish()
        scope = dict(env)
        for name, part, category in self.bindings:
            scope[name] = _part(pred, part, category)
        for name, expr, type_ in self.expressions:
            Derive((name,), expr, type_).apply(scope)  # (the expression converted to the field's type, as a derived field's)
            pred.extra[name] = scope[name]
        for name, part in self.replaces:
            setattr(pred, part, scope[name] if part == "value" else np.asarray(scope[name], dtype=object))
        return pred


def _part(pred: Prediction, part: str, category: Any) -> np.ndarray:
    got = getattr(pred, part if part != "probability" else "probabilities")
    if got is None:
        raise ModelError(f"the model gives no {part} for an output expression to read")
    if part != "probability":
        return np.asarray(got)
    classes = [str(c) for c in pred.classes or ()]
    if str(category) not in classes:
        raise ModelError(f"the model gives no probability of {category!r}")
    return np.asarray(got)[:, classes.index(str(category))]
