"""Where Kafka and the Schema Registry are, and how to talk to them.

Settings are standard client keys: librdkafka's (``bootstrap.servers``, ``security.protocol``,
``sasl.*``, ``ssl.*``...) go to Kafka clients untouched, and ``schema.registry.*`` keys go to
confluent-kafka's SchemaRegistryClient with the prefix removed (``schema.registry.url`` →
``url``). The clients themselves reject unknown keys; we pass that on as ConfigError.

Sources, later ones winning: the local stack's defaults, a config file (``--config`` or
``INTERCHANGE_CONFIG``; Java-style ``.properties`` or flat ``.toml``), environment variables
(``INTERCHANGE_BOOTSTRAP_SERVERS``, ``INTERCHANGE_SCHEMA_REGISTRY_URL``, and any key as
``INTERCHANGE_KAFKA__SASL_MECHANISM`` → ``sasl.mechanism``), then ``-X key=value`` flags.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interchange.errors import ConfigError

__all__ = ["ClientConfig", "load_config", "DEFAULT_BOOTSTRAP", "DEFAULT_REGISTRY"]

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_REGISTRY = "http://127.0.0.1:8081/apis/ccompat/v7"
REGISTRY_PREFIX = "schema.registry."
_ENV_PREFIX = "INTERCHANGE_KAFKA__"


@dataclass(frozen=True)
class ClientConfig:
    """Resolved client settings: ``kafka`` for librdkafka, ``registry`` for the registry client."""

    kafka: Mapping[str, Any] = field(default_factory=dict)
    registry: Mapping[str, Any] = field(default_factory=dict)

    @property
    def bootstrap_servers(self) -> str:
        return str(self.kafka["bootstrap.servers"])

    @property
    def registry_url(self) -> str:
        return str(self.registry["url"])

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ClientConfig:
        kafka: dict[str, Any] = {}
        registry: dict[str, Any] = {}
        for key, value in settings.items():
            if key.startswith(REGISTRY_PREFIX):
                registry[key[len(REGISTRY_PREFIX) :]] = value
            else:
                kafka[key] = value
        return cls(kafka, registry)


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist", key="config")
    text = path.read_text()
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}", key="config") from exc
        return {k: v for k, v in _flatten(data).items()}
    settings: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        if "=" not in line:
            raise ConfigError(f"{path}:{number}: expected key=value, got {line!r}", key=line)
        key, value = line.split("=", 1)
        settings[key.strip()] = value.strip()
    return settings


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if "INTERCHANGE_BOOTSTRAP_SERVERS" in env:
        settings["bootstrap.servers"] = env["INTERCHANGE_BOOTSTRAP_SERVERS"]
    if "INTERCHANGE_SCHEMA_REGISTRY_URL" in env:
        settings["schema.registry.url"] = env["INTERCHANGE_SCHEMA_REGISTRY_URL"]
    for key, value in env.items():
        if key.startswith(_ENV_PREFIX):
            settings[key[len(_ENV_PREFIX) :].lower().replace("_", ".")] = value
    return settings


def load_config(
    config_file: str | Path | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    *,
    env: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve client settings from defaults, file, environment and ``key=value`` overrides."""
    env = os.environ if env is None else env
    settings: dict[str, Any] = {  # the local stack, on the ports `interchange stack` uses
        "bootstrap.servers": f"127.0.0.1:{env.get('INTERCHANGE_KAFKA_PORT', '9092')}",
        "schema.registry.url": f"http://127.0.0.1:{env.get('INTERCHANGE_REGISTRY_PORT', '8081')}/apis/ccompat/v7",
    }
    path = config_file or env.get("INTERCHANGE_CONFIG")
    if path:
        settings.update(_read_file(Path(path)))
    settings.update(_from_env(env))
    if isinstance(overrides, Mapping):
        settings.update(overrides)
    else:
        for item in overrides:
            if "=" not in item:
                raise ConfigError(f"-X expects key=value, got {item!r}", key=item)
            key, value = item.split("=", 1)
            settings[key.strip()] = value.strip()
    return ClientConfig.from_settings(settings)
