"""PMML 4.4 dates and times written back: the IR's in-place date casts as DataField dataTypes.

A lifted date / time input is an in-place ``Derive`` cast to its PMML type (ir.kernels.dates); PMML
holds it as the DataField's dataType (a DerivedField may not take a DataField's name). A split
value compared with such a field is written in the field's type (``value="2004-02-29"``, an Array of them as text), and the
year of dateDaysSinceYear / dateSecondsSinceYear as an integer Constant (JPMML-Evaluator refuses a
double there, measured).
"""

from __future__ import annotations

import numpy as np
from lxml import etree

from interchange.formats.pmml.emit.xmlbuild import NS
from interchange.ir.kernels.dates import DATE_TYPES, date_text

__all__ = ["dates_in_place", "typed_in_place"]

_YEARS = ("dateDaysSinceYear", "dateSecondsSinceYear")
_COMPARE = ("equal", "notEqual", "lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual", "isIn", "isNotIn")
_BELOW = {"lessOrEqual": "lessThan", "greaterThan": "greaterOrEqual"}


def typed_in_place(root: etree._Element, inputs: list[str], kinds: tuple[str, ...]) -> dict[str, str]:
    """Each input converted in place (a DerivedField of its own name, of a dataType in ``kinds``, over a plain
    FieldRef to it) as its DataField's dataType: {name: dataType} of those rewritten."""
    names, typed = set(inputs), {}
    for derived in list(root.iter(f"{{{NS}}}DerivedField")):
        name, body, kind = derived.get("name"), list(derived), derived.get("dataType")
        if name not in names or kind not in kinds or len(body) != 1:
            continue
        ref = body[0]
        if ref.tag != f"{{{NS}}}FieldRef" or ref.get("field") != name or ref.get("mapMissingTo") is not None:
            continue
        for field in root.iter(f"{{{NS}}}DataField"):
            if field.get("name") == name:
                field.set("dataType", kind)
        derived.getparent().remove(derived)
        typed[name] = kind
    return typed


def dates_in_place(root: etree._Element, inputs: list[str]) -> None:
    """Each input cast in place to a date type as its DataField's dataType; its split values in that type."""
    typed = typed_in_place(root, inputs, DATE_TYPES)
    for p in root.iter(f"{{{NS}}}SimplePredicate"):
        if p.get("field") in typed and p.get("value") is not None:
            value, op = float(p.get("value")), p.get("operator")
            if not value.is_integer() and op in _BELOW:  # (a tree's x < v is held as x <= the double below v)
                value = float(np.nextafter(value, np.inf))
                p.set("operator", _BELOW[op])
            p.set("value", date_text(value, typed[p.get("field")]))
    for p in root.iter(f"{{{NS}}}SimpleSetPredicate"):
        kind, array = typed.get(p.get("field") or ""), p.find(f"{{{NS}}}Array")
        if kind in ("date", "dateTime", "time") and array is not None and array.get("type") in ("int", "real"):
            array.text = " ".join(date_text(float(v), kind) for v in (array.text or "").split())
            array.set("type", "string")
    for apply in root.iter(f"{{{NS}}}Apply"):
        args = [c for c in apply if isinstance(c.tag, str)]
        kind = typed.get(args[0].get("field") or "") if args and args[0].tag == f"{{{NS}}}FieldRef" else None
        if kind in ("date", "dateTime", "time") and apply.get("function") in _COMPARE:  # constants of the date's type
            for c in args[1:]:
                if c.tag == f"{{{NS}}}Constant" and c.get("dataType") in ("double", "integer"):
                    c.text, _ = date_text(float(c.text or "nan"), kind), c.set("dataType", kind)
        if apply.get("function") in _YEARS and len(args) == 2 and args[1].tag == f"{{{NS}}}Constant":
            args[1].set("dataType", "integer")
            args[1].text = str(int(float(args[1].text or "nan")))
