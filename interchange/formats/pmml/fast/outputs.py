"""PMML 4.4 §Targets and §Output on the fast path.

Targets post-process a model's raw prediction (min / max, rescaleFactor, rescaleConstant,
castInteger; TargetValue displayValue, and priorProbability / defaultValue from fast_priors).
OutputFields are computed in document order, each visible by name to later transformedValue
expressions, the way the specification orders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.priors import fallbacks, with_priors
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import Ctx, checked_cast, elements, expression
from interchange.formats.pmml.read.scope import Fn, Scope, keys, num
from interchange.ir.graph import Prediction
from interchange.ir.models.targets import rescale, residuals

__all__ = ["targets", "output_fields", "blank", "OutputFn", "ENTITY", "REASONS", "CONFIDENCE", "SEGMENTS", "AFFINITY"]

ENTITY = "\0entityId"  # Prediction.extra key: the winning node / rule id per row
REASONS = "\0reasonCodes"  # Prediction.extra key: (rows x k) reason codes, best first
CONFIDENCE = "\0confidence"  # Prediction.extra key: the confidence of the prediction per row
SEGMENTS = "\0segments"  # Prediction.extra key: {Segment id: (rows where it fired, its Prediction)}
AFFINITY = "\0affinity"  # Prediction.extra key: (cluster ids, rows x clusters distances)
OutputFn = Callable[[Prediction, Scope], np.ndarray]


def field_display(model: etree._Element) -> dict[str, str]:
    """The display values the target's DataField gives its categories (Value displayValue): what
    predictedDisplayValue shows where no TargetValue names one (PMML 4.4 §Output; JPMML-Evaluator,
    measured: tree_boolean_no_header shows "Large"; pypmml 1.5.8 shows nothing)."""
    schema = child(model, "MiningSchema")
    names = [mf.get("name") for mf in children(schema, "MiningField") if mf.get("usageType") in ("target", "predicted")]
    dictionary = child(model.getroottree().getroot(), "DataDictionary")
    if len(names) != 1 or dictionary is None:
        return {}
    for df in children(dictionary, "DataField"):
        if df.get("name") == names[0]:
            shown = [v for v in children(df, "Value") if v.get("displayValue") is not None]
            return {str(v.get("value")): str(v.get("displayValue")) for v in shown}
    return {}


def targets(model: etree._Element) -> tuple[Callable[[Prediction], Prediction], dict[str, str]]:
    """The Targets post-processing of ``model`` and its display values (value -> displayValue:
    the TargetValue's, else the target DataField's Value's)."""
    el = child(model, "Targets")
    if el is None:
        return (lambda p: p), field_display(model)
    found = children(el, "Target")
    if len(found) != 1:
        raise NotCovered(f"{len(found)} Target elements")
    t = found[0]
    display = field_display(model)
    for tv in children(t, "TargetValue"):
        if elements(tv):
            raise NotCovered("TargetValue with a Partition")
        if tv.get("displayValue") is not None:
            display[tv.get("value")] = tv.get("displayValue")
    default, priors = fallbacks(model, t)  # PMML 4.4: stand-ins for no prediction
    factor, const = float(t.get("rescaleFactor", "1")), float(t.get("rescaleConstant", "0"))
    low, high = t.get("min"), t.get("max")
    how = t.get("castInteger")
    if how not in (None, "round", "ceiling", "floor"):
        raise NotCovered(f"Target castInteger={how}")

    def post(p: Prediction) -> Prediction:
        if p.value is None or p.classes is not None:
            return with_priors(p, priors) if priors else p
        bounds = {"low": None if low is None else float(low), "high": None if high is None else float(high)}
        # (the default is not rescaled: pypmml 1.5.8, measured)
        return replace(p, value=rescale(p.value, **bounds, factor=factor, constant=const, cast=how, default=default))

    numeric_change = factor != 1 or const != 0 or low is not None or high is not None or how is not None
    if numeric_change and model.get("functionName") != "regression":
        raise NotCovered("Target rescaling of a classification")
    return post, display


def _index(classes: list[str], value: str | None) -> int:
    return _class_index(tuple(classes), type(value).__name__, value)  # the type too: True == 1, but their keys differ


@lru_cache(maxsize=1024)
def _class_index(classes: tuple[str, ...], kind: str, value: Any) -> int:
    """Where ``value`` is among ``classes`` (as category keys; -1: not there), worked out once per classes and value."""
    k = keys(np.array([value], dtype=object))[0]
    for i, c in enumerate(classes):
        if keys(np.array([c], dtype=object))[0] == k:
            return i
    return -1


def _probability(value: str | None) -> OutputFn:
    def prob(p: Prediction, s: Scope) -> np.ndarray:
        if p.probabilities is None or p.classes is None:
            raise NotCovered("a probability output of a model without probabilities")
        classes = [str(c) for c in p.classes]
        if value is None:  # the probability of the predicted category
            if p.label is None:
                raise NotCovered("the probability of the predicted category of a model without labels")
            idx = np.array([_index(classes, v) for v in p.label], dtype=np.int64)
            got = p.probabilities[np.arange(s.n), np.maximum(idx, 0)]
            return np.where(idx >= 0, got, np.nan)
        i = _index(classes, value)
        return p.probabilities[:, i] if i >= 0 else np.where(np.isnan(p.probabilities[:, 0]), np.nan, 0.0)

    return prob


def output_fields(model: etree._Element, ctx: Ctx, features: set[str], display: dict[str, str]) -> list[tuple[str, OutputFn]]:
    """The model's OutputFields as (name, fn(prediction, scope)); ``features`` lists the
    features this model kind provides beyond predictedValue / probability / transformedValue."""
    out: list[tuple[str, OutputFn]] = []
    el = child(model, "Output")
    classification = model.get("functionName") == "classification"
    for of in children(el, "OutputField") if el is not None else []:
        name, feature = of.get("name"), of.get("feature", "predictedValue")
        segment = of.get("segmentId")
        if segment is not None and ("segmentId" not in features or feature not in ("predictedValue", "probability")):
            raise NotCovered(f"OutputField {name} segmentId with feature={feature} in <{local(model)}>")
        for attr in ("ruleFeature", "isMultiValued"):
            if of.get(attr) not in (None, "0", "consequent") or (attr == "ruleFeature" and feature == "ruleValue"):
                raise NotCovered(f"OutputField {name} {attr}")
        ranked = feature == "reasonCode" or (feature == "entityId" and "rankedEntityId" in features)
        if of.get("rank", "1") != "1" and not ranked:
            raise NotCovered(f"OutputField {name} rank")
        # <Value>s only declare the output's values, <Decisions> only describe a decision's
        body = [e for e in elements(of) if local(e) not in ("Value", "Decisions")]
        if feature in ("transformedValue", "decision"):  # PMML 4.4: a decision is computed by its expression
            if len(body) != 1:
                raise NotCovered(f"OutputField {name} {feature} without one expression")
            fn = expression(body[0], ctx)
            if of.get("dataType"):
                fn = checked_cast(body[0], fn, of.get("dataType"), ctx)
            out.append((name, _derived(fn)))
        elif body:
            raise NotCovered(f"OutputField {name} {feature} with child elements")
        elif feature == "predictedValue":
            out.append((name, _predicted(classification)))
        elif feature == "predictedDisplayValue" and classification:
            out.append((name, _display(display)))
        elif feature == "probability" and classification:
            out.append((name, _probability(of.get("value"))))
        elif feature == "entityId" and "rankedEntityId" in features:  # (rows x k), nearest first
            rank = int(of.get("rank", "1")) - 1
            out.append((name, _entity(rank)))
        elif feature == "entityId" and "entityId" in features:
            out.append((name, lambda p, s: p.extra[ENTITY]))
        elif feature in ("affinity", "entityAffinity") and "affinity" in features:
            # PMML 4.4: entityAffinity of a clustering model is the affinity to the cluster named
            # by value (else to the winning one), which is what affinity computes (pypmml agrees)
            out.append((name, _affinity(of.get("value"))))
        elif feature == "confidence" and "confidence" in features and classification:
            out.append((name, lambda p, s: p.extra[CONFIDENCE]))
        elif feature == "reasonCode" and "reasonCode" in features:
            rank = int(of.get("rank", "1")) - 1
            out.append((name, _reason(rank)))
        elif feature == "residual" and "residual" in features and segment is None and of.get("value") is None:
            out.append((name, _residual(_target_name(model), classification)))
        else:
            raise NotCovered(f"OutputField feature={feature} of <{local(model)}>")
        if segment is not None:  # the feature of that Segment's own result, missing where it did not fire
            out[-1] = (name, _of_segment(out[-1][1], segment))
        ctx.types[name] = of.get("dataType", "double" if feature not in ("entityId", "reasonCode") else "string")
    return out


def _target_name(model: etree._Element) -> str:
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            return str(mf.get("name"))
    raise NotCovered("OutputField residual of a model without a target field")


def _residual(target: str, classification: bool) -> OutputFn:
    """PMML 4.4 §Output residual, against the target's actual value (ir.targets.residuals)."""

    def run(p: Prediction, s: Scope) -> np.ndarray:
        if (p.label is None or p.probabilities is None) if classification else p.value is None:
            raise NotCovered("a residual output of a model that predicts no " + ("probabilities" if classification else "value"))
        actual = np.asarray(s[target])
        return residuals(num(actual) if not classification else actual, p)

    return run


def _affinity(value: str | None) -> OutputFn:
    """PMML 4.4 §Output affinity of a ClusteringModel: the distance to the cluster ``value``
    (no value: to the predicted cluster)."""

    def run(p: Prediction, s: Scope) -> np.ndarray:
        ids, d = p.extra[AFFINITY]
        names = [str(i) for i in ids]
        if value is not None:
            # (the ClusteringModel compiler declines an unknown cluster)
            return d[:, names.index(value)]
        if p.cluster is None:
            raise NotCovered("an affinity output of a model that predicts no cluster")
        idx = np.array([names.index(str(c)) if c is not None else -1 for c in p.cluster], dtype=np.int64)
        return np.where(idx >= 0, d[np.arange(s.n), np.maximum(idx, 0)], np.nan)

    return run


def _of_segment(fn: OutputFn, segment: str) -> OutputFn:
    def run(p: Prediction, s: Scope) -> np.ndarray:
        fired, result = p.extra[SEGMENTS][segment]  # the MiningModel compiler checked the id
        return blank(np.asarray(fn(result, s)), fired)

    return run


def blank(col: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``col`` with missing values where ``keep`` is False."""
    if keep.all():
        return col
    if col.dtype.kind in "fiub":
        return np.where(keep, col.astype(np.float64), np.nan)
    out = col.astype(object).copy()
    out[~keep] = None
    return out


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _derived(fn: Fn) -> OutputFn:
    """A transformedValue / decision output: its expression over the model's scope."""
    return lambda p, s: fn(s)


def _predicted(classification: bool) -> OutputFn:
    def predicted(p: Prediction, s: Scope) -> np.ndarray:
        got = p.label if classification else p.value
        if got is None:
            raise NotCovered("a predictedValue output of a model that predicts none")
        return got

    return predicted


def _display(display: dict[str, str]) -> OutputFn:
    """predictedDisplayValue; no prediction shows none (JPMML-Evaluator; pypmml 1.5.8 shows the empty text)."""

    def shown(p: Prediction, s: Scope) -> np.ndarray:
        if p.label is None:
            raise NotCovered("a predictedDisplayValue output of a model that predicts no label")
        return np.array([None if v is None else display.get(v, v) for v in p.label], dtype=object)

    return shown


def _entity(rank: int) -> OutputFn:
    """The id of the ``rank``-th nearest neighbour (rows x k ids, nearest first)."""
    return lambda p, s: p.extra[ENTITY][:, rank]


def _reason(rank: int) -> OutputFn:
    """The ``rank``-th reason code; missing past the last one."""
    return lambda p, s: p.extra[REASONS][:, rank] if rank < p.extra[REASONS].shape[1] else _nones(s.n)
