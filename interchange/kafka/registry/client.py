"""Subjects, compatibility rules and schema ids, through confluent-kafka's registry client.

Subjects are ``<model>-input`` and ``<model>-output``; the model topic's envelope uses the
topic-name strategy (``<topic>-value``). A new schema version that breaks a subject's
compatibility rule (BACKWARD unless the subject says otherwise) is refused with a
SchemaError naming the offending field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from interchange.avronames import ORIGINAL
from interchange.errors import ConfigError, RegistryError, SchemaError
from interchange.kafka.config import ClientConfig

__all__ = ["Registry", "input_subject", "output_subject", "incompatible_fields"]

DEFAULT_COMPATIBILITY = "BACKWARD"


def input_subject(model: str) -> str:
    return f"{model}-input"


def output_subject(model: str) -> str:
    return f"{model}-output"


class Registry:
    """A Schema Registry reached with the user's ``schema.registry.*`` settings."""

    def __init__(self, config: ClientConfig) -> None:
        try:
            self.client = SchemaRegistryClient(dict(config.registry))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"bad schema registry settings: {exc}", key="schema.registry") from exc
        self.url = config.registry_url

    def _call(self, what: str, subject: str | None, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except SchemaRegistryError as exc:
            raise RegistryError(
                f"schema registry refused to {what}: {exc}", subject=subject, status=exc.http_status_code
            ) from exc
        except Exception as exc:  # connection refused, DNS, TLS ...
            raise RegistryError(f"cannot reach the schema registry at {self.url} to {what}: {exc}", subject=subject) from exc

    def latest(self, subject: str) -> dict[str, Any] | None:
        """The latest schema registered under ``subject``, or None for a new subject."""
        try:
            registered = self.client.get_latest_version(subject)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                return None
            raise RegistryError(f"schema registry refused to read {subject}: {exc}", subject=subject) from exc
        except Exception as exc:
            raise RegistryError(f"cannot reach the schema registry at {self.url}: {exc}", subject=subject) from exc
        if registered.schema.schema_str is None:
            raise RegistryError(f"schema registry returned no schema text for {subject}", subject=subject)
        return json.loads(registered.schema.schema_str)

    def compatibility(self, subject: str) -> str:
        """The subject's compatibility level; a new subject gets BACKWARD."""
        try:
            return str(self.client.get_compatibility(subject))
        except SchemaRegistryError:
            pass
        except Exception as exc:
            raise RegistryError(f"cannot reach the schema registry at {self.url}: {exc}", subject=subject) from exc
        try:
            self._call("set compatibility", subject, self.client.set_compatibility, subject, DEFAULT_COMPATIBILITY)
        except RegistryError as exc:
            if exc.context.get("status") != 409:
                raise
            # another publish of the same new subject set it first (Apicurio answers 409): read theirs
            return str(self._call("read compatibility", subject, self.client.get_compatibility, subject))
        return DEFAULT_COMPATIBILITY

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        """Register ``schema`` under ``subject`` (checking compatibility first); its id."""
        previous = self.latest(subject)
        level = self.compatibility(subject)
        if previous is not None:
            bad = incompatible_fields(previous, schema, level)
            ok = self._call(
                "test compatibility", subject, self.client.test_compatibility, subject, Schema(json.dumps(schema), "AVRO")
            )
            if bad or not ok:
                field = bad[0][0] if bad else None
                why = "; ".join(f"{f}: {reason}" for f, reason in bad) or "the registry says it is incompatible"
                raise SchemaError(
                    f"new schema for {subject} breaks its {level} compatibility rule ({why}). Give new "
                    "input fields a default (they become nullable), keep existing field types, or "
                    "publish under a new model name.",
                    subject=subject,
                    field=field,
                    compatibility=level,
                )
        return int(
            self._call("register a schema", subject, self.client.register_schema, subject, Schema(json.dumps(schema), "AVRO"))
        )

    def subject_ids(self, subject: str) -> set[int]:
        """The ids of every schema version registered under ``subject`` (empty for a new subject)."""
        try:
            versions = self.client.get_versions(subject)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                return set()
            raise RegistryError(f"schema registry refused to list {subject}: {exc}", subject=subject) from exc
        except Exception as exc:
            raise RegistryError(f"cannot reach the schema registry at {self.url}: {exc}", subject=subject) from exc
        return {int(self._call("read a version", subject, self.client.get_version, subject, v).schema_id) for v in versions}

    def schema(self, schema_id: int) -> dict[str, Any]:
        """The schema with ``schema_id`` (cached: ids never change)."""
        return _schema_by_id(self, schema_id)


@lru_cache(maxsize=1024)
def _schema_by_id(registry: Registry, schema_id: int) -> dict[str, Any]:
    found = registry._call("read schema id", None, registry.client.get_schema, schema_id)
    return json.loads(found.schema_str)


_PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}


def _readable(writer: Any, reader: Any) -> bool:
    """Can data written with Avro type ``writer`` be read as ``reader`` (Avro 1.11 resolution)?"""
    if isinstance(reader, list):
        options = writer if isinstance(writer, list) else [writer]
        return all(any(_readable(w, r) for r in reader) for w in options)
    if isinstance(writer, list):
        return all(_readable(w, reader) for w in writer)
    if isinstance(writer, dict) or isinstance(reader, dict):
        w = writer.get("type") if isinstance(writer, dict) else writer
        r = reader.get("type") if isinstance(reader, dict) else reader
        return w == r
    return writer == reader or (writer, reader) in _PROMOTIONS


def incompatible_fields(old: dict[str, Any], new: dict[str, Any], level: str) -> list[tuple[str, str]]:
    """Fields of record schemas that break ``level`` (BACKWARD, FORWARD, FULL and *_TRANSITIVE)."""
    level = level.upper().replace("_TRANSITIVE", "")
    if level == "NONE":
        return []
    old_f = {f["name"]: f for f in old.get("fields", [])}
    new_f = {f["name"]: f for f in new.get("fields", [])}
    bad: list[tuple[str, str]] = []

    def check(writer: dict[str, Any], reader: dict[str, Any], direction: str) -> None:
        for name, f in reader.items():
            if name not in writer:
                if "default" not in f:
                    bad.append((name, f"{direction}: field has no default, so older events cannot be read"))
            elif not _readable(writer[name]["type"], f["type"]):
                bad.append((name, f"{direction}: type {writer[name]['type']!r} cannot be read as {f['type']!r}"))

    if level in ("BACKWARD", "FULL"):
        check(old_f, new_f, "backward")
    if level in ("FORWARD", "FULL"):
        check(new_f, old_f, "forward")
    bad += _moved_columns(old_f, new_f)
    return bad


def _moved_columns(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Avro fields whose column moved to another field (a new legal column took its Avro name).

    Resolution matches fields by Avro name, so older events would silently fill the wrong column.
    """

    def original(f: dict[str, Any]) -> str:
        return f.get(ORIGINAL, f["name"])

    new_field_of = {original(f): name for name, f in new.items()}
    bad = []
    for name in old.keys() & new.keys():
        was, now = original(old[name]), original(new[name])
        if was != now and new_field_of.get(was, name) != name:
            bad.append((name, f"field held column {was!r} and now holds {now!r}; {was!r} moved to field {new_field_of[was]!r}"))
    return bad
