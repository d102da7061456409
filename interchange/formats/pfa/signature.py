"""The signature of a PFA document we did not write, read off its input and output Avro types.

Every Avro type PFA allows comes through: numbers, integers (int, long), strings, enums (their
symbols become the allowed values), booleans and numeric arrays map to the signature's plain
types; records, maps, arrays of anything else, bytes, fixed and unions of several types become
``avro`` fields carrying their declared type, so events and predictions keep their shape in
Avro and in JSON. Named types are written out where first used, as Avro requires.
"""

from __future__ import annotations

from typing import Any

from interchange.signature import InputField, OutputField, Signature

__all__ = ["read_signature"]

_NUMBERS = {"double": "double", "float": "double", "int": "integer", "long": "integer"}
_NAMED = ("record", "enum", "fixed")


def _full_name(t: dict[str, Any], namespace: str | None) -> str:
    name = str(t.get("name", ""))
    space = t.get("namespace", namespace)
    return name if "." in name or not space else f"{space}.{name}"


def _collect(t: Any, named: dict[str, Any], namespace: str | None = None) -> None:
    """Every named type declared inside ``t``, by full and short name."""
    if isinstance(t, list):
        for branch in t:
            _collect(branch, named, namespace)
    elif isinstance(t, dict):
        kind = t.get("type")
        if kind in _NAMED:
            full = _full_name(t, namespace)
            named.setdefault(full, t)
            named.setdefault(str(t.get("name")), t)
            namespace = full.rpartition(".")[0] or None
        for f in t.get("fields", []) if kind == "record" else []:
            _collect(f.get("type"), named, namespace)
        if kind in ("array", "map"):
            _collect(t.get("items") if kind == "array" else t.get("values"), named, namespace)


def _resolved(t: Any, named: dict[str, Any]) -> Any:
    return named.get(t, t) if isinstance(t, str) else t


def _expanded(t: Any, named: dict[str, Any], defined: set[str]) -> Any:
    """``t`` with each named type written in full at its first use (then referred to by name)."""
    if isinstance(t, str) and t in named:
        definition = named[t]
        key = str(definition.get("name"))
        if key in defined:
            return t
        return _expanded(definition, named, defined)
    if isinstance(t, list):
        return [_expanded(b, named, defined) for b in t]
    if not isinstance(t, dict):
        return t
    kind = t.get("type")
    if kind in _NAMED:
        defined.add(str(t.get("name")))
    if kind == "record":
        return {**t, "fields": [{**f, "type": _expanded(f.get("type"), named, defined)} for f in t.get("fields", [])]}
    if kind == "array":
        return {**t, "items": _expanded(t.get("items"), named, defined)}
    if kind == "map":
        return {**t, "values": _expanded(t.get("values"), named, defined)}
    return t


def _shape(t: Any, named: dict[str, Any]) -> tuple[str, bool, tuple[Any, ...] | None]:
    """(signature type, nullable, allowed values) of an Avro type; "avro" when no plain type says it."""
    t = _resolved(t, named)
    if isinstance(t, list):
        options = [b for b in t if b != "null"]
        if len(options) == 1:
            kind, _, values = _shape(options[0], named)
            return kind, "null" in t, values
        return "avro", "null" in t, None
    if isinstance(t, dict) and t.get("type") == "enum":
        return "string", False, tuple(t.get("symbols", ()))
    if isinstance(t, dict) and t.get("type") == "array" and str(_resolved(t.get("items"), named)) in _NUMBERS:
        return "array", False, None
    if isinstance(t, dict) and t.get("type") in _NUMBERS and len(t) == 1:
        t = t["type"]
    if isinstance(t, str) and t in _NUMBERS:
        return _NUMBERS[t], False, None
    if isinstance(t, str) and t in ("string", "boolean"):
        return t, False, None
    return "avro", False, None


def _fields(t: Any, default_name: str, named: dict[str, Any]) -> list[tuple[str, Any]]:
    resolved = _resolved(t, named)
    if isinstance(resolved, dict) and resolved.get("type") == "record":
        return [(f["name"], f["type"]) for f in resolved.get("fields", [])]
    return [(default_name, t)]


def read_signature(doc: dict[str, Any]) -> Signature:
    """The signature of a PFA document (``doc`` parsed from JSON) from its declared types."""
    named: dict[str, Any] = {}
    for key in ("input", "output"):
        _collect(doc[key], named)
    for cell in (doc.get("cells") or {}).values():
        if isinstance(cell, dict):
            _collect(cell.get("type"), named)
    inputs: list[InputField] = []
    defined: set[str] = set()
    for name, t in _fields(doc["input"], "input", named):
        kind, _, values = _shape(t, named)  # every input field accepts missing values; titus2 refuses them where not allowed
        schema = _expanded(t, named, defined) if kind == "avro" else None
        optype = "categorical" if kind in ("string", "boolean") else "continuous"
        inputs.append(InputField(name, kind, optype, values, True, schema))  # type: ignore[arg-type]  # _shape gives DataType names
    outputs, defined = [], set()
    for name, t in _fields(doc["output"], "output", named):
        kind, _, _ = _shape(t, named)
        schema = _expanded(t, named, defined) if kind == "avro" else None
        # a number is a value; anything else (text, integers, booleans, structures) is not forced to float
        outputs.append(OutputField(name, "value" if kind == "double" else "label", kind, schema=schema))  # type: ignore[arg-type]  # _shape gives DataType names
    return Signature(tuple(inputs), tuple(outputs))
