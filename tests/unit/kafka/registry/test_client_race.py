"""Two publishes of one new model at once: the second to set the subject's compatibility reads the first's."""

from __future__ import annotations

from typing import Any

from confluent_kafka.schema_registry.error import SchemaRegistryError

from interchange.kafka.registry.client import Registry


class _Client:
    """A registry where another publish sets the subject's compatibility between our read and our write."""

    def __init__(self) -> None:
        self.level: str | None = None

    def get_compatibility(self, subject: str) -> Any:
        if self.level is None:
            raise SchemaRegistryError(404, 40401, "subject not found")
        return self.level

    def set_compatibility(self, subject: str, level: str) -> Any:
        self.level = "FULL"  # the other publish won
        raise SchemaRegistryError(409, 0, "A rule named 'COMPATIBILITY' already exists.")


def test_compatibility_set_meanwhile_is_read_back() -> None:
    registry = Registry.__new__(Registry)
    registry.client, registry.url = _Client(), "http://registry"
    assert registry.compatibility("m-output") == "FULL"
