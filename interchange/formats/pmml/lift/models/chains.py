"""PMML 4.4 §Segmentation modelChain lifted into the IR.

Boosting written as a chain (segments summing trees into raw scores, then a RegressionModel
reading them through identity, logit or softmax) folds into one TreeEnsemble; any other chain
becomes a ``Chain`` (ir.chain): each segment's predictedValue / probability / transformedValue
OutputFields are columns of the later segments where its predicate is TRUE, and the chain's
prediction is the last fired segment's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.ir.expressions import lift_expression, path_of
from interchange.formats.pmml.read.ir.predicates import PREDICATES, find_predicate, lift_predicate
from interchange.ir.combine.chain import Chain, ChainSegment
from interchange.ir.combine.chain import Link as ChainLink
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.general import GeneralizedLinear, NormalizedClassifier
from interchange.ir.models.linear import Regression
from interchange.ir.trees.ensemble import TreeEnsemble

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_chain"]


def _affine(expr: Expr, raws: dict[str, tuple[TreeEnsemble, float, float]]) -> tuple[TreeEnsemble, float, float] | None:
    """``a * raw + b`` over one earlier raw score, as (ensemble, a * its a, a * its b + b)."""
    if isinstance(expr, Ref):
        return raws.get(expr.name)
    if isinstance(expr, Call) and expr.function in ("+", "-", "*") and len(expr.args) == 2 and expr.fill is None:
        x, y = expr.args
        if isinstance(x, Const) and expr.function in ("+", "*"):
            x, y = y, x
        if not (isinstance(y, Const) and isinstance(y.value, float)):
            return None
        inner = _affine(x, raws)
        if inner is None:
            return None
        ens, a, b = inner
        v = y.value
        if expr.function == "*":
            return ens, a * v, b * v
        return ens, a, b + v if expr.function == "+" else b - v
    return None


def lift_chain(model: etree._Element, seg: etree._Element, lc: LiftContext) -> ModelStep:
    """A modelChain: folded into one TreeEnsemble when its links sum trees (_tree_chain), else
    each link's Output a column for the next (ir.chain, _linked)."""
    saved = (list(lc.steps), dict(lc.made), len(lc.reasons))
    try:
        return _tree_chain(model, seg, lc)
    except (Unliftable, NotCovered) as exc:
        lc.steps[:] = saved[0]
        lc.made = saved[1]
        del lc.reasons[saved[2] :]
        try:
            return _linked(model, seg, lc)
        except (Unliftable, NotCovered):
            raise exc from None


_LINKED = (Regression, GeneralizedLinear, NormalizedClassifier)  # a missing input gives a missing prediction


def _linked(model: etree._Element, seg: etree._Element, lc: LiftContext) -> Chain:
    """A modelChain (JPMML-SkLearn's and nyoka's one-vs-rest classifiers, calibrations): each
    segment's predictedValue / probability / transformedValue OutputFields become columns of the
    later ones where its predicate is TRUE (ir.chain). A missing result goes on as a missing
    column (missingPredictionTreatment continue); under returnMissing, only chains of TRUE segments
    whose models give no prediction from a missing input (regressions), for which the two agree."""
    from interchange.formats.pmml.lift.models.elements import lift_model  # (models.py imports this module)

    strict = seg.get("missingPredictionTreatment", "continue") == "returnMissing"
    segments = children(seg, "Segment")
    parts: list[ChainSegment] = []
    for i, s in enumerate(segments):
        pred_el = find_predicate(s)
        inner = [c for c in elements(s) if local(c) not in PREDICATES]
        if len(inner) != 1 or s.get("weight", "1") not in ("1", "1.0"):
            raise Unliftable(path_of(s), "a modelChain Segment with a weight or several models")
        m = inner[0]
        when = None if local(pred_el) == "True" else lift_predicate(pred_el, lc.ctx)
        step = lift_model(m, lc)
        if strict and (when is not None or not isinstance(step, _LINKED)):
            raise Unliftable(path_of(m), "a returnMissing modelChain segment other than a TRUE regression model")
        last = i == len(segments) - 1
        parts.append(ChainSegment(step, when, () if last else _chain_links(m, step, lc)))
    trues = [i for i, p in enumerate(parts) if p.when is None]
    function = model.get("functionName")
    for s in segments[trues[-1] if trues else 0 :]:
        inner = [c for c in elements(s) if local(c) not in PREDICATES][0]
        if inner.get("functionName") != function:  # a segment that may end the chain gives the chain's result
            raise Unliftable(path_of(inner), f"a {inner.get('functionName')} segment that may end a {function} modelChain")
    if len(parts) < 2:
        raise Unliftable(path_of(seg), "a modelChain of one segment")
    return Chain(tuple(parts), getattr(parts[-1].model, "classes", None))


