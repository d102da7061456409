"""Chain as a PMML 4.4 MiningModel with Segmentation multipleModelMethod="modelChain", the construct
the lift read (interchange.ir.combine.chain).

Each segment holds its predicate and its model, written by the model writers; the figures it
passes on are OutputFields of that model (feature predictedValue, probability of a category, or
transformedValue with the expression), which later segments list in their MiningSchema. Only the
last segment names the target field: an earlier regression in a classification chain would
otherwise give its value as a category. The chain's own Output is the outer MiningModel's, as the
lift read it: where the last segment's predicate is FALSE, pypmml answers with the Output of the
last segment that has one, which would be an earlier segment's figures.
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.emit.expressions import expression
from interchange.formats.pmml.emit.models.targets import prediction_output
from interchange.formats.pmml.emit.predicates import predicate_element
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, in_float, text
from interchange.ir.combine.chain import Chain, Link
from interchange.ir.derive.predicates import Always
from interchange.signature import Signature

__all__ = ["chain"]


def _link_field(link: Link) -> etree._Element:
    attrs = {"name": link.name, "optype": "continuous", "dataType": "double"}
    if link.part == "value":
        return E("OutputField", {**attrs, "feature": "predictedValue"})
    if link.part == "probability":
        return E("OutputField", {**attrs, "feature": "probability", "value": text(link.category)})
    assert link.expression is not None
    return E("OutputField", {**attrs, "feature": "transformedValue"}, expression(link.expression))


def _reads(model: etree._Element, made: list[str], last: bool) -> None:
    """The chain's earlier figures as MiningFields of ``model`` (and the models inside it); the target
    field only in the last segment's."""
    for schema in model.iter(f"{{{NS}}}MiningSchema"):
        if not last:
            for mf in [mf for mf in schema if mf.get("usageType") == "target"]:
                schema.remove(mf)
        at = next((i for i, mf in enumerate(schema) if mf.get("usageType") == "target"), len(schema))
        have = {mf.get("name") for mf in schema}
        for name in made:
            if name not in have:
                schema.insert(at, E("MiningField", {"name": name}))
                at += 1


def chain(step: Chain, sig: Signature) -> etree._Element:
    from interchange.formats.pmml.emit.models.elements import model_element  # (models.py registers this writer)

    seg = E("Segmentation", {"multipleModelMethod": "modelChain"})
    made: list[str] = []
    for i, s in enumerate(step.segments, 1):
        last = i == len(step.segments)
        model = model_element(s.model, sig)
        _reads(model, made, last)
        if s.links:
            if model.find(f"{{{NS}}}Output") is not None:
                model.find(f"{{{NS}}}Output").extend(_link_field(link) for link in s.links)
            else:
                model.insert(1, E("Output", None, *(_link_field(link) for link in s.links)))
        made += [link.name for link in s.links]
        seg.append(E("Segment", {"id": i}, predicate_element(s.when if s.when is not None else Always(True)), model))
    function = "regression" if step.classes is None else "classification"
    schema = E("MiningSchema", None, *(E("MiningField", {"name": n}) for n in sig.input_names))
    schema.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    outer = E("MiningModel", {"functionName": function}, schema, prediction_output(sig, {}), seg)
    single = all(getattr(s.model, "precision", "double") == "float" for s in step.segments)  # a float boosted sum's link
    return in_float(outer, "float" if single else "double")
