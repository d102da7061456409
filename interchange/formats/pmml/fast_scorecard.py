"""PMML 4.4 §Scorecard on the fast path: initialScore plus, per Characteristic, the
partialScore of its first Attribute whose predicate is TRUE (or a ComplexPartialScore
expression); reason codes ranked by points below (or above) the baseline score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import INERT, compiler, current
from interchange.formats.pmml.fast_expressions import elements, expression
from interchange.formats.pmml.fast_outputs import REASONS
from interchange.formats.pmml.fast_predicates import PREDICATES, find_predicate, predicate
from interchange.formats.pmml.fast_scope import Scope, num
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

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        n = env.n
        total = np.full(n, self.initial)
        points = np.zeros((n, len(self.codes)))
        for ch in self.characteristics:
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
                for j in range(len(self.codes)):
                    points[:, j] += np.where(code == j, np.nan_to_num(diff), 0.0)
        extra: dict[str, np.ndarray] = {}
        if self.reasons:
            # highest points first; pypmml 1.5.8 lists only codes with positive points and
            # puts the later of two equal codes first (measured)
            k = len(self.codes)
            order = (k - 1) - np.argsort(-points[:, ::-1], axis=1, kind="stable")
            ranked = np.asarray(self.codes, dtype=object)[order]
            ranked[np.take_along_axis(points, order, axis=1) <= 0] = None
            ranked[np.isnan(total)] = None
            extra[REASONS] = ranked
        return Prediction(value=total, extra=extra)


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