def _chain_links(m: etree._Element, step: ModelStep, lc: LiftContext) -> tuple[ChainLink, ...]:
    """The figures a modelChain segment passes on: its OutputFields."""
    links = []
    out = child(m, "Output")
    classes = getattr(step, "classes", None)
    for of in children(out, "OutputField") if out is not None else []:
        feature, name = of.get("feature", "predictedValue"), str(of.get("name"))
        if feature == "predictedValue" and classes is None:
            links.append(ChainLink(name))
        elif feature == "probability" and of.get("value") is not None and classes is not None:
            links.append(ChainLink(name, "probability", of.get("value")))
        elif feature == "transformedValue" and len(elements(of)) == 1 and of.get("dataType", "double") == "double":
            links.append(ChainLink(name, "expression", expression=lift_expression(elements(of)[0], lc.ctx)))
        else:
            raise Unliftable(path_of(of), f"a modelChain segment's OutputField feature={feature}")
    return tuple(links)


def _tree_chain(model: etree._Element, seg: etree._Element, lc: LiftContext) -> ModelStep:
    """Boosting as a modelChain: segments summing trees into raw scores (Output fields), then a
    RegressionModel whose tables read them (identity, logit or softmax): one TreeEnsemble."""
    from interchange.formats.pmml.lift.models.elements import (  # (models.py imports this module)
        LiftContext,
        _segments_of,
        lift_model,
    )

    segments = _segments_of(seg)
    raws: dict[str, tuple[TreeEnsemble, float, float]] = {}
    for _, m in segments[:-1]:
        step = lift_model(m, lc)
        if not isinstance(step, TreeEnsemble) or step.classes is not None:
            raise Unliftable(path_of(m), "a modelChain segment other than a regression tree ensemble")
        out = child(m, "Output")
        for of in children(out, "OutputField") if out is not None else []:
            feature = of.get("feature", "predictedValue")
            if feature == "predictedValue":
                raws[of.get("name")] = (step, 1.0, 0.0)
            elif feature == "transformedValue" and len(elements(of)) == 1:
                form = _affine(lift_expression(elements(of)[0], lc.ctx), raws)
                if form is not None:
                    raws[of.get("name")] = form
    last = segments[-1][1]
    if local(last) != "RegressionModel":
        raise Unliftable(path_of(last), "a modelChain that does not end in a RegressionModel")
    final = lift_model(last, LiftContext(lc.ctx, lc.reasons, []))
    unknown = [c for c in final.inputs if c not in raws]
    if unknown:
        raise Unliftable(
            path_of(last), f"the chain's RegressionModel reads {unknown}, which are not raw scores of earlier segments"
        )
    if isinstance(final, GeneralizedLinear) and final.offset is None and final.trials is None:
        # XGBoost's reg:logistic / count:poisson: the link (normalizationMethod logit / exp) of the boosted sum,
        # a chain of the folded ensemble's value and the one-column linear model reading it
        coef = np.asarray(final.coef, dtype=np.float64)[None, :]
        summed = _fold(Regression(final.columns, coef, np.array([final.intercept])), raws)
        raw = "boosted-sum"
        tail = GeneralizedLinear((raw,), np.ones(1), 0.0, final.link, final.parameter)
        return Chain((ChainSegment(summed, None, (ChainLink(raw),)), ChainSegment(tail)))
    if not isinstance(final, Regression):
        raise Unliftable(path_of(last), f"a boosting chain ending in a {type(final).__name__}, which the IR cannot fold")
    return _fold(final, raws)


def _fold(final: Regression, raws: dict[str, tuple[TreeEnsemble, float, float]]) -> TreeEnsemble:
    from interchange.formats.pmml.lift.models.elements import _remapped  # (models.py imports this module)

    k = len(final.intercept)
    names: list[str] = []
    for ens, _, _ in raws.values():
        names += [f for f in ens.inputs if f not in names]
    trees = []
    base = np.asarray(final.intercept, dtype=np.float64).copy()
    for j in range(k):
        for i, col in enumerate(final.inputs):
            c = float(final.coef[j, i])
            if c == 0.0:
                continue
            ens, a, b = raws[col]
            own = 0.0 if ens.base is None else float(np.asarray(ens.base)[0])
            base[j] += c * (a * own + b)
            for t in ens.trees:
                value = np.zeros((len(t.feature), k))
                value[:, j] = np.asarray(t.value, dtype=np.float64)[:, 0] * (c * a)
                trees.append(_remapped(t, ens.inputs, names, value))
    if len({t.op for t in trees}) > 1:
        raise Unliftable("Segmentation", "trees of one chain with different comparison operators")
    return TreeEnsemble(tuple(names), tuple(trees), "sum", base=base, link=final.link, classes=final.classes)
