"""ONNX for PMML's validity and Output steps: Treat (MiningField treatments) and Reported.

Treat is masks over the column, as interchange.ir.validity.Treat computes them: missing (NaN,
"" for text, or listed missing), invalid (listed invalid, outside every Interval and not listed
valid, a categorical value not among the valid ones); ``Where`` keeps, replaces or blanks the
values, clamps or blanks outliers and fills missing values. ``returnInvalid`` (and
missingValueTreatment="returnInvalid") fails the batch on such a row as Validate does: a flag
that is "" for a good row through an ``ai.onnx.ml`` OneHotEncoder with ``zeros=0``, which the
runtime reports as an unknown category and narrows to the record (ONNX has no error operator).
Reported binds the value and class probabilities of its model's prediction as columns,
computes each expression as a Derive, and gives them as extra ``[N, 1]`` outputs.
"""

from __future__ import annotations

from typing import Any

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.expressions import _category, _missing, _num, _text, derive
from interchange.formats.onnx.emit.registry import Emitted, emitter, lookup
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Lookup, Ref, references
from interchange.ir.reported import Reported
from interchange.ir.validity import Interval, Treat

__all__ = ["never_missing"]


def _any(b: Builder, masks: list[str]) -> str | None:
    if not masks:
        return None
    out = masks[0]
    for m in masks[1:]:
        out = b.op("Or", [out, m])
    return out


def _inside(b: Builder, x: str, iv: Interval) -> str:
    ok = b.op("Not", [b.op("IsNaN", [x])])
    if iv.low is not None:
        ok = b.op("And", [ok, b.op("GreaterOrEqual" if iv.closure.startswith("closed") else "Greater", [x, _num(b, iv.low)])])
    if iv.high is not None:
        ok = b.op("And", [ok, b.op("LessOrEqual" if iv.closure.endswith("Closed") else "Less", [x, _num(b, iv.high)])])
    return ok


def _fail_on(b: Builder, mask: str, why: str) -> None:
    """Fail the batch where ``mask`` holds (see the module doc)."""
    flag = b.op("Where", [mask, _text(b, why), _text(b, "")])
    b.guards.append(b.op("OneHotEncoder", [flag], "valid", domain="ai.onnx.ml", cats_strings=[""], zeros=0))


def _fill(b: Builder, value: Any, text: bool) -> str:
    if text:
        return _text(b, "" if value is None else str(value))
    return _num(b, float("nan") if value is None else float(value))


@emitter(Treat)
def treat(step: Treat, b: Builder) -> None:
    name = step.inputs[0]
    t = b.column(name), b.elem(name)
    text = t[1] == STRING
    if text and (step.intervals or step.outliers != "asIs"):
        raise refuse("Interval validity or outliers of a text field")
    x = t[0]
    gone = _any(b, [_missing(b, t), *(_category(b, t, v) for v in step.missing_values)])
    assert gone is not None
    parts = []
    if step.invalid_values:
        parts.append(_any(b, [_category(b, t, v) for v in step.invalid_values]))
    valid = _any(b, [_category(b, t, v) for v in step.valid])
    if step.intervals:
        inside = _any(b, [_inside(b, x, iv) for iv in step.intervals])
        assert inside is not None
        out = b.op("Not", [inside])
        parts.append(out if valid is None else b.op("And", [out, b.op("Not", [valid])]))
    elif valid is not None and step.optype != "continuous":
        parts.append(b.op("Not", [valid]))
    bad = _any(b, [p for p in parts if p is not None])
    if bad is not None:
        bad = b.op("And", [bad, b.op("Not", [gone])])
        if step.invalid == "returnInvalid":
            _fail_on(b, bad, f"invalid value of {name}")
        elif step.invalid == "asMissing":
            gone = b.op("Or", [gone, bad])
        elif step.invalid == "asValue":
            x = b.op("Where", [bad, _fill(b, step.invalid_replacement, text), x])
    if not text and step.outliers != "asIs":
        kept = b.op("Not", [gone]) if bad is None else b.op("And", [b.op("Not", [gone]), b.op("Not", [bad])])
        for bound, op in ((step.low, "Less"), (step.high, "Greater")):
            if bound is None:
                continue
            beyond = b.op("And", [kept, b.op(op, [x, _num(b, bound)])])
            if step.outliers == "asMissingValues":
                gone = b.op("Or", [gone, beyond])
            else:
                x = b.op("Where", [beyond, _num(b, bound), x])
    if step.missing_invalid:
        _fail_on(b, gone, f"missing value of {name}")
    x = b.op("Where", [gone, _fill(b, step.replacement, text), x], "treated")
    b.define(step.outputs, x, t[1])


@emitter(Reported)
def reported(step: Reported, b: Builder) -> Emitted:
    emitted: Emitted = lookup(step.model)(step.model, b)
    classes = list(getattr(step.model, "classes", None) or [])
    read = set().union(*(references(e) for _, e, _ in step.expressions))
    for name, part, category in step.bindings:
        if name not in read:  # (a part no expression reads: the outputs take it from the prediction)
            continue
        if part == "value" and emitted.value is not None:
            b.define((name,), emitted.value)
        elif part == "probability" and emitted.probabilities is not None:
            index = next((i for i, c in enumerate(classes) if c == category or str(c) == str(category)), None)
            if index is None:
                raise refuse(f"the probability of {category!r}, which the model does not give")
            slots = tuple(f"{emitted.probabilities}#{j}" for j in range(len(classes)))
            b.define(slots, emitted.probabilities)
            b.define((name,), b.column(slots[index]))
        else:
            raise refuse(f"an Output expression over the prediction's {part}")
    for name, expr, type_ in step.expressions:
        derive(Derive((name,), expr, type_), b)
        if b.elem(name) == STRING and not never_missing(expr, b.present):
            # (read by the runtime as the value "", where the IR has none: as for ranked reason codes)
            raise refuse(f"a text Output expression that may be missing ({name!r}): an ONNX string output has no null")
        emitted.extra[name] = b.column(name)
    for name, part in step.replaces:
        if part != "value":
            raise refuse(f"an Output expression that is the prediction's {part}")
        emitted.value = b.column(name)
    return emitted


def never_missing(expr: Any, present: set[str]) -> bool:
    """An expression that always gives a value: a constant, a table / bins with a default and a fill, an
    ``if`` both of whose branches do, or a derived column of such (``present``)."""
    if isinstance(expr, Const):
        return expr.value is not None
    if isinstance(expr, Ref):
        return expr.name in present
    if isinstance(expr, (Lookup, Bins)):
        return expr.default is not None and expr.fill is not None
    if isinstance(expr, Call) and expr.function == "if" and len(expr.args) == 3:  # (a missing condition: the else)
        return all(never_missing(a, present) for a in expr.args[1:])
    return False


_ = DOUBLE
