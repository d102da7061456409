"""Java emitters for PMML's validity and Output steps: Treat (MiningField treatments) and Reported.

Treat works on one row as interchange.ir.validity.Treat works on a batch: the value is missing
(absent or listed missing) or invalid (listed invalid, outside every Interval and not listed
valid, or a categorical value not among the valid ones); ``returnInvalid`` throws
IllegalArgumentException naming the field (the IR's RecordError), ``asMissing`` / ``asValue``
make it missing or replace it, outliers are made missing or clamped, then a missing value is
replaced. Reported binds the parts of its model's prediction (the value, a class probability)
in new slots and computes each numeric expression after them (interchange.ir.reported).
"""

from __future__ import annotations

from typing import Any

from interchange.batch import category_key
from interchange.codegen.java.expressions import holds
from interchange.codegen.java.lower import lower_into
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.columns import Columns
from interchange.ir.derive.expressions import references
from interchange.ir.reported import Reported
from interchange.ir.validity import Interval, Treat

__all__: list[str] = []


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", format="java")


def _any(out: JavaWriter, column: str, values: tuple[Any, ...]) -> str:
    return holds(out, column, [category_key(v) for v in values])


def _inside(x: str, iv: Interval) -> str:
    tests = [f"!Double.isNaN({x})"]
    if iv.low is not None:
        tests.append(f"{x} {'>=' if iv.closure.startswith('closed') else '>'} {jdouble(iv.low)}")
    if iv.high is not None:
        tests.append(f"{x} {'<=' if iv.closure.endswith('Closed') else '<'} {jdouble(iv.high)}")
    return "(" + " && ".join(tests) + ")"


@emitter("java", Treat)
def _treat(step: Treat, out: JavaWriter) -> list[str]:
    name = step.inputs[0]
    text = out.is_text(name)
    if text and (step.intervals or step.outliers != "asIs"):
        raise _refuse("Interval validity or outliers of a text field")
    x = out.text(name) if text else out.num(name)
    jtype = "String" if text else "double"
    label = jstring(name)
    lines = [f"{jtype} x = {x};", f"boolean gone = {'x == null' if text else 'Double.isNaN(x)'};"]
    if step.missing_values:
        lines.append(f"gone = gone || {_any(out, name, step.missing_values)};")
    bad = []
    if step.invalid_values:
        bad.append(_any(out, name, step.invalid_values))
    if step.intervals:
        inside = " || ".join(_inside("x", iv) for iv in step.intervals)
        bad.append(f"!({inside}) && !({_any(out, name, step.valid)})")
    elif step.valid and step.optype != "continuous":
        bad.append(f"!({_any(out, name, step.valid)})")
    lines.append(f"boolean bad = !gone && ({' || '.join(f'({b})' for b in bad) or 'false'});")
    shown = "x" if text else "Double.toString(x)"
    if step.invalid == "returnInvalid":
        lines += [
            "if (bad) {",
            f'    throw new IllegalArgumentException("value " + {shown} + " of field " + {label} + " is invalid");',
            "}",
        ]
    elif step.invalid == "asMissing":
        lines.append("gone = gone || bad;")
    elif step.invalid == "asValue":
        lines.append(f"if (bad) {{ x = {_value(step.invalid_replacement, text)}; }}")
    if not text and step.outliers != "asIs":
        for bound, op in ((step.low, "<"), (step.high, ">")):
            if bound is None:
                continue
            action = "gone = true;" if step.outliers == "asMissingValues" else f"x = {jdouble(bound)};"
            lines.append(f"if (!gone && !bad && x {op} {jdouble(bound)}) {{ {action} }}")
    if step.missing_invalid:
        lines += [
            "if (gone) {",
            f'    throw new IllegalArgumentException("field " + {label} + " is missing and its model returns invalid for it");',
            "}",
        ]
    fill = _value(step.replacement, text) if step.replacement is not None else ("null" if text else "Double.NaN")
    lines.append(f"if (gone) {{ x = {fill}; }}")
    target = out.new_text(step.outputs[0]) if text else out.new_num(step.outputs[0])
    lines.append(f"{target} = x;")
    return lines


def _value(v: Any, text: bool) -> str:
    return jstring(v if isinstance(v, str) else str(category_key(v))) if text else jdouble(float(v))


@emitter("java", Reported)
def _reported(step: Reported, out: JavaWriter) -> tuple[list[str], dict[str, str]]:
    """The model's statements, then each bound part and numeric expression in a new slot."""
    lines, parts = lookup("java", step.model)(step.model, out)
    lines, parts = list(lines), dict(parts)
    classes = list(getattr(step.model, "classes", None) or out.signature.classes or ())
    read = set().union(*(references(e) for _, e, _ in step.expressions))
    for name, part, category in step.bindings:
        if name not in read:  # (a part no expression reads: the outputs take it from the prediction)
            continue
        if part == "probability" and "probabilities" in parts:
            index = next((i for i, c in enumerate(classes) if c == category or str(c) == str(category)), None)
            if index is None:
                raise _refuse(f"the probability of {category!r}, which the model does not give")
            lines.append(f"{out.new_num(name)} = {parts['probabilities']}[{index}];")
        elif part == "value" and "value" in parts:
            lines.append(f"{out.new_num(name)} = {parts['value']};")
        else:
            raise _refuse(f"an Output expression over the prediction's {part}")
    for name, expr, type_ in step.expressions:
        computed, slot, text = lower_into(out, name, expr, type_)
        lines += ["{", *("    " + line for line in computed), "}"]
        parts[f"text:{name}" if text else f"num:{name}"] = slot
    for name, part in step.replaces:
        if part != "value":
            raise _refuse(f"an Output expression that is the prediction's {part}")
        parts["value"] = out.num(name)
    return lines, parts


@emitter("java", Columns)
def _columns(step: Columns, out: JavaWriter) -> tuple[list[str], dict[str, str]]:
    """A document of expressions only (ir.columns): each output is a column the steps derived, read from its slot."""
    parts = {}
    for column, name in zip(step.inputs, step.outputs, strict=True):
        text = out.is_text(column)
        parts[f"text:{name}" if text else f"num:{name}"] = out.text(column) if text else out.num(column)
    return [], parts
