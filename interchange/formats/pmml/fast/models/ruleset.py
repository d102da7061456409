"""PMML 4.4 §RuleSetModel on the fast path: SimpleRule and CompoundRule, selected by the
first RuleSelectionMethod (firstHit, weightedSum or weightedMax); defaultScore when no rule
fires. Rules whose predicate is UNKNOWN do not fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import INERT, compiler, current
from interchange.formats.pmml.fast.expressions.compile import elements
from interchange.formats.pmml.fast.expressions.predicates import PREDICATES, find_predicate, predicate
from interchange.formats.pmml.fast.outputs import ENTITY
from interchange.formats.pmml.fast.scope import Scope
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step

__all__ = ["RuleSet"]


@dataclass(frozen=True)
class _Rule:
    preds: tuple[Any, ...]  # its own predicate and those of the CompoundRules around it
    score: str
    weight: float
    id: str | None


@dataclass(frozen=True)
class RuleSet(ModelStep):
    rules: tuple[_Rule, ...]
    criterion: str
    default: str | None
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]  # the fast path passes its Scope (an Env)
        n = env.n
        cache: dict[int, np.ndarray] = {}

        def fires(rule: _Rule) -> np.ndarray:
            out = np.ones(n, dtype=bool)
            for p in rule.preds:
                if id(p) not in cache:
                    cache[id(p)] = p(env)[0]
                out &= cache[id(p)]
            return out

        label = np.full(n, self.default, dtype=object)
        entity = np.full(n, None, dtype=object)
        if self.criterion == "firstHit":
            taken = np.zeros(n, dtype=bool)
            for r in self.rules:
                hit = fires(r) & ~taken
                label[hit], entity[hit] = r.score, r.id
                taken |= hit
        elif self.criterion == "weightedMax":
            best = np.full(n, -np.inf)
            for r in self.rules:
                hit = fires(r) & (r.weight > best)  # ties: the first rule keeps the win
                label[hit], entity[hit] = r.score, r.id
                best = np.where(hit, r.weight, best)
        else:  # weightedSum: the category with the largest total weight of fired rules
            scores = list(dict.fromkeys(r.score for r in self.rules))
            totals = np.zeros((n, len(scores)))
            for r in self.rules:
                totals[:, scores.index(r.score)] += np.where(fires(r), r.weight, 0.0)
            fired = totals.sum(axis=1) > 0
            winner = np.asarray(scores, dtype=object)[np.argmax(totals, axis=1)]
            label = np.where(fired, winner, label)
        return Prediction(label=label, extra={ENTITY: entity})


def _flatten(el: etree._Element, outer: tuple[Any, ...], ctx: Any, out: list[_Rule]) -> None:
    for r in elements(el):
        tag = local(r)
        if tag in PREDICATES or tag in ("RuleSelectionMethod", "ScoreDistribution"):
            continue
        if tag not in ("SimpleRule", "CompoundRule"):
            raise NotCovered(f"<{tag}> in a RuleSet")
        preds = (*outer, predicate(find_predicate(r), ctx))
        if tag == "CompoundRule":
            _flatten(r, preds, ctx, out)
            continue
        if children(r, "ScoreDistribution"):
            raise NotCovered("SimpleRule ScoreDistribution")
        out.append(_Rule(preds, r.get("score"), float(r.get("weight", "1")), r.get("id")))


@compiler("RuleSetModel")
def _ruleset(model: etree._Element, steps: list[Step]) -> ModelStep:
    ctx = current().ctx
    for el in elements(model):
        if local(el) not in INERT | {"RuleSet"}:
            raise NotCovered(f"<{local(el)}> in <RuleSetModel>")
    if model.get("functionName") != "classification":
        raise NotCovered(f"RuleSetModel functionName={model.get('functionName')}")
    out = child(model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature", "predictedValue") not in ("predictedValue", "transformedValue"):
            raise NotCovered(f"RuleSetModel OutputField feature={of.get('feature')}")
    rs = child(model, "RuleSet")
    if rs is None:
        raise NotCovered("RuleSetModel without a RuleSet")
    methods = children(rs, "RuleSelectionMethod")
    if not methods:
        raise NotCovered("RuleSet without RuleSelectionMethod")
    criterion = methods[0].get("criterion")
    if criterion not in ("firstHit", "weightedSum", "weightedMax"):
        raise NotCovered(f"RuleSelectionMethod criterion={criterion}")
    rules: list[_Rule] = []
    _flatten(rs, (), ctx, rules)
    fields = children(out, "OutputField") if out is not None else []
    if criterion == "weightedSum" and any(of.get("feature") == "entityId" for of in fields):
        raise NotCovered("entityId of a weightedSum rule set")
    return RuleSet(tuple(rules), criterion, rs.get("defaultScore"))
