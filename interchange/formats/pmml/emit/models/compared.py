"""ComparedCenter as PMML 4.4 §ClusteringModel measured field by field: each ClusteringField with its
compareFunction (absDiff, gaussSim with its similarityScale, delta, equal) and fieldWeight, the
measure (euclidean, squaredEuclidean, cityBlock, minkowski, chebychev) and MissingValueWeights:
the construct the lift read (formats/pmml/lift/models/families.py, compared_measure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.emit.models.families import _array, _measure, _mining_schema
from interchange.formats.pmml.emit.xmlbuild import E, num, text
from interchange.ir.models.compared import ComparedCenter
from interchange.signature import Signature

__all__ = ["compared_center", "compared_writers"]


def _field(name: str, function: str, scale: float, weight: float) -> etree._Element:
    attrs: dict[str, Any] = {"field": name, "compareFunction": function}
    if function == "gaussSim":
        attrs["similarityScale"] = num(scale)
    if weight != 1.0:
        attrs["fieldWeight"] = num(weight)
    return E("ClusteringField", attrs)


def compared_center(step: ComparedCenter, sig: Signature) -> etree._Element:
    """PMML 4.4 §Clustering, center-based, measured field by field; the predicted value is the cluster id."""
    centers = np.asarray(step.centers, dtype=np.float64)
    n = len(step.inputs)
    if step.metric == "chebychev":
        measure = E("ComparisonMeasure", {"kind": "distance"}, E("chebychev"))
    else:
        measure = _measure(step.metric, step.p)
    attrs = {"functionName": "clustering", "modelClass": "centerBased", "numberOfClusters": len(centers)}
    model = E("ClusteringModel", attrs, _mining_schema(sig, target=False), measure)
    weights = np.ones(n) if step.field_weights is None else np.asarray(step.field_weights, dtype=np.float64)
    for name, function, scale, weight in zip(step.inputs, step.compare, step.scales, weights, strict=True):
        model.append(_field(name, function, float(scale), float(weight)))
    if step.missing_weights is not None:  # PMML 4.4 §Clustering: a missing field's share of the distance
        model.append(E("MissingValueWeights", None, _array(np.asarray(step.missing_weights, dtype=np.float64))))
    for cid, center in zip(step.ids, centers, strict=True):
        model.append(E("Cluster", {"id": text(cid)}, _array(center)))
    return model


def compared_writers() -> dict[type, Callable[[Any, Signature], etree._Element]]:
    """IR step -> its PMML model element writer."""
    return {ComparedCenter: compared_center}
