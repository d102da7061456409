"""Segmentation as a PMML 4.4 MiningModel: one Segment per IR segment with its predicate, weight
and model, the multipleModelMethod and missingPredictionTreatment / missingThreshold.

Each segment's model is written by the model writers (models.model_element), so any model the
PMML writer holds can be a segment, a Segmentation included.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.formats.pmml.emit.predicates import predicate_element
from interchange.formats.pmml.emit.xmlbuild import TARGET, E, num
from interchange.ir.combine.segmentation import Segmentation
from interchange.signature import Signature

__all__ = ["segmentation"]


def segmentation(step: Segmentation, sig: Signature) -> etree._Element:
    from interchange.formats.pmml.emit.models.elements import model_element  # (models.py registers this writer)

    attrs: dict[str, Any] = {"multipleModelMethod": step.method}
    if step.treatment != "continue":
        attrs["missingPredictionTreatment"] = step.treatment
    if step.threshold != 1.0:
        attrs["missingThreshold"] = num(step.threshold)
    seg = E("Segmentation", attrs)
    for i, (pred, weight, model) in enumerate(zip(step.predicates, step.weights, step.models, strict=True), 1):
        seg.append(E("Segment", {"id": i, "weight": num(weight)}, predicate_element(pred), model_element(model, sig)))
    function = "regression" if step.classes is None else "classification"
    schema = E("MiningSchema", None, *(E("MiningField", {"name": n}) for n in sig.input_names))
    schema.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return E("MiningModel", {"functionName": function}, schema, seg)
