"""Building blocks for writing PMML 4.4 elements: namespace, element factory, number text."""

from __future__ import annotations

from typing import Any

from lxml import etree

__all__ = ["NS", "TARGET", "E", "num", "text", "decision_field", "unprefixed", "apply", "constant", "field_ref", "in_float"]

NS = "http://www.dmg.org/PMML-4_4"
TARGET = "target"  # the DataDictionary name of the predicted field


def E(tag: str, attrs: dict[str, Any] | None = None, *children: etree._Element) -> etree._Element:
    """A PMML element with string attributes and children."""
    el = etree.Element(f"{{{NS}}}{tag}", {k: str(v) for k, v in (attrs or {}).items()})
    el.extend(children)
    return el


def num(x: float) -> str:
    """The shortest text that round-trips the float64 (thresholds must not lose bits); infinities
    as Java spells them (pypmml 1.5.8 reads XML Schema's "INF" as no number)."""
    x = float(x)
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return repr(x)


def text(v: Any) -> str:
    """A category value as PMML text (booleans lower-case)."""
    return str(v).lower() if isinstance(v, bool) else str(v)


def decision_field(output: str) -> str:
    """The derived field holding the raw decision value behind the output field ``output``."""
    return f"{output}_raw"


def unprefixed(el: etree._Element) -> etree._Element:
    """A copy of ``el`` with PMML as the default namespace (``<PMML xmlns=...>``, no ``ns0:``).

    pypmml 1.5.8 keys InlineTable cells by their qualified name, so ``<ns0:x0>`` never
    matches the column ``x0``; unprefixed documents are also what other tools write.
    """
    out = etree.Element(el.tag, dict(el.attrib), nsmap={None: NS})
    out.text, out.tail = el.text, el.tail
    for c in el:
        out.append(unprefixed(c) if isinstance(c.tag, str) else c)
    return out


def apply(function: str, *args: etree._Element) -> etree._Element:
    """``<Apply function=...>`` over the argument expressions."""
    return E("Apply", {"function": function}, *args)


def constant(value: float) -> etree._Element:
    """A double ``<Constant>`` written at full precision."""
    c = E("Constant", {"dataType": "double"})
    c.text = num(value)
    return c


def field_ref(name: str) -> etree._Element:
    """A ``<FieldRef>`` to a DataField or DerivedField."""
    return E("FieldRef", {"field": name})


def in_float(model: etree._Element, precision: str) -> etree._Element:
    """``model`` with ``x-mathContext="float"`` on it and every model element inside where ``precision`` is
    "float" (an IR step computing JPMML-Evaluator's float arithmetic: ir.kernels.trees.float_tree_sum)."""
    if precision == "float":
        for el in model.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname in ("MiningModel", "TreeModel", "RegressionModel"):
                el.set("x-mathContext", "float")
    return model
