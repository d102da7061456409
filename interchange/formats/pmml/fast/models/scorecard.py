"""PMML 4.4 §Scorecard on the fast path: initialScore plus, per Characteristic, the
partialScore of its first Attribute whose predicate is TRUE (or a ComplexPartialScore
expression); reason codes ranked by points below (or above) the baseline score
(baselineMethod only says how the baselines were chosen: PMML 4.4 calls it informational).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.fast.expressions.compile import elements, expression
from interchange.formats.pmml.fast.expressions.predicates import PREDICATES, find_predicate, predicate
from interchange.formats.pmml.fast.outputs import REASONS
from interchange.formats.pmml.fast.scope import Scope, num
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step

__all__ = ["Scorecard"]


@dataclass(frozen=True)
class _Attribute:
    pred: Any
    score: Any  # float, or fn(scope) for a ComplexPartialScore
    code: str | None


@dataclass(frozen=True)
class _Characteristic:
    attributes: tuple[_Attribute, ...]
    baseline: float | None


@dataclass(frozen=True)
class Scorecard(ModelStep):
    initial: float
    characteristics: tuple[_Characteristic, ...]
    reasons: bool
    below: bool
    codes: tuple[str, ...]
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        n, k = env.n, len(self.codes)
        total = np.full(n, self.initial)
        points = np.zeros((n, k))
        first = np.full((n, k), len(self.characteristics))  # the first Characteristic giving a code points
        for i, ch in enumerate(self.characteristics):
            todo = np.ones(n, dtype=bool)
            partial = np.full(n, np.nan)
            code = np.full(n, -1)
            for a in ch.attributes:
                hit = todo & a.pred(env)[0]
                value = num(a.score(env)) if callable(a.score) else np.full(n, a.score)
                partial = np.where(hit, value, partial)
                if a.code is not None:
                    code = np.where(hit, self.codes.index(a.code), code)
                todo &= ~hit
            total = total + partial  # no Attribute matched: the score is missing
            if self.reasons and ch.baseline is not None:
                diff = (ch.baseline - partial) if self.below else (partial - ch.baseline)
                for j in range(k):  # summed per code in document order, as pypmml sums them
                    points[:, j] += np.where(code == j, diff, 0.0)
                    first[:, j] = np.where(code == j, np.minimum(first[:, j], i), first[:, j])
        extra: dict[str, np.ndarray] = {REASONS: np.full((n, 0), None, dtype=object)}
        if self.reasons:
            extra[REASONS] = _ranked(points, first, self.codes, np.isnan(total))
        return Prediction(value=total, extra=extra)


def _ranked(points: np.ndarray, first: np.ndarray, codes: tuple[str, ...], missing: np.ndarray) -> np.ndarray:
    """Reason codes per row, most points first (PMML 4.4 §Scorecard); a missing score has none.

    Equal points: the code of the Attribute or Characteristic that appears first in the
    document comes first (pypmml 1.5.8: reverse alphabetical order).
    pypmml: only codes with positive points are listed (followed); ranks past them are missing
    (pypmml 1.5.8 repeats the last code).
    """
    order = np.lexsort((first, -points), axis=-1)
    ranked = np.asarray(codes, dtype=object)[order]
    ranked[~(np.take_along_axis(points, order, axis=1) > 0)] = None
    ranked[missing] = None
    return ranked


@compiler("Scorecard")
def _scorecard(model: etree._Element, steps: list[Step]) -> ModelStep:
    ctx = current().ctx
    for el in elements(model):
        if local(el) not in INERT | {"Characteristics"}:
            raise NotCovered(f"<{local(el)}> in <Scorecard>")
    if model.get("functionName") != "regression":
        raise NotCovered(f"Scorecard functionName={model.get('functionName')}")
    reasons = model.get("useReasonCodes", "true") == "true"
    algorithm = model.get("reasonCodeAlgorithm", "pointsBelow")
    if algorithm not in ("pointsBelow", "pointsAbove"):
        raise NotCovered(f"reasonCodeAlgorithm={algorithm}")
    default_baseline = model.get("baselineScore")
    codes: list[str] = []
    chars = []
    for ch in children(child(model, "Characteristics"), "Characteristic"):
        attrs = []
        for a in children(ch, "Attribute"):
            for c in elements(a):
                if local(c) not in (*PREDICATES, "ComplexPartialScore"):
                    raise NotCovered(f"<{local(c)}> in Attribute")
            complex_score = child(a, "ComplexPartialScore")
            if complex_score is not None:
                body = elements(complex_score)
                if len(body) != 1:
                    raise NotCovered("ComplexPartialScore without one expression")
                score: Any = expression(body[0], ctx)
            elif a.get("partialScore") is not None:
                score = float(a.get("partialScore"))
            else:
                raise NotCovered("Attribute without partialScore")
            code = a.get("reasonCode") or ch.get("reasonCode")
            if reasons and code is None:
                raise NotCovered("a scorecard Attribute without a reason code")
            if code is not None and code not in codes:
                codes.append(code)
            attrs.append(_Attribute(predicate(find_predicate(a), ctx), score, code))
        baseline = ch.get("baselineScore", default_baseline)
        if reasons and baseline is None:
            raise NotCovered("reason codes without a baselineScore")
        chars.append(_Characteristic(tuple(attrs), None if baseline is None else float(baseline)))
    return Scorecard(float(model.get("initialScore", "0")), tuple(chars), reasons, algorithm == "pointsBelow", tuple(codes))
