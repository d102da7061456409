"""VariableWeights as a PMML 4.4 MiningModel whose Segments carry VariableWeight (the construct the
lift read): the Segmentation writer's document, each weighed segment given
``<VariableWeight field=...>`` after its predicate (PMML 4.4 §Segment: PREDICATE, VariableWeight?,
MODEL-ELEMENT). pypmml 1.5.8 evaluates it (JPMML-Evaluator 1.6 refuses the element).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from interchange.formats.pmml.emit.models.segments import segmentation
from interchange.formats.pmml.emit.xmlbuild import NS, E
from interchange.ir.combine.variable_weight import VariableWeights
from interchange.signature import Signature

__all__ = ["variable_weights", "variable_weight_writers"]


def variable_weights(step: VariableWeights, sig: Signature) -> etree._Element:
    """The MiningModel of :func:`segmentation`, with a VariableWeight in each segment weighed by a field."""
    model = segmentation(step, sig)
    segments = model.findall(f"{{{NS}}}Segmentation/{{{NS}}}Segment")
    for segment, field in zip(segments, step.variable, strict=True):
        if field is not None:
            segment.insert(1, E("VariableWeight", {"field": field}))
    return model


def variable_weight_writers() -> dict[type, Callable[[Any, Signature], etree._Element]]:
    """IR step -> its PMML model element writer."""
    return {VariableWeights: variable_weights}
