"""JSON records checked against a model's signature before they reach the model.

The JSON Schema is derived from the signature (never written per model): each input field's
type, ``null`` allowed where the field is nullable, required where it is not, and no unknown
fields, so a misspelt name is reported instead of silently becoming a missing value.
Allowed categories are left to the model, which knows whether it ignores unknown ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from interchange.errors import RecordError
from interchange.signature import Signature

__all__ = ["record_schema", "check_records"]

_JSON_TYPES = {"double": "number", "integer": "integer", "string": "string", "boolean": "boolean"}


def record_schema(signature: Signature) -> dict[str, Any]:
    """The JSON Schema of one input record of ``signature``."""
    props: dict[str, Any] = {}
    for f in signature.inputs:
        if f.type == "array":
            prop: dict[str, Any] = {"type": ["array", "null"] if f.nullable else "array", "items": {"type": "number"}}
        else:
            kind = _JSON_TYPES[f.type]
            prop = {"type": [kind, "null"] if f.nullable else kind}
        props[f.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": [f.name for f in signature.inputs if not f.nullable],
        "additionalProperties": False,
    }


@lru_cache(maxsize=256)
def _validator(signature_json: str) -> Draft202012Validator:
    return Draft202012Validator(record_schema(Signature.from_json(signature_json)))


def _field(error: Any, record: Any) -> str | None:
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required" and isinstance(record, dict):
        return next((n for n in error.validator_value if n not in record), None)
    if error.validator == "additionalProperties" and isinstance(record, dict):
        return next((n for n in record if n not in error.schema.get("properties", {})), None)
    return None


def check_records(signature_json: str, records: list[Any]) -> None:
    """RecordError naming the record index and field of the first record that does not fit."""
    validator = _validator(signature_json)
    for i, record in enumerate(records):
        error = next(iter(sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            field = _field(error, record)
            where = f"field {field!r}" if field else "the record"
            raise RecordError(f"record {i}: {where}: {error.message}", field=field, record=i)
