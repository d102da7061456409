"""PMML 4.4 §MiningModel / §Segmentation on the fast path.

Segments with predicates and weights, nested models (MiningModels inside segments), and
multipleModelMethod sum, weightedSum, average, weightedAverage, median, max, majorityVote,
weightedMajorityVote, selectFirst and modelChain. A forest or boosted sum of plain binary
trees (all segments True, no per-segment transformations) packs into one flat TreeEnsemble.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import INERT, Scoped, compile_model, compiler, current
from interchange.formats.pmml.fast_expressions import elements
from interchange.formats.pmml.fast_predicates import PREDICATES, find_predicate, predicate
from interchange.formats.pmml.fast_regression import label_of
from interchange.formats.pmml.fast_scope import Scope
from interchange.formats.pmml.fast_trees import FlatTree, target_classes
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step, matrix
from interchange.ir.trees import Tree, TreeEnsemble

__all__ = ["Segments"]

# pypmml 1.5.8 refuses max for regression, returns its own columns (not the Output) for
# selectFirst, sorts a missing segment result into median, and divides weightedMajorityVote's
# weighted votes by the number of segments: those four are declined.
_REGRESSION = ("sum", "weightedSum", "average", "weightedAverage", "modelChain")
_CLASSIFICATION = ("majorityVote", "average", "weightedAverage", "modelChain")


@dataclass(frozen=True)
class Segments(ModelStep):
    """Evaluate each segment where its predicate is TRUE and combine the results."""

    method: str
    preds: tuple[Any, ...]
    weights: tuple[float, ...]
    models: tuple[Scoped, ...]
    classes: tuple[str, ...] | None
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        on = [p(env)[0] for p in self.preds]
        if self.method == "modelChain":
            pred = Prediction()
            for m in self.models:
                pred, scope = m.run(env)
                done = m.output_scope(pred, scope)
                for name, _ in m.outputs:
                    env[name] = done[name]  # later segments see this segment's Output fields
            return _where(pred, on[-1], self.classes)
        results = [m.predict(env) for m in self.models]
        if self.method == "selectFirst":
            return _select_first(results, on, self.classes, env.n)
        if self.classes is None:
            return Prediction(value=self._regression(results, on, env.n))
        return self._classification(results, on, env.n)

    def _regression(self, results: list[Prediction], on: list[np.ndarray], n: int) -> np.ndarray:
        v = np.column_stack([np.where(a, r.value, np.nan) for r, a in zip(results, on, strict=True)])
        used = np.column_stack(on)
        w = np.array(self.weights)[None, :] * used
        anyone = used.any(axis=1)
        with np.errstate(all="ignore"):
            vz = np.where(used, v, 0.0)
            if self.method == "sum":
                out = vz.sum(axis=1)
            elif self.method == "weightedSum":
                out = (vz * w).sum(axis=1)
            elif self.method == "average":
                out = vz.sum(axis=1) / used.sum(axis=1)
            elif self.method == "weightedAverage":
                out = (vz * w).sum(axis=1) / w.sum(axis=1)
            elif self.method == "max":
                out = np.where(used, v, -np.inf).max(axis=1)
            else:  # median
                out = np.array([np.median(row[m]) if m.any() else np.nan for row, m in zip(v, used, strict=True)])
        # a missing result of an applicable segment makes the combination missing
        broken = (np.isnan(v) & used).any(axis=1)
        return np.where(anyone & ~broken, out, np.nan)

    def _classification(self, results: list[Prediction], on: list[np.ndarray], n: int) -> Prediction:
        assert self.classes is not None
        k = len(self.classes)
        total = np.zeros((n, k))
        weight = np.zeros(n)
        broken = np.zeros(n, dtype=bool)
        for r, a, w in zip(results, on, self.weights, strict=True):
            if self.method in ("majorityVote", "weightedMajorityVote"):
                vote = np.zeros((n, k))
                idx = _positions(r.label, self.classes)
                has = idx >= 0
                vote[np.flatnonzero(has), idx[has]] = 1.0
                broken |= a & ~has
                share = vote
            else:
                if r.probabilities is None or r.classes is None:
                    raise NotCovered("averaging segments without probabilities")
                share = _align(r, self.classes)
                broken |= a & np.isnan(share).any(axis=1)
            ww = w if self.method.startswith("weighted") else 1.0
            total += np.where(a[:, None], np.nan_to_num(share) * ww, 0.0)
            weight += np.where(a, ww, 0.0)
        with np.errstate(all="ignore"):
            probs = total / weight[:, None]
        probs[(weight == 0) | broken] = np.nan
        return Prediction(classes=self.classes, probabilities=probs, label=label_of(probs, self.classes))


def _positions(labels: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index.get(None if v is None else str(v), -1) for v in labels], dtype=np.int64)


def _align(r: Prediction, classes: tuple[str, ...]) -> np.ndarray:
    assert r.probabilities is not None and r.classes is not None
    mine = [str(c) for c in r.classes]
    out = np.zeros((r.probabilities.shape[0], len(classes)))
    for j, c in enumerate(classes):
        if c in mine:
            out[:, j] = r.probabilities[:, mine.index(c)]
    out[np.isnan(r.probabilities).any(axis=1)] = np.nan
    return out


def _where(pred: Prediction, on: np.ndarray, classes: tuple[str, ...] | None) -> Prediction:
    if on.all():
        return pred
    value = None if pred.value is None else np.where(on, pred.value, np.nan)
    probs = None if pred.probabilities is None else np.where(on[:, None], pred.probabilities, np.nan)
    label = None
    if pred.label is not None:
        label = pred.label.astype(object).copy()
        label[~on] = None
    return Prediction(classes=pred.classes, value=value, probabilities=probs, label=label)


def _select_first(results: list[Prediction], on: list[np.ndarray], classes: tuple[str, ...] | None, n: int) -> Prediction:
    taken = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    probs = np.full((n, len(classes)), np.nan) if classes else None
    for r, a in zip(results, on, strict=True):
        pick = a & ~taken
        if classes is None:
            value[pick] = r.value[pick]
        else:
            label[pick] = r.label[pick]
            if probs is not None and r.probabilities is not None:
                probs[pick] = _align(r, classes)[pick]
        taken |= pick
    if classes is None:
        return Prediction(value=value)
    return Prediction(classes=classes, probabilities=probs, label=label)


def _flat_ensemble(method: str, models: list[Scoped], classification: bool) -> ModelStep | None:
    """Plain binary trees summed or averaged: one flat TreeEnsemble (the benchmark's path)."""
    if classification and method != "average" or method not in ("sum", "average"):
        return None
    parts = []
    for m in models:
        if not isinstance(m.inner, FlatTree) or m.local or m.outputs or m.tag != "TreeModel":
            return None
        parts.append(m.inner)
    classes: list[str] = []
    for p in parts:
        classes += [c for c in p.flat.classes or () if c not in classes]
    names: list[str] = []
    for p in parts:
        names += [f for f in p.flat.inputs if f not in names]
    width = len(classes) if classification else 1
    trees = []
    for p in parts:
        t = p.flat.trees[0]
        value = np.zeros((len(t.feature), width))
        if classification:
            own = list(p.flat.classes or ())
            for j, c in enumerate(own):
                value[:, classes.index(c)] = t.value[:, j]
        else:
            value[:, 0] = t.value[:, 0]
        mapping = np.array([names.index(f) for f in p.flat.inputs] or [0])
        feature = np.where(t.feature >= 0, mapping[np.maximum(t.feature, 0)], -1)
        trees.append(Tree(feature, t.threshold, t.left, t.right, value, t.missing_left, t.op))
    if len({t.op for t in trees}) > 1:
        return None
    ensemble = TreeEnsemble(tuple(names), tuple(trees), method, classes=tuple(classes) if classification else None)  # type: ignore[arg-type]
    return FlatSegments(ensemble, any(p.needs_general_for_missing for p in parts))


@dataclass(frozen=True)
class FlatSegments(ModelStep):
    ensemble: TreeEnsemble
    needs_general_for_missing: bool
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        X = matrix(env, self.ensemble.inputs) if self.ensemble.inputs else np.empty((env.n, 0))  # a tree that is one leaf
        if self.needs_general_for_missing and np.isnan(X).any():
            raise _Slow
        pred = self.ensemble.predict_matrix(X)
        if pred.probabilities is not None and self.ensemble.classes is not None:
            pred.label = label_of(pred.probabilities, self.ensemble.classes)
        return pred


class _Slow(Exception):
    """Missing inputs reach trees whose flat form cannot route them: use the general path."""


@dataclass(frozen=True)
class FastOrGeneral(ModelStep):
    fast: FlatSegments
    general: Segments
    inputs: tuple[str, ...] = ()

    def predict(self, env: Scope) -> Prediction:  # type: ignore[override]
        try:
            return self.fast.predict(env)
        except _Slow:
            return self.general.predict(env)


@compiler("MiningModel")
def _mining(model: etree._Element, steps: list[Step]) -> ModelStep:
    ctx = current().ctx
    for el in elements(model):
        if local(el) not in INERT | {"Segmentation"}:
            raise NotCovered(f"<{local(el)}> in <MiningModel>")
    seg = child(model, "Segmentation")
    if seg is None:
        raise NotCovered("MiningModel without Segmentation")
    method = seg.get("multipleModelMethod")
    classification = model.get("functionName") == "classification"
    if method not in (_CLASSIFICATION if classification else _REGRESSION):
        raise NotCovered(f"Segmentation multipleModelMethod={method} for {model.get('functionName')}")
    if seg.get("missingPredictionTreatment", "continue") != "continue" or float(seg.get("missingThreshold", "1")) != 1:
        raise NotCovered("Segmentation missingPredictionTreatment / missingThreshold")
    for el in elements(seg):
        if local(el) != "Segment":
            raise NotCovered(f"<{local(el)}> in Segmentation")
    preds, weights, models = [], [], []
    for s in children(seg, "Segment"):
        preds.append(predicate(find_predicate(s), ctx))
        weights.append(float(s.get("weight", "1")))
        inner = [c for c in elements(s) if local(c) not in PREDICATES]
        if len(inner) != 1:
            raise NotCovered("Segment without exactly one model")
        models.append(compile_model(inner[0]))
    if not models:
        raise NotCovered("Segmentation without segments")
    if method == "modelChain" and not all(local(find_predicate(s)) == "True" for s in children(seg, "Segment")[:-1]):
        raise NotCovered("modelChain with segment predicates before the last segment")
    classes: tuple[str, ...] | None = None
    if classification:
        found = target_classes(model)
        for m in models:
            found += [c for c in _model_classes(m) if c not in found]
        classes = tuple(found)
    general = Segments(method, tuple(preds), tuple(weights), tuple(models), classes)
    plain = all(local(find_predicate(s)) == "True" and s.get("weight", "1") in ("1", "1.0") for s in children(seg, "Segment"))
    flat = _flat_ensemble(method, models, classification) if plain else None
    return general if flat is None else FastOrGeneral(flat, general)  # type: ignore[arg-type]


def _model_classes(m: Scoped) -> list[str]:
    for attr in ("classes",):
        value = getattr(m.inner, attr, None)
        if value:
            return [str(c) for c in value]
    flat = getattr(m.inner, "flat", None)
    return [str(c) for c in getattr(flat, "classes", None) or ()]
