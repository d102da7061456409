"""Targeted as the wrapped model's element with PMML 4.4 §Targets, the construct the lift read.

One Target on the predicted field: min / max, rescaleFactor / rescaleConstant, castInteger; one
TargetValue per category with its priorProbability and displayValue, or (a regression) one
TargetValue holding the defaultValue. The output fields that show the predicted category's
display value are OutputFields feature="predictedDisplayValue".
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.formats.pmml.emit.validity import _TYPES, _kind_attrs
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, num, text
from interchange.ir.targets import Targeted
from interchange.signature import Signature

__all__ = ["targeted", "targets_element"]

# PMML 4.4 model element order: Targets follows these, and precedes LocalTransformations and the body
_BEFORE = ("MiningSchema", "Output", "ModelStats", "ModelExplanation")


def targets_element(step: Targeted, classification: bool) -> etree._Element:
    """The Targets element of ``step``'s post-processing."""
    attrs: dict[str, Any] = {"field": TARGET, "optype": "categorical" if classification else "continuous"}
    for name, value in (("min", step.low), ("max", step.high)):
        if value is not None:
            attrs[name] = num(value)
    if step.factor != 1.0:
        attrs["rescaleFactor"] = num(step.factor)
    if step.constant != 0.0:
        attrs["rescaleConstant"] = num(step.constant)
    if step.cast is not None:
        attrs["castInteger"] = step.cast
    target = E("Target", attrs)
    if step.default is not None:
        target.append(E("TargetValue", {"defaultValue": num(step.default)}))
    priors, display = dict(step.priors), dict(step.display)
    for category in dict.fromkeys([*priors, *display]):
        entry: dict[str, Any] = {"value": text(category)}
        if category in display:
            entry["displayValue"] = display[category]
        if category in priors:
            entry["priorProbability"] = num(priors[category])
        target.append(E("TargetValue", entry))
    return E("Targets", None, target)


def _display_output(step: Targeted, sig: Signature) -> etree._Element:
    """An Output with the display-value fields and the prediction's plain parts (a Reported step
    around this one adds its own fields after them)."""
    out = E("Output")
    for f in sig.outputs:
        if f.name in step.shown:
            attrs = {"optype": "categorical", "dataType": "string", "feature": "predictedDisplayValue"}
        elif f.kind in ("label", "value", "probability", "cluster"):
            attrs = {"dataType": _TYPES.get(f.type, "double"), **_kind_attrs(f)}
        else:
            continue
        out.append(E("OutputField", {"name": f.name, **attrs}))
    return out


def targeted(step: Targeted, sig: Signature) -> etree._Element:
    """The wrapped model's element with Targets (and the display-value Output fields) added."""
    from interchange.formats.pmml.emit.models import model_element  # (models.py registers this writer)

    model = model_element(step.model, sig)
    if step.shown:
        own = model.find(f"{{{NS}}}Output")
        if own is None:
            model.insert(1, _display_output(step, sig))
        else:  # (a model writer's own Output: the display fields join it)
            own.extend(of for of in _display_output(step, sig) if of.get("name") in step.shown)
    at = max((i + 1 for i, el in enumerate(model) if etree.QName(el).localname in _BEFORE), default=0)
    model.insert(at, targets_element(step, sig.task == "classification"))
    return model
