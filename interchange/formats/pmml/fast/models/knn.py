"""PMML 4.4 §KNN (NearestNeighborModel) on the fast path.

The k closest training instances (ties: the earlier instance), then average, median or
majorityVote (ties: most training cases, then the lexically smallest category). OutputField
entityId with rank r names the r-th nearest instance. A row with a missing KNNInput has no
prediction and no neighbours (pypmml: every output missing).

TrainingInstances isTransformed="true" holds the values of the KNNInputs after the
document's transformations; it is read only where that changes nothing: every KNNInput and the
target are DataFields (no derived field, and _check_schema declines MiningSchema treatments).
InlineTable cells may sit in another namespace (JPMML writes ``column="data:x1"`` with
``<data:x1>`` cells).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import _check_schema, compiler, current
from interchange.formats.pmml.fast.models.families import _BASE, _classes, _elements, _measure, _only, _root, _target
from interchange.formats.pmml.fast.outputs import ENTITY
from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local
from interchange.ir.distances import distances
from interchange.ir.graph import Env, ModelStep, Prediction, Step, matrix
from interchange.ir.neighbors import NearestNeighbors

__all__: list[str] = []


@dataclass(frozen=True)
class _Neighbours(NearestNeighbors):
    """NearestNeighbors with PMML's missing inputs (no prediction) and neighbour ids."""

    ids: tuple[str, ...] = ()  # instance ids, for OutputField entityId; empty: not asked for
    shares: bool = False  # probability outputs asked for

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.inputs)
        bad = np.isnan(X).any(axis=1)
        if self.shares and len(self.points) > self.k:
            # which of several training points at the k-th distance are neighbours is not fixed,
            # and the vote shares depend on it: such a batch goes to pypmml
            d = distances(np.where(bad[:, None], 0.0, X)[:, None, :], np.asarray(self.points)[None, :, :], self.metric, self.p)
            kth = np.partition(d, self.k - 1, axis=1)[:, self.k - 1 : self.k]
            tied = d == kth
            t = np.asarray(self.targets, dtype=np.float64)
            ambiguous = ((d < kth).sum(axis=1) + tied.sum(axis=1) > self.k) & (
                np.where(tied, t, np.inf).min(axis=1) != np.where(tied, t, -np.inf).max(axis=1)
            )
            if (ambiguous & ~bad).any():
                raise Defer("training points of different categories tied at the k-th neighbour's distance")
        pred = super().predict({n: np.where(bad, 0.0, X[:, j]) for j, n in enumerate(self.inputs)})
        extra = dict(pred.extra)
        if self.ids:
            idx, _ = self.neighbours(np.where(bad[:, None], 0.0, X))
            found = np.asarray(self.ids, dtype=object)[idx]
            found[bad] = None
            extra[ENTITY] = found
        return replace(pred, extra=extra).blank(bad)


def _columns(instances: etree._Element) -> dict[str, str]:
    """field -> the tag of its InlineTable cells (a prefixed column: that namespace's tag)."""
    out = {}
    for f in children(child(instances, "InstanceFields"), "InstanceField"):
        column = f.get("column") or f.get("field")
        if ":" in column:
            prefix, name = column.split(":", 1)
            ns = f.nsmap.get(prefix)
            if ns is None:
                raise NotCovered(f"InstanceField column {column} with an undeclared prefix")
            column = name if ns == etree.QName(f).namespace else f"{{{ns}}}{name}"
        out[f.get("field")] = column
    return out


def _cell_key(cell: etree._Element, row: etree._Element) -> str:
    ns = etree.QName(cell).namespace
    return local(cell) if ns == etree.QName(row).namespace else f"{{{ns}}}{local(cell)}"


@compiler("NearestNeighborModel")
def _knn(model: etree._Element, steps: list[Step]) -> ModelStep:
    _check_schema(model)
    # probability outputs: each class's share of the k neighbours' votes, as JPMML-Evaluator
    # gives them (pypmml 1.5.8 returns them missing; PMML 4.4 does not define them for k-NN)
    _only(model, _BASE | {"TrainingInstances", "ComparisonMeasure", "KNNInputs"})
    metric, p = _measure(child(model, "ComparisonMeasure"))
    knn_inputs = children(child(model, "KNNInputs"), "KNNInput")
    for ki in knn_inputs:
        if ki.get("fieldWeight", "1") not in ("1", "1.0") or ki.get("compareFunction", "absDiff") != "absDiff":
            raise NotCovered("KNNInput with a field weight or compare function")
    inputs = tuple(ki.get("field") for ki in knn_inputs)
    instances = child(model, "TrainingInstances")
    target = _target(model)
    if instances is None:
        raise NotCovered("NearestNeighborModel without TrainingInstances")
    if instances.get("isTransformed", "false") != "false" and any(f not in current().fields for f in (*inputs, target)):
        raise NotCovered("TrainingInstances isTransformed over derived fields")
    column = _columns(instances)
    table = child(instances, "InlineTable")
    id_field = model.get("instanceIdVariable")
    if table is None or target not in column or any(f not in column for f in inputs) or id_field not in (None, *column):
        raise NotCovered("TrainingInstances without an InlineTable holding every input and the target")
    rows = [{_cell_key(c, r): (c.text or "").strip() for c in _elements(r)} for r in children(table, "row")]
    points = np.array([[float(r[column[f]]) for f in inputs] for r in rows])
    values = [r[column[target]] for r in rows]
    k = int(model.get("numberOfNeighbors"))
    ids = _ids(model, rows, column, k)
    common: dict[str, Any] = {"points": points, "k": k, "metric": metric, "p": p, "ids": ids}
    if model.get("functionName") == "regression":
        method = model.get("continuousScoringMethod", "average")
        if method not in ("average", "median"):
            raise NotCovered(f"continuousScoringMethod={method}")
        targets = np.array([float(v) for v in values])
        return _Neighbours(inputs, targets=targets, weights="median" if method == "median" else "uniform", **common)
    if model.get("functionName") != "classification" or model.get("categoricalScoringMethod", "majorityVote") != "majorityVote":
        raise NotCovered("k-NN other than majorityVote classification or average/median regression")
    classes = _classes(model, _root(model), target)
    for v in values:
        if v not in classes:
            classes.append(v)
    targets = np.array([classes.index(v) for v in values])
    out = child(model, "Output")
    shares = any(f.get("feature") == "probability" for f in children(out, "OutputField")) if out is not None else False
    return _Neighbours(inputs, targets=targets, classes=tuple(classes), tie="pmml", shares=shares, **common)


def _ids(model: etree._Element, rows: list[dict[str, str]], column: dict[str, str], k: int) -> tuple[str, ...]:
    """Instance ids when an OutputField entityId asks for them: the instanceIdVariable's
    column, else the 1-based row number (pypmml)."""
    out = child(model, "Output")
    fields = children(out, "OutputField") if out is not None else []
    ranks = [int(f.get("rank", "1")) for f in fields if f.get("feature") == "entityId"]
    if not ranks:
        return ()
    if max(ranks) > k or min(ranks) < 1:
        raise NotCovered("OutputField entityId rank outside 1..numberOfNeighbors")
    id_field = model.get("instanceIdVariable")
    if id_field is None:
        return tuple(str(i + 1) for i in range(len(rows)))
    return tuple(r[column[id_field]] for r in rows)
