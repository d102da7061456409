"""Treat and Reported written back as PMML 4.4: DataField validity, MiningField treatments, Output expressions.

The inverse of formats/pmml/lift/validity.py and the lift's Output reading: a Treat step of an
input field becomes that DataField's ``Value`` (valid / invalid / missing) and ``Interval``
elements and the attributes of every MiningField of it (invalidValueTreatment,
invalidValueReplacement, missingValueTreatment="returnInvalid", missingValueReplacement,
outliers, lowValue, highValue; PMML 4.4 §MiningSchema); the nested models' MiningFields get
them too, so a segment never reads a kept invalid value as invalid again. A Reported step's
bindings become predictedValue / probability OutputFields and its expressions
transformedValue OutputFields, in order, each visible to the next (PMML 4.4 §Output).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.expressions import expression
from interchange.formats.pmml.emit.xmlbuild import NS, E, num, text
from interchange.ir.derive.transforms import Validate
from interchange.ir.graph import Graph
from interchange.ir.reported import Reported
from interchange.ir.validity import Treat
from interchange.signature import Signature

__all__ = ["treatments", "write_treatments", "reported_fields"]


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PMML writer has no form for {what}", format="pmml")


def treatments(graph: Graph) -> dict[str, Treat]:
    """Input field -> its Treat step. A Treat must treat an input in place before any other step
    reads it (where PMML's MiningSchema acts); anything else is refused by name."""
    found: dict[str, Treat] = {}
    inputs = set(graph.signature.input_names)
    read: set[str] = set()
    for step in graph.steps:
        if isinstance(step, Treat):
            name = step.inputs[0]
            if step.outputs != step.inputs or name not in inputs:
                raise _refuse(f"a Treat step writing {step.outputs[0]!r} from {name!r} (a MiningField treats an input in place)")
            if name in read or name in found:
                raise _refuse(f"a Treat step of {name!r} after another step read it")
            found[name] = step
            continue
        read |= set(getattr(step, "inputs", ()))
        if isinstance(step, Validate) and set(step.inputs) & set(found):
            raise _refuse("a field both treated (Treat) and validated (Validate)")
    return found


def _value(v: Any) -> str:
    return num(float(v)) if isinstance(v, float) else text(v)


def write_treatments(root: etree._Element, treats: dict[str, Treat]) -> None:
    """Write each Treat into its DataField and every MiningField of it."""
    if not treats:
        return
    for field in root.iter(f"{{{NS}}}DataField"):
        treat = treats.get(field.get("name"))
        if treat is None:
            continue
        if len(field):
            raise _refuse(f"validity of {field.get('name')!r} given twice (a Value list and a Treat step)")
        field.set("optype", treat.optype)
        for iv in treat.intervals:  # (PMML 4.4 §DataField: Interval elements, then Value elements)
            margins = {k: num(float(v)) for k, v in (("leftMargin", iv.low), ("rightMargin", iv.high)) if v is not None}
            field.append(E("Interval", {"closure": iv.closure, **margins}))
        for prop, values in (("valid", treat.valid), ("invalid", treat.invalid_values), ("missing", treat.missing_values)):
            for v in values:
                field.append(E("Value", {"value": _value(v), **({"property": prop} if prop != "valid" else {})}))
    for mf in root.iter(f"{{{NS}}}MiningField"):
        treat = treats.get(mf.get("name"))
        if treat is None or mf.get("usageType", "active") != "active":
            continue
        attrs: dict[str, Any] = {"invalidValueTreatment": treat.invalid}
        if treat.invalid == "asValue":
            attrs["invalidValueReplacement"] = _value(treat.invalid_replacement)
        if treat.outliers != "asIs":
            attrs["outliers"] = treat.outliers
            attrs.update({k: num(float(v)) for k, v in (("lowValue", treat.low), ("highValue", treat.high)) if v is not None})
        if treat.replacement is not None:
            attrs["missingValueReplacement"] = _value(treat.replacement)
        if treat.missing_invalid:
            attrs["missingValueTreatment"] = "returnInvalid"
        for k, v in attrs.items():
            mf.set(k, v)


def _kind_attrs(f: Any) -> dict[str, Any]:
    if f.kind == "label" or f.kind == "cluster":
        return {"optype": "categorical", "feature": "predictedValue"}
    if f.kind == "value":
        return {"optype": "continuous", "feature": "predictedValue"}
    if f.kind == "probability":
        return {"optype": "continuous", "feature": "probability", "value": text(f.target)}
    raise _refuse(f"a {f.kind} output beside Output expressions ({f.name!r})")


_TYPES = {"double": "double", "integer": "integer", "string": "string", "boolean": "boolean", "float": "float"}


def reported_fields(step: Reported, sig: Signature, existing: set[str]) -> list[etree._Element]:
    """The OutputFields of a Reported step and the signature's other outputs (``existing``: names
    the model's own Output already has). Bindings first, then the prediction's parts the
    signature shows, then each expression in order."""
    computed = {name for name, _, _ in step.expressions}
    out: list[etree._Element] = []
    written = set(existing)
    regression = sig.task != "classification"
    for name, part, category in step.bindings:
        if name in written or name in computed:
            continue
        if part == "probability":
            attrs: dict[str, Any] = {"optype": "continuous", "dataType": "double", "feature": "probability"}
            attrs["value"] = text(category)
        elif part == "value" or (part == "label" and not regression):
            f = next((f for f in sig.outputs if f.kind == ("value" if part == "value" else "label")), None)
            dtype = _TYPES.get(f.type, "double") if f is not None else "double"
            optype = "continuous" if part == "value" else "categorical"
            attrs = {"optype": optype, "dataType": dtype, "feature": "predictedValue"}
        else:
            raise _refuse(f"an Output expression over the prediction's {part}")
        out.append(E("OutputField", {"name": name, **attrs}))
        written.add(name)
    for f in sig.outputs:
        if f.name in written or f.name in computed:
            continue
        out.append(E("OutputField", {"name": f.name, "dataType": _TYPES.get(f.type, "double"), **_kind_attrs(f)}))
        written.add(f.name)
    for name, expr, type_ in step.expressions:
        if name in written:
            raise _refuse(f"an Output expression named like another output ({name!r})")
        f = next((f for f in sig.outputs if f.name == name), None)
        dtype = type_ or (f.type if f is not None else "double")
        optype = (
            "categorical"
            if dtype in ("string", "boolean") or (f is not None and f.kind in ("label", "cluster"))
            else "continuous"
        )
        attrs = {"name": name, "optype": optype, "dataType": _TYPES.get(dtype, "double"), "feature": "transformedValue"}
        out.append(E("OutputField", attrs, expression(expr)))
        written.add(name)
    return out
