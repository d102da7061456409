"""Targeted and Residual as the wrapped model's element with PMML 4.4 §Targets / §Output residual,
the constructs the lift read.

One Target on the predicted field: min / max, rescaleFactor / rescaleConstant, castInteger; one
TargetValue per category with its priorProbability and displayValue, or (a regression) one
TargetValue holding the defaultValue. The output fields that show the predicted category's
display value are OutputFields feature="predictedDisplayValue".

Residual: the target's actual value is the input the step names (``target``), so that input is the
model's target field (MiningField usageType="target", in every MiningSchema and Target of the
model) and each residual output an OutputField feature="residual".
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.validity import _TYPES, _kind_attrs
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, num, text
from interchange.ir.models.targets import Residual, Targeted
from interchange.signature import Signature

__all__ = ["targeted", "targets_element", "residual", "prediction_output"]

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


def prediction_output(sig: Signature, special: dict[str, dict[str, Any]]) -> etree._Element:
    """An Output with the ``special`` fields (name -> attributes) and the prediction's plain parts the
    signature shows (label, value, probability, cluster); a Reported step around the model adds its own
    fields after them."""
    out = E("Output")
    for f in sig.outputs:
        if f.name in special:
            attrs = special[f.name]
        elif f.kind in ("label", "value", "probability", "cluster"):
            attrs = {"dataType": _TYPES.get(f.type, "double"), **_kind_attrs(f)}
        else:
            continue
        out.append(E("OutputField", {"name": f.name, **attrs}))
    return out


def targeted(step: Targeted, sig: Signature) -> etree._Element:
    """The wrapped model's element with Targets (and the display-value Output fields) added."""
    from interchange.formats.pmml.emit.models.elements import model_element  # (models.py registers this writer)

    model = model_element(step.model, sig)
    if step.shown:
        display = {"optype": "categorical", "dataType": "string", "feature": "predictedDisplayValue"}
        output = prediction_output(sig, dict.fromkeys(step.shown, display))
        own = model.find(f"{{{NS}}}Output")
        if own is None:
            model.insert(1, output)
        else:  # (a model writer's own Output: the display fields join it)
            own.extend(of for of in output if of.get("name") in step.shown)
    at = max((i + 1 for i, el in enumerate(model) if etree.QName(el).localname in _BEFORE), default=0)
    model.insert(at, targets_element(step, sig.task == "classification"))
    return model


def _target_is(model: etree._Element, name: str) -> None:
    """``name`` (an input) as the target field of ``model`` and the models inside it."""
    for schema in model.iter(f"{{{NS}}}MiningSchema"):
        for mf in list(schema):
            if mf.get("name") == name and mf.get("usageType", "active") == "active":
                schema.remove(mf)
            elif mf.get("name") == TARGET and mf.get("usageType") == "target":
                mf.set("name", name)
    for target in model.iter(f"{{{NS}}}Target"):
        target.set("field", name)


def residual(step: Residual, sig: Signature) -> etree._Element:
    """The wrapped model's element reading its target from the input ``step.target``, with the
    residual OutputFields beside the prediction's."""
    from interchange.formats.pmml.emit.models.elements import model_element  # (models.py registers this writer)

    model = model_element(step.model, sig)
    if model.find(f"{{{NS}}}Output") is not None:
        raise UnsupportedModelError(
            f"a residual of a {type(step.model).__name__}, whose writer writes its own Output", format="pmml"
        )
    residual = {"optype": "continuous", "dataType": "double", "feature": "residual"}
    model.insert(1, prediction_output(sig, dict.fromkeys(step.names, residual)))
    _target_is(model, step.target)
    return model
