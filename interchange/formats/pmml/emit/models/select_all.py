"""AllSegments as a PMML 4.4 MiningModel with multipleModelMethod="selectAll" (the construct the lift
read): one Segment per IR segment with its predicate and model, and an OutputField with the
segment's ``segmentId`` per wanted part (predictedValue: the segment's value or label; probability:
of a category).

pypmml 1.5.8 returns each segment model's own Output columns instead of the MiningModel's, so each
segment's model also gets an Output naming its parts alike (the golden ``mining_*selectall``
documents are written that way); JPMML-Evaluator 1.6 gives every such output missing (measured,
ir/combine/select_all.py).

A multi-target step (``targets``) is written back as JPMML-SkLearn writes it: a MiningModel with one
target MiningField per part, Segmentation multipleModelMethod="x-multiModelChain", and each segment's
model predicting its own target (no Output: JPMML-Evaluator returns each segment's predicted value
under its target's name; document.py declares the target DataFields). A segment the lift read as the
ir.chain of the segments up to it (RegressorChain) is written as its own model, the earlier segments
passing their predicted values on as OutputFields isFinalResult="false". pypmml cannot load it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.predicates import predicate_element
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, text
from interchange.ir.combine.chain import Chain, Link
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.ir.graph import ModelStep
from interchange.signature import Signature

__all__ = ["all_segments", "select_all_writers", "target_fields"]


def _field(part: SegmentPart, sig: Signature, segment_id: str | None) -> etree._Element:
    out = next((f for f in sig.outputs if f.name == part.name), None)
    attrs: dict[str, Any] = {"name": part.name}
    if segment_id is not None:
        attrs["segmentId"] = segment_id
    if part.part == "probability":
        attrs.update(optype="continuous", dataType="double", feature="probability", value=text(part.target))
    elif part.part == "label":
        kind = getattr(out, "type", "string") if out is not None else "string"
        attrs.update(optype="categorical", dataType={"integer": "integer", "boolean": "boolean"}.get(kind, "string"))
        attrs["feature"] = "predictedValue"
    else:
        attrs.update(optype="continuous", dataType="double", feature="predictedValue")
    return E("OutputField", attrs)


def all_segments(step: AllSegments, sig: Signature) -> etree._Element:
    """The selectAll MiningModel; every segment's model carries its parts' Output too (pypmml reads those)."""
    from interchange.formats.pmml.emit.models.elements import model_element  # (elements.py registers this writer)

    if step.targets:
        return _multi_target(step, sig)
    for part in step.wanted:
        own = [str(c) for c in getattr(step.models[part.segment], "classes", None) or ()]
        if part.part == "probability" and str(part.target) not in own:
            raise UnsupportedModelError(
                f"selectAll's probability {part.name!r} of category {part.target!r}, which segment {part.segment + 1}'s "
                "model does not know: pypmml 1.5.8 answers no record of such a document (the IR gives 0 where the "
                "segment predicts); convert to PFA or ONNX",
                estimator="AllSegments",
                format="pmml",
            )
    seg = E("Segmentation", {"multipleModelMethod": "selectAll"})
    for i, (pred, model) in enumerate(zip(step.predicates, step.models, strict=True)):
        inner = model_element(model, sig)
        own = [_field(part, sig, None) for part in step.wanted if part.segment == i]
        if own:
            output = inner.find(f"{{{NS}}}Output")
            if output is None:
                inner.insert(1, E("Output", None, *own))  # after MiningSchema (PMML 4.4 model element order)
            else:
                output.extend(own)
        seg.append(E("Segment", {"id": i + 1}, predicate_element(pred), inner))
    function = "regression" if step.classes is None else "classification"
    schema = E("MiningSchema", None, *(E("MiningField", {"name": n}) for n in sig.input_names))
    schema.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    output = E("Output", None, *(_field(part, sig, str(part.segment + 1)) for part in step.wanted))
    return E("MiningModel", {"functionName": function}, schema, output, seg)


def _multi_target(step: AllSegments, sig: Signature) -> etree._Element:
    """The x-multiModelChain MiningModel of a multi-target step (see the module docstring)."""
    from interchange.formats.pmml.emit.models.elements import model_element  # (elements.py registers this writer)

    if step.classes is not None or any(w.part != "value" for w in step.wanted):
        raise UnsupportedModelError(
            "a multi-target classification (each target's label and probabilities) is not written to PMML yet",
            estimator="AllSegments",
            format="pmml",
        )
    seg = E("Segmentation", {"multipleModelMethod": "x-multiModelChain"})
    models = _unchained(step)
    passed: list[str] = []  # the columns earlier segments pass on
    for i, (pred, model) in enumerate(zip(step.predicates, models, strict=True)):
        inner = model_element(model, sig)
        names = [w.name for w in step.wanted if w.segment == i]
        schema = inner.find(f"{{{NS}}}MiningSchema")
        found = [] if schema is None else [mf for mf in schema if mf.get("usageType") == "target"]
        if len(names) != 1 or len(found) != 1 or inner.find(f"{{{NS}}}Output") is not None:
            raise UnsupportedModelError(
                f"segment {i + 1} of a multi-target model gives {len(names)} targets: x-multiModelChain gives one per segment",
                estimator="AllSegments",
                format="pmml",
            )
        old = found[0].get("name")
        found[0].set("name", names[0])
        for field in inner.iter(f"{{{NS}}}InstanceField"):  # a k-NN's stored targets, named by its target field
            if field.get("field") == old:
                field.set("field", names[0])
        for name in (n for n in passed if n in model.inputs):  # an earlier segment's column this one reads
            found[0].addprevious(E("MiningField", {"name": name}))
        links = {
            link.name: link
            for m in step.models
            if isinstance(m, Chain) and i < len(m.segments) - 1
            for link in m.segments[i].links
        }
        if links:  # the columns this segment passes on (JPMML-SkLearn: not final results)
            inner.insert(1, E("Output", None, *(_link_field(link) for link in links.values())))
            passed.extend(links)
        seg.append(E("Segment", {"id": i + 1}, predicate_element(pred), inner))
    schema = E("MiningSchema", None, *(E("MiningField", {"name": w.name, "usageType": "target"}) for w in step.wanted))
    schema.extend(E("MiningField", {"name": n}) for n in sig.input_names)
    return E("MiningModel", {"functionName": "regression"}, schema, seg)


def _unchained(step: AllSegments) -> list[ModelStep]:
    """Each segment's own model: a segment after one that passes columns on is the ir.chain of the segments
    up to it (the lift's reading of RegressorChain), whose last model is the segment's and whose earlier
    models must be the earlier segments' own."""
    own: list[ModelStep] = []
    for model in step.models:
        if isinstance(model, Chain):
            earlier = [c.model for c in model.segments[:-1]]
            if len(earlier) != len(own) or any(a is not b for a, b in zip(earlier, own, strict=True)):
                raise UnsupportedModelError(
                    "a multi-target segment chaining other models than the segments before it has no x-multiModelChain form",
                    estimator="AllSegments",
                    format="pmml",
                )
            if any(c.when is not None or any(link.part != "value" for link in c.links) for c in model.segments):
                raise UnsupportedModelError(
                    "a multi-target chain passing on other than predicted values, or under a predicate, is not written to PMML",
                    estimator="AllSegments",
                    format="pmml",
                )
            model = model.segments[-1].model
        own.append(model)
    return own


def _link_field(link: Link) -> etree._Element:
    """A segment's predicted value passed on to the later segments (not a result of the document)."""
    attrs = {"name": link.name, "optype": "continuous", "dataType": "double", "feature": "predictedValue"}
    return E("OutputField", {**attrs, "isFinalResult": "false"})


def target_fields(step: AllSegments) -> list[etree._Element]:
    """The DataFields of a multi-target step's targets (continuous doubles), for the DataDictionary."""
    return [E("DataField", {"name": w.name, "optype": "continuous", "dataType": "double"}) for w in step.wanted]


def select_all_writers() -> dict[type, Callable[[Any, Signature], etree._Element]]:
    """IR step -> its PMML model element writer."""
    return {AllSegments: all_segments}
