"""Settings of the local stack: versions, ports, and where downloads and state live."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from interchange.errors import ConfigError

__all__ = ["StackConfig", "KAFKA_VERSION", "APICURIO_VERSION"]

KAFKA_VERSION = "4.1.1"
# Apicurio 3.1+ is compiled for Java 21; 3.0.9 is the newest 3.x line we found that runs on Java 17.
APICURIO_VERSION = "3.0.9"


def _port(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    if raw is None:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a port number", key=key) from None
    if not 0 < port < 65536:
        raise ConfigError(f"{key}={port} is outside 1-65535", key=key)
    return port


def _flag(env: Mapping[str, str], key: str) -> bool | None:
    raw = env.get(key)
    if raw is None or raw == "":
        return None
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{key}={raw!r} is not a boolean (use 1/0, true/false)", key=key)


@dataclass(frozen=True)
class StackConfig:
    """Where the local Kafka + Schema Registry run. Everything binds 127.0.0.1.

    ``sasl``: True adds a SASL_PLAINTEXT (PLAIN) Kafka listener on ``sasl_port`` and an HTTPS
    registry port ``registry_tls_port`` beside the plain ones; False drops them; None keeps
    whatever the state directory was last started with (plain for a new one).
    """

    cache_dir: Path = Path.home() / ".cache" / "interchange" / "stack"
    state_dir: Path = Path.home() / ".cache" / "interchange" / "stack" / "run"
    kafka_port: int = 9092
    controller_port: int = 9093
    registry_port: int = 8081
    sasl_port: int = 9094
    registry_tls_port: int = 8443
    sasl: bool | None = None
    kafka_version: str = KAFKA_VERSION
    apicurio_version: str = APICURIO_VERSION
    heap: str = "512m"
    kafka_gc: str = "shenandoah"  # the broker's collector: shenandoah, g1 (Kafka's own flags) or zgc
    start_timeout: float = 120.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        """Defaults overridden by INTERCHANGE_CACHE_DIR, INTERCHANGE_STACK_DIR, *_PORT, INTERCHANGE_STACK_SASL
        and INTERCHANGE_STACK_KAFKA_GC."""
        env = os.environ if env is None else env
        base = cls()
        cache = Path(env["INTERCHANGE_CACHE_DIR"]) if env.get("INTERCHANGE_CACHE_DIR") else base.cache_dir
        state = Path(env["INTERCHANGE_STACK_DIR"]) if env.get("INTERCHANGE_STACK_DIR") else cache / "run"
        return replace(
            base,
            cache_dir=cache,
            state_dir=state,
            kafka_port=_port(env, "INTERCHANGE_KAFKA_PORT", base.kafka_port),
            controller_port=_port(env, "INTERCHANGE_CONTROLLER_PORT", base.controller_port),
            registry_port=_port(env, "INTERCHANGE_REGISTRY_PORT", base.registry_port),
            sasl_port=_port(env, "INTERCHANGE_SASL_PORT", base.sasl_port),
            registry_tls_port=_port(env, "INTERCHANGE_REGISTRY_TLS_PORT", base.registry_tls_port),
            sasl=_flag(env, "INTERCHANGE_STACK_SASL"),
            kafka_gc=env.get("INTERCHANGE_STACK_KAFKA_GC") or base.kafka_gc,
        )

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def registry_url(self) -> str:
        return f"http://127.0.0.1:{self.registry_port}/apis/ccompat/v7"

    @property
    def sasl_bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.sasl_port}"

    @property
    def registry_tls_url(self) -> str:
        return f"https://127.0.0.1:{self.registry_tls_port}/apis/ccompat/v7"
