"""PMML 4.4 §RegressionModel on the fast path: NumericPredictor (with exponent),
CategoricalPredictor, PredictorTerm, every normalizationMethod for regression and for
binary and multiclass classification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.fast.expressions.compile import elements
from interchange.formats.pmml.fast.scope import Scope, keys, num
from interchange.formats.pmml.parse import NotCovered, children, local
from interchange.ir.graph import ModelStep, Prediction, Step, label_of
from interchange.ir.links import INVERSE_LINKS, simplemax, softmax

__all__ = ["Scores", "classify"]

Term = Callable[[Scope], np.ndarray]


def _term(p: etree._Element, numeric: Callable[[str], bool]) -> Term:
    tag = local(p)
    coef = float(p.get("coefficient"))
    name = p.get("name")
    if tag == "NumericPredictor":
        exponent = float(p.get("exponent", "1"))
        if not numeric(name):
            raise NotCovered(f"NumericPredictor over non-numeric field {name}")
        if exponent == 1:
            return lambda s: coef * num(s[name])
        return lambda s: coef * np.power(num(s[name]), exponent)
    if tag == "CategoricalPredictor":
        value = keys(np.array([float(p.get("value")) if numeric(name) else p.get("value")], dtype=object))[0]

        def indicator(s: Scope) -> np.ndarray:
            col = s[name]
            return coef * (keys(col) == value)  # PMML 4.4: a missing value matches no category: 0

        return indicator
    if tag == "PredictorTerm":
        refs = [r.get("field") for r in elements(p)]
        if not refs or any(local(r) != "FieldRef" or r.get("mapMissingTo") is not None for r in elements(p)):
            raise NotCovered("PredictorTerm with other than plain FieldRefs")
        if not all(numeric(r) for r in refs):
            raise NotCovered("PredictorTerm over non-numeric fields")
        return lambda s: coef * np.prod([num(s[r]) for r in refs], axis=0)
    raise NotCovered(f"<{tag}> in RegressionTable")


@dataclass(frozen=True)
class Scores(ModelStep):
    """One score per RegressionTable: intercept + sum of terms (a missing input: missing)."""

    tables: tuple[tuple[float, tuple[Term, ...]], ...]
    inputs: tuple[str, ...] = ()

    def raw(self, env: Scope) -> np.ndarray:
        out = np.empty((env.n, len(self.tables)))
        for j, (intercept, terms) in enumerate(self.tables):
            total = np.full(env.n, intercept)
            for t in terms:
                total = total + t(env)
            out[:, j] = total
        return out

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        return Prediction(value=self.raw(env)[:, 0])


def classify(y: np.ndarray, method: str) -> np.ndarray:
    """PMML 4.4 §Regression: class probabilities from one score per category."""
    with np.errstate(all="ignore"):
        if method == "softmax":
            return softmax(y)
        if method == "simplemax":
            return simplemax(y)
        # none / logit / probit / cloglog / loglog / cauchit: f(y_j) for all but the last
        # category, which takes 1 minus their sum.
        head = y[:, :-1] if method == "none" else INVERSE_LINKS[method](y[:, :-1])
        return np.column_stack([head, 1.0 - head.sum(axis=1)])


@dataclass(frozen=True)
class Classifier(ModelStep):
    scores: Scores
    method: str
    classes: tuple[str, ...]
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        y = self.scores.raw(env)
        probs = classify(y, self.method)
        probs[np.isnan(y).any(axis=1)] = np.nan  # one missing score: no probabilities at all
        return Prediction(classes=self.classes, probabilities=probs, label=label_of(probs, self.classes))


@dataclass(frozen=True)
class Regressor(ModelStep):
    scores: Scores
    method: str
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        y = self.scores.raw(env)[:, 0]
        if self.method in ("softmax", "logit"):
            y = INVERSE_LINKS["logit"](y)
        elif self.method != "none":
            with np.errstate(all="ignore"):
                y = INVERSE_LINKS[self.method](y)
        return Prediction(value=y)


@compiler("RegressionModel")
def _regression(model: etree._Element, steps: list[Step]) -> ModelStep:
    ctx = current().ctx
    method = model.get("normalizationMethod", "none")
    tables = children(model, "RegressionTable")
    for el in elements(model):
        if local(el) not in INERT | {"RegressionTable"}:
            raise NotCovered(f"<{local(el)}> in <RegressionModel>")
    compiled = tuple((float(t.get("intercept", "0")), tuple(_term(p, ctx.numeric) for p in elements(t))) for t in tables)
    scores = Scores(compiled)
    if model.get("functionName") == "regression":
        # pypmml 1.5.8 returns a missing value for regression with loglog: declined
        if len(tables) != 1 or method not in ("none", "softmax", "logit", "exp", "probit", "cloglog", "cauchit"):
            raise NotCovered(f"regression with {len(tables)} tables, normalizationMethod={method}")
        return Regressor(scores, method)
    classes = tuple(t.get("targetCategory") for t in tables)
    if None in classes or len(classes) < 2 or len(set(classes)) != len(classes):
        raise NotCovered("classification tables without distinct targetCategory")
    if method not in ("none", "simplemax", "softmax", "logit", "probit", "cloglog", "loglog", "cauchit"):
        raise NotCovered(f"classification normalizationMethod={method}")
    if method in INVERSE_LINKS and len(classes) > 2:
        # PMML 4.4 defines these links for binary (and ordinal) targets; pypmml 1.5.8 gives
        # missing values for three or more categories
        raise NotCovered(f"normalizationMethod={method} over {len(classes)} categories")
    target = _target_optype(model)
    if target == "ordinal" and method not in ("softmax", "simplemax"):
        raise NotCovered("ordinal target with a cumulative link")
    return Classifier(scores, method, classes)


def _target_optype(model: etree._Element) -> str | None:
    comp = current()
    for mf in children(children(model, "MiningSchema")[0], "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = comp.fields.get(mf.get("name"))
            return mf.get("optype") or (df.get("optype") if df is not None else None)
    return None
