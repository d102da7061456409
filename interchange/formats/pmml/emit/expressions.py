"""IR expressions (ir/derive/expressions.py) written as PMML 4.4 expressions: the inverse of lift_expressions.

Derive becomes a DerivedField; Validate becomes the DataField's <Value> list (emit/document.py). Every
IR function that is a PMML built-in keeps its name; the others are spelled with built-ins.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import E, num, text
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref

__all__ = ["expression", "derive"]

_SPELLED = {"neg", "logistic"}  # IR functions PMML 4.4 has no built-in for


def _constant(value: Any) -> etree._Element:
    if value is None:
        return E("Constant", {"missing": "true"})
    if isinstance(value, str):
        el = E("Constant", {"dataType": "string"})
        el.text = value
        return el
    el = E("Constant", {"dataType": "double"})
    el.text = num(float(value))
    return el


def _attrs(**values: Any) -> dict[str, str]:
    return {k: (num(v) if isinstance(v, float) else text(v)) for k, v in values.items() if v is not None}


def _field(expr: Expr, what: str) -> str:
    if not isinstance(expr, Ref):
        raise UnsupportedModelError(f"PMML {what} reads a field, not a computed expression; derive it first", format="pmml")
    return expr.name


def expression(expr: Expr) -> etree._Element:
    """The PMML element computing ``expr``."""
    if isinstance(expr, Const):
        return _constant(expr.value)
    if isinstance(expr, Ref):
        return E("FieldRef", {"field": expr.name})
    if isinstance(expr, Call):
        args = [expression(a) for a in expr.args]
        if expr.function == "neg":
            body = E("Apply", {"function": "*"}, _constant(-1.0), *args)
        elif expr.function == "logistic":
            exp = E("Apply", {"function": "exp"}, E("Apply", {"function": "*"}, _constant(-1.0), *args))
            body = E("Apply", {"function": "/"}, _constant(1.0), E("Apply", {"function": "+"}, _constant(1.0), exp))
        elif expr.function in _SPELLED:
            raise UnsupportedModelError(f"PMML 4.4 has no built-in function for IR {expr.function!r}", format="pmml")
        else:
            body = E("Apply", {"function": expr.function}, *args)
        body.attrib.update(_attrs(mapMissingTo=expr.fill, defaultValue=expr.default))
        return body
    if isinstance(expr, Interpolate):
        el = E("NormContinuous", _attrs(field=_field(expr.arg, "NormContinuous"), outliers=expr.outliers, mapMissingTo=expr.fill))
        for o, n in zip(expr.orig, expr.norm, strict=True):
            el.append(E("LinearNorm", {"orig": num(o), "norm": num(n)}))
        return el
    if isinstance(expr, Indicator):
        return E(
            "NormDiscrete", _attrs(field=_field(expr.arg, "NormDiscrete"), value=_category(expr.value), mapMissingTo=expr.fill)
        )
    if isinstance(expr, Lookup):
        return _map_values(expr)
    if isinstance(expr, Bins):
        return _discretize(expr)
    raise UnsupportedModelError(f"the PMML writer has no form for IR expression {type(expr).__name__}", format="pmml")


def _category(value: Any) -> str:
    return (
        num(value)
        if isinstance(value, float) and not value.is_integer()
        else text(int(value) if isinstance(value, float) else value)
    )


def _map_values(expr: Lookup) -> etree._Element:
    data_type = "double" if expr.numeric else "string"
    el = E("MapValues", _attrs(outputColumn="out", dataType=data_type, defaultValue=expr.default, mapMissingTo=expr.fill))
    for j, a in enumerate(expr.args):
        el.append(E("FieldColumnPair", {"field": _field(a, "MapValues"), "column": f"in{j}"}))
    table = E("InlineTable")
    for key, value in expr.table:
        row = E("row")
        for j, k in enumerate(key):
            cell = E(f"in{j}")
            cell.text = text(k)
            row.append(cell)
        out = E("out")
        out.text = num(value) if isinstance(value, float) else text(value)
        row.append(out)
        table.append(row)
    el.append(table)
    return el


def _discretize(expr: Bins) -> etree._Element:
    """PMML 4.4 §Discretize; defaultValue and mapMissingTo as written (pypmml departs there:
    formats/pmml/departures.py, JPMML-Evaluator follows the specification)."""
    attrs = _attrs(field=_field(expr.arg, "Discretize"), dataType="double" if expr.numeric else "string")
    attrs.update(_attrs(defaultValue=expr.default, mapMissingTo=expr.fill))
    el = E("Discretize", attrs)
    for low, high, closure, value in expr.bins:
        interval = E("Interval", _attrs(closure=closure, leftMargin=low, rightMargin=high))
        el.append(E("DiscretizeBin", {"binValue": num(value) if isinstance(value, float) else text(value)}, interval))
    return el


def derive(step: Derive) -> list[etree._Element]:
    """The DerivedField of a Derive step."""
    data_type = step.type or ("string" if _is_text(step.expression) else "double")
    optype = "categorical" if data_type == "string" else "continuous"
    return [E("DerivedField", {"name": step.outputs[0], "optype": optype, "dataType": data_type}, expression(step.expression))]


def _is_text(expr: Expr) -> bool:
    if isinstance(expr, Const):
        return isinstance(expr.value, str)
    if isinstance(expr, (Lookup, Bins)):
        return not expr.numeric
    return False
