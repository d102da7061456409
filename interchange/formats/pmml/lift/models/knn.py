"""PMML 4.4 §KNN (NearestNeighborModel) lifted into the IR's NearestNeighbors.

The k closest training instances (ties: the earlier instance), then average, median or
majorityVote (ties: most training cases, then the lexically smallest category). The one parser
of the element: the lift uses it and the fast path evaluates what it builds (fast/models/knn.py
adds PMML's edges: neighbour ids for OutputField entityId, vote shares that a tie makes open).

A KNNInput may be a derived field (of the TransformationDictionary or the model's
LocalTransformations): its InstanceField column holds the derived values, which are compared
with the row's derived value as they are, whatever TrainingInstances isTransformed says (pypmml
1.5.8 and JPMML-Evaluator read both values so, measured). MiningSchema treatments (a
missingValueReplacement, ...) come before the model, as the lift's Treat / Impute steps, and on
the fast path as the outermost model's treatments (engine.SCOPED_INPUTS), as JPMML-Evaluator applies them.
InlineTable cells may sit in another namespace (JPMML writes ``column="data:x1"`` with
``<data:x1>`` cells).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from lxml import etree

from interchange.formats.pmml.lift.models.families import SCOPED, classes_of, elements, measure, only, target
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.models.neighbors import NearestNeighbors, NeighborIds

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_knn", "lift_knn_outputs", "instance_ids"]


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


def _table(model: etree._Element, inputs: tuple[str, ...]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The InlineTable's rows (cell tag -> text) and each field's cell tag."""
    instances = child(model, "TrainingInstances")
    if instances is None:
        raise NotCovered("NearestNeighborModel without TrainingInstances")
    column = _columns(instances)
    table = child(instances, "InlineTable")
    id_field = model.get("instanceIdVariable")
    if table is None or target(model) not in column or any(f not in column for f in inputs) or id_field not in (None, *column):
        raise NotCovered("TrainingInstances without an InlineTable holding every input and the target")
    return [{_cell_key(c, r): (c.text or "").strip() for c in elements(r)} for r in children(table, "row")], column


def lift_knn(model: etree._Element, lc: LiftContext) -> NearestNeighbors:
    """The k-NN of the element (its MiningSchema treatments are the lift's, or the fast path's, to check)."""
    only(model, SCOPED | {"TrainingInstances", "ComparisonMeasure", "KNNInputs"})
    metric, p = measure(child(model, "ComparisonMeasure"))
    knn_inputs = children(child(model, "KNNInputs"), "KNNInput")
    for ki in knn_inputs:
        if ki.get("fieldWeight", "1") not in ("1", "1.0") or ki.get("compareFunction", "absDiff") != "absDiff":
            raise NotCovered("KNNInput with a field weight or compare function")
    inputs = tuple(ki.get("field") for ki in knn_inputs)
    rows, column = _table(model, inputs)
    points = np.array([[float(r[column[f]]) for f in inputs] for r in rows])
    values = [r[column[str(target(model))]] for r in rows]
    k = int(model.get("numberOfNeighbors"))
    _entity_ranks(model, k)
    # PMML 4.4 §KNN: weighted methods weigh a neighbour by 1 / (distance + threshold), threshold 0.001 by default
    threshold = float(model.get("threshold", "0.001"))
    common: dict[str, Any] = {"points": points, "k": k, "metric": metric, "p": p, "threshold": threshold}
    if model.get("functionName") == "regression":
        method = model.get("continuousScoringMethod", "average")
        if method not in _CONTINUOUS:
            raise NotCovered(f"continuousScoringMethod={method}")
        targets = np.array([float(v) for v in values])
        return NearestNeighbors(inputs, targets=targets, weights=_CONTINUOUS[method], **common)
    method = model.get("categoricalScoringMethod", "majorityVote")
    if model.get("functionName") != "classification" or method not in _CATEGORICAL:
        raise NotCovered("k-NN other than classification by (weighted) majority vote or regression by average / median")
    classes = classes_of(model)
    for v in values:
        if v not in classes:
            classes.append(v)
    targets = np.array([classes.index(v) for v in values])
    return NearestNeighbors(inputs, targets=targets, classes=tuple(classes), tie="pmml", weights=_CATEGORICAL[method], **common)


_CONTINUOUS: dict[str, Literal["uniform", "distance", "median"]] = {
    "average": "uniform",
    "weightedAverage": "distance",
    "median": "median",
}
_CATEGORICAL: dict[str, Literal["uniform", "distance"]] = {"majorityVote": "uniform", "weightedMajorityVote": "distance"}


def lift_knn_outputs(model: etree._Element, lc: LiftContext) -> NearestNeighbors | NeighborIds:
    """:func:`lift_knn`, with the neighbour ids its OutputFields entityId ask for (ir.neighbors.NeighborIds)."""
    knn = lift_knn(model, lc)
    out = child(model, "Output")
    asked = [f for f in children(out, "OutputField") if f.get("feature") == "entityId"] if out is not None else []
    if not asked:
        return knn
    ranks = tuple((str(f.get("name")), int(f.get("rank", "1"))) for f in asked)
    return NeighborIds(knn, instance_ids(model, knn.k), ranks)


def _entity_ranks(model: etree._Element, k: int) -> list[int]:
    """The ranks OutputField entityId asks for (1..k)."""
    out = child(model, "Output")
    fields = children(out, "OutputField") if out is not None else []
    ranks = [int(f.get("rank", "1")) for f in fields if f.get("feature") == "entityId"]
    if ranks and (max(ranks) > k or min(ranks) < 1):
        raise NotCovered("OutputField entityId rank outside 1..numberOfNeighbors")
    return ranks


def instance_ids(model: etree._Element, k: int) -> tuple[str, ...]:
    """Instance ids when an OutputField entityId asks for them: the instanceIdVariable's
    column, else the 1-based row number (pypmml); empty when none asks."""
    if not _entity_ranks(model, k):
        return ()
    rows, column = _table(model, tuple(ki.get("field") for ki in children(child(model, "KNNInputs"), "KNNInput")))
    id_field = model.get("instanceIdVariable")
    if id_field is None:
        return tuple(str(i + 1) for i in range(len(rows)))
    return tuple(r[column[id_field]] for r in rows)
