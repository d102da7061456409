"""Treat (PMML MiningField treatments) and Reported (Output expressions) as PFA let-bindings.

A treated field is one ``let`` of an ``ifnotnull`` over the input: a present value listed
missing, or made missing (``asMissing``, an outlier under ``asMissingValues``), takes the
missing branch; an invalid one (listed invalid, outside every Interval and not listed valid, a
categorical value not among the valid ones) is kept, replaced, or fails the record with
``error`` (``returnInvalid``: the IR's RecordError); outliers are clamped under
``asExtremeValues``. The missing branch is the replacement, ``error`` under
missingValueTreatment="returnInvalid", or null (the column stays nullable: a step that cannot
take a missing value reads it through ``impute.errorOnNull``). Reported binds the parts of
its model's prediction and writes each expression as a Derive (interchange.ir.reported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.expressions import write_derive
from interchange.ir.derive.expressions import Derive, references
from interchange.ir.reported import Reported
from interchange.ir.validity import Interval, Treat
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["write_treat", "VALIDITY_WRITERS"]

_V = "tv"  # the present value inside the ifnotnull


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {what} yet", format="pfa", supported_formats=["pmml"])


def _literal(v: Any, kind: str) -> Any:
    if kind == "string":
        return {"string": str(v)}
    return float(v)


def _among(values: tuple[Any, ...], kind: str) -> Any:
    tests: list[Any] = []
    for v in values:
        try:
            literal = _literal(v, kind)
            # a listed NaN (sklearn2pmml's <Value value="NaN" property="missing"/>) is met by a NaN value; JSON has no NaN
            tests.append({"impute.isnan": _V} if literal != literal else {"==": [_V, literal]})
        except (TypeError, ValueError):  # a text value listed for a numeric field matches no number
            continue
    if not tests:
        return False
    out = tests[0]
    for t in tests[1:]:
        out = {"||": [out, t]}
    return out


def _inside(iv: Interval) -> Any:
    tests: list[Any] = [{"!": {"impute.isnan": _V}}]
    if iv.low is not None:
        tests.append({">=" if iv.closure.startswith("closed") else ">": [_V, float(iv.low)]})
    if iv.high is not None:
        tests.append({"<=" if iv.closure.endswith("Closed") else "<": [_V, float(iv.high)]})
    out = tests[0]
    for t in tests[1:]:
        out = {"&&": [out, t]}
    return out


def _or(parts: list[Any]) -> Any:
    out = parts[0]
    for p in parts[1:]:
        out = {"||": [out, p]}
    return out


def write_treat(w: _Writer, step: Treat) -> None:
    """Bind the treated column (see the module doc)."""
    name = step.inputs[0]
    expr, kind, nullable = w.cols[name]
    if kind not in ("double", "string"):
        raise _refuse(f"the treatment of a {kind} field")
    if kind == "string" and (step.intervals or step.outliers != "asIs"):
        raise _refuse("Interval validity or outliers of a text field")
    absent: Any
    if step.missing_invalid:
        absent = {"error": f"field {name} is missing and its model returns invalid for it"}
    elif step.replacement is not None:
        absent = _literal(step.replacement, kind)
    else:
        absent = None
    present: Any = _V
    if kind == "double" and step.outliers != "asIs":
        for bound, op in ((step.high, ">"), (step.low, "<")):
            if bound is not None:
                then = absent if step.outliers == "asMissingValues" else float(bound)
                present = {"if": {op: [_V, float(bound)]}, "then": then, "else": present}
    bad: list[Any] = []
    if step.invalid_values:
        bad.append(_among(step.invalid_values, kind))
    if step.intervals:
        inside = _or([_inside(iv) for iv in step.intervals])
        bad.append({"&&": [{"!": inside}, {"!": _among(step.valid, kind)}]})
    elif step.valid and step.optype != "continuous":
        bad.append({"!": _among(step.valid, kind)})
    if bad:
        treated: Any = {
            "returnInvalid": {"error": f"value of field {name} is invalid"},
            "asMissing": absent,
            "asValue": _literal(step.invalid_replacement, kind) if step.invalid == "asValue" else None,
            "asIs": _V,
        }[step.invalid]
        present = {"if": _or(bad), "then": treated, "else": present}
    if step.missing_values:
        present = {"if": _among(step.missing_values, kind), "then": absent, "else": present}
    body = {"ifnotnull": {_V: expr}, "then": present, "else": absent} if nullable else {"do": [{"let": {_V: expr}}, present]}
    outlying = kind == "double" and step.outliers == "asMissingValues" and (step.low is not None or step.high is not None)
    made_missing = nullable or bool(step.missing_values) or (bool(bad) and step.invalid == "asMissing") or outlying
    w.bind(step.outputs[0], body, kind, absent is None and made_missing)


def _reported(w: _Writer, step: Reported, sig: Signature) -> dict[str, Any]:
    from interchange.formats.pfa.emit.document import _model

    parts = dict(_model(w, step.model, sig))
    classes = list(getattr(step.model, "classes", None) or sig.classes or ())
    read = set().union(*(references(e) for _, e, _ in step.expressions))
    for name, part, category in step.bindings:
        if name not in read:  # (a part no expression reads: the outputs take it from the prediction)
            continue
        if part == "probability" and "probs" in w.cols:
            index = next((i for i, c in enumerate(classes) if c == category or str(c) == str(category)), None)
            if index is None or not classes:
                raise _refuse(f"the probability of {category!r}, which the model does not give")
            w.bind(name, {"attr": "probs", "path": [index]})
        elif part == "value" and "value" in parts:
            w.bind(name, parts["value"])
        else:
            raise _refuse(f"an Output expression over the prediction's {part}")
    for name, expr, type_ in step.expressions:
        write_derive(w, Derive((name,), expr, type_))
        symbol, _, _ = w.cols[name]
        field = next((f for f in sig.outputs if f.name == name), None)
        if field is not None and field.type == "integer":  # an Avro long output: the whole double, null for NaN
            symbol = {"if": {"impute.isnan": symbol}, "then": None, "else": {"m.round": symbol}}
            if field.kind == "label":
                parts["nullable:label"] = True
        if field is not None and field.type == "boolean":  # the IR's 1 / 0 flag as a boolean, null when missing
            flag = {"!=": ["bv", 0.0]}
            if w.cols[name][2]:
                symbol = {"ifnotnull": {"bv": symbol}, "then": flag, "else": None}
            else:
                symbol = {"do": [{"let": {"bv": symbol}}, {"if": {"impute.isnan": "bv"}, "then": None, "else": flag}]}
        if field is not None and field.kind in ("value", "label"):
            parts[f"out:{name}"] = symbol
            continue
        parts[f"extra:{name}"] = symbol
    for name, part in step.replaces:
        parts[part] = parts.pop(f"out:{name}", w.cols[name][0])
    return parts


VALIDITY_WRITERS: dict[type, Any] = {Reported: _reported}
