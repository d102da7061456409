"""A model's input and output contract, shared by every format.

One :class:`Signature` describes what a model consumes (ordered input fields with data type,
operational type, allowed values and missing-value policy) and what it produces (label,
value, per-class probabilities, cluster id, ...). Avro schemas for the Schema Registry are
derived from it, never written by hand per model, and it round-trips through JSON unchanged
so it can travel inside documents and model envelopes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from interchange.avronames import ORIGINAL, field_map
from interchange.errors import InterchangeError, SchemaError

__all__ = [
    "DataType",
    "OpType",
    "OutputKind",
    "InputField",
    "OutputField",
    "Signature",
    "class_index",
    "avro_name",
    "lineage_fields",
    "MODEL_REF",
    "SOURCE_REF",
    "ROLES",
]

# array: a vector of doubles (PFA array inputs); avro: any other value, its Avro type in the field's ``schema``
DataType = Literal["double", "integer", "string", "boolean", "array", "avro"]
OpType = Literal["continuous", "categorical", "ordinal"]
OutputKind = Literal["label", "value", "probability", "decision", "cluster", "score", "affinity"]

_AVRO_TYPES: dict[str, Any] = {
    "double": "double",
    "integer": "long",
    "string": "string",
    "boolean": "boolean",
    "array": {"type": "array", "items": "double"},
}
_NAME_RE = re.compile(r"[^A-Za-z0-9_]")
MODEL_REF = "model"  # the field of a prediction naming the model version that made it
SOURCE_REF = "source"  # the field of a prediction naming the event it scored (topic, partition, offset)
ROLES = ("base", "canary", "shadow")  # how a scorer served a version: the route's base, its canary, its shadow
_LINEAGE_FIELDS = (MODEL_REF, SOURCE_REF)


def class_index(classes: Sequence[Any], target: Any, error: type[InterchangeError] = SchemaError, **context: Any) -> int:
    """Where class ``target`` stands among a model's ``classes``, compared as itself or as text (a PMML
    value="0" for class 0); a class the model does not have raises ``error`` with ``context``
    (a writer's UnsupportedModelError naming its format, the IR's ModelError naming the field)."""
    for i, c in enumerate(classes):
        if c == target or str(c) == str(target):
            return i
    raise error(f"class {target!r} is not among the model's classes {list(classes)}", **context)


def avro_name(text: str) -> str:
    """An Avro-legal name for ``text`` (``[A-Za-z_][A-Za-z0-9_]*``)."""
    name = _NAME_RE.sub("_", str(text))
    return name if name and not name[0].isdigit() else f"_{name}"


@dataclass(frozen=True)
class InputField:
    """One input column. ``values`` lists allowed categories for categorical fields."""

    name: str
    type: DataType = "double"
    optype: OpType = "continuous"
    values: tuple[Any, ...] | None = None
    nullable: bool = True
    schema: Any = None  # the declared Avro type of an "avro" field (a PFA record, map, array of strings, ...)

    def avro(self, name: str | None = None) -> dict[str, Any]:
        """The Avro field, named ``name`` (a legal name for ``self.name``) when given."""
        base = _avro_type(self)
        if self.nullable:
            return _named({"type": _nullable(base), "default": None}, self.name, name)
        return _named({"type": base}, self.name, name)


@dataclass(frozen=True)
class OutputField:
    """One output column.

    ``kind`` says what it means; ``target`` is the class value it refers to (probability,
    decision) so a consumer never parses the field name to find the class.
    """

    name: str
    kind: OutputKind
    type: DataType = "double"
    target: Any = None
    schema: Any = None  # the declared Avro type of an "avro" output (a PFA array, map, record, ...)

    def avro(self, name: str | None = None) -> dict[str, Any]:
        """The Avro field, named ``name`` (a legal name for ``self.name``) when given."""
        return _named({"type": _nullable(_avro_type(self)), "default": None}, self.name, name)


def _avro_type(f: InputField | OutputField) -> Any:
    if f.type == "avro":
        if f.schema is None:
            raise SchemaError(f"field {f.name!r} is of type avro but declares no schema", field=f.name)
        return f.schema
    return _AVRO_TYPES[f.type]


def _nullable(base: Any) -> list[Any]:
    """``base`` as a union whose first branch is null (so the field can default to null)."""
    branches = base if isinstance(base, list) else [base]
    return ["null", *(b for b in branches if b != "null")]


@dataclass(frozen=True)
class Signature:
    """Ordered inputs and outputs of a model, the same for ONNX, PMML and PFA."""

    inputs: tuple[InputField, ...]
    outputs: tuple[OutputField, ...]
    classes: tuple[Any, ...] | None = None
    task: Literal["classification", "regression", "clustering", "outlier", "transform"] = "regression"
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for group in (self.inputs, self.outputs):
            names = [f.name for f in group]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise SchemaError(f"duplicate field names in signature: {dupes}", field=dupes[0])

    @property
    def input_names(self) -> list[str]:
        return [f.name for f in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [f.name for f in self.outputs]

    def input(self, name: str) -> InputField:
        for f in self.inputs:
            if f.name == name:
                return f
        raise SchemaError(f"no input field named {name!r}; inputs are {self.input_names}", field=name)

    def output(self, kind: OutputKind) -> list[OutputField]:
        return [f for f in self.outputs if f.kind == kind]

    # --- Avro -------------------------------------------------------------------------
    def input_field_map(self) -> dict[str, str]:
        """Input name -> its Avro field name (the same name when it is already legal Avro)."""
        return field_map(self.input_names)

    def output_field_map(self) -> dict[str, str]:
        """Output name -> its Avro field name in predictions (``model`` and ``source`` carry the lineage)."""
        for taken in _LINEAGE_FIELDS:
            if taken in self.output_names:
                raise SchemaError(
                    f"an output field is named {taken!r}, a field predictions use for their lineage "
                    "(the model version that made them, the event they scored); rename that output in the document",
                    field=taken,
                )
        return field_map(self.output_names, reserved=_LINEAGE_FIELDS)

    def input_schema(self, model: str) -> dict[str, Any]:
        """The Avro record schema of feature events for ``model``.

        Column names that are not legal Avro names get legal ones (``sepal length (cm)`` ->
        ``sepal_length_cm``) and keep the original as the field's ``x-interchange-name``.
        """
        names = self.input_field_map()
        return {
            "type": "record",
            "name": "Input",
            "namespace": f"interchange.models.{avro_name(model)}",
            "doc": f"Feature event for model {model}",
            "fields": [f.avro(names[f.name]) for f in self.inputs],
        }

    def output_schema(self, model: str) -> dict[str, Any]:
        """The Avro record schema of predictions: output fields plus their lineage.

        ``model`` names the version that made the prediction (name, version, format, the
        document's sha256, the role it served in); ``source`` the event it scored (topic,
        partition, offset). The fields added after the first release (``sha256``, ``role``,
        ``source``) are nullable with a null default, so a reader with this schema resolves
        predictions written before them, and the subject stays BACKWARD compatible.
        """
        names = self.output_field_map()
        fields = [f.avro(names[f.name]) for f in self.outputs]
        fields += lineage_fields()
        return {
            "type": "record",
            "name": "Output",
            "namespace": f"interchange.models.{avro_name(model)}",
            "doc": f"Prediction of model {model}",
            "fields": fields,
        }

    # --- JSON round trip --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=_json_default, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signature:
        def tup(v: Any) -> tuple[Any, ...] | None:
            return None if v is None else tuple(v)

        return cls(
            inputs=tuple(InputField(**{**f, "values": tup(f.get("values"))}) for f in data["inputs"]),
            outputs=tuple(OutputField(**f) for f in data["outputs"]),
            classes=tup(data.get("classes")),
            task=data.get("task", "regression"),
            meta=dict(data.get("meta") or {}),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Signature:
        return cls.from_dict(json.loads(text))

    # --- inference --------------------------------------------------------------------
    @staticmethod
    def infer_inputs(sample: Any, names: Sequence[str] | None = None) -> tuple[InputField, ...]:
        """Input fields inferred from sample data (DataFrame, dict of arrays or 2-D array).

        Numeric columns become continuous doubles, text and categorical columns categorical
        strings with the sample's values. Every field accepts missing values; a model that
        cannot handle them reports that at evaluation time.
        """
        import pandas as pd

        if isinstance(sample, pd.DataFrame):
            frame = sample
        elif isinstance(sample, dict):
            frame = pd.DataFrame({k: np.asarray(v) for k, v in sample.items()})
        else:
            arr = np.asarray(sample)
            if arr.ndim != 2:
                raise SchemaError(f"sample must be 2-D (rows x features), got shape {arr.shape}")
            cols = list(names) if names is not None else [f"x{i}" for i in range(arr.shape[1])]
            frame = pd.DataFrame(arr, columns=cols)
        fields = []
        for col in frame.columns:
            s = frame[col]
            name = str(col)
            if pd.api.types.is_bool_dtype(s):
                fields.append(InputField(name, "boolean", "categorical", (False, True)))
            elif pd.api.types.is_numeric_dtype(s):
                fields.append(InputField(name, "double", "continuous"))
            else:
                values = tuple(sorted({str(v) for v in s.dropna().unique()}))
                fields.append(InputField(name, "string", "categorical", values))
        return tuple(fields)


def _named(field: dict[str, Any], original: str, name: str | None) -> dict[str, Any]:
    """``field`` named ``name``; the original name is kept as an attribute when the two differ."""
    if name is None or name == original:
        return {"name": original, **field}
    return {"name": name, **field, ORIGINAL: original}


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def lineage_fields() -> list[dict[str, Any]]:
    """The lineage fields every prediction carries, after the outputs (see :meth:`Signature.output_schema`)."""
    role = {"type": "enum", "name": "Role", "symbols": list(ROLES), "doc": "How the scorer served this version"}
    source = {
        "type": "record",
        "name": "Source",
        "doc": "The feature event this prediction scored",
        "fields": [{"name": "topic", "type": "string"}, {"name": "partition", "type": "int"}, {"name": "offset", "type": "long"}],
    }
    return [
        {
            "name": MODEL_REF,
            "type": {
                "type": "record",
                "name": "ModelRef",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "int"},
                    {"name": "format", "type": "string"},
                    {"name": "sha256", "type": ["null", "string"], "default": None},
                    {"name": "role", "type": ["null", role], "default": None},
                ],
            },
        },
        {"name": SOURCE_REF, "type": ["null", source], "default": None},
    ]
