"""A real local Kafka (KRaft, single node) and Schema Registry (Apicurio), started by us.

Everything comes from Maven Central through Maven, is cached outside the repository, binds
127.0.0.1, and only the processes this package started are ever stopped. Users with their
own cluster never need it: point ``bootstrap.servers`` / ``schema.registry.url`` elsewhere.

Both services keep their state in the state directory and survive ``down`` / ``up``: Kafka its
log directory, the registry its schemas (Apicurio SQL storage on an H2 file database), so
events written before a restart still decode and schema ids never change or get reused.

API::

    up(config=None, progress=None)     start what is not running, wait until healthy (idempotent)
    down(config=None)                  stop what this package started
    status(config=None)                pids, health, and the secured client settings when on
    kill(name, config=None, hard=True) SIGKILL (hard) or SIGTERM one service ("kafka" | "registry")
                                       and wait until it has exited; for fault tests
    start_service(name, config=None)   start one service again with the same state, wait until healthy
    sasl_settings(config=None)         standard client settings for the secured listeners

Secured listeners (``StackConfig.sasl=True``, ``INTERCHANGE_STACK_SASL=1`` or ``stack up
--sasl``): Kafka adds a SASL_PLAINTEXT listener (mechanism PLAIN, users ``admin`` and
``alice``, passwords generated in ``<state>/secrets/users.json``) on ``sasl_port`` (9094,
``INTERCHANGE_SASL_PORT``), and the registry an HTTPS port ``registry_tls_port`` (8443,
``INTERCHANGE_REGISTRY_TLS_PORT``) with a certificate for 127.0.0.1 signed by a local CA
(``<state>/tls/ca.pem``). The plain listeners stay. ``<state>/sasl-client.properties`` holds
the client settings, usable as ``interchange --config``. The choice is remembered by the state
directory: a later ``up`` without a preference keeps it.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from pathlib import Path

from interchange.errors import StackError
from interchange.kafka.stack import secure
from interchange.kafka.stack.artifacts import apicurio_jar, kafka_lib, require
from interchange.kafka.stack.commands import format_kafka
from interchange.kafka.stack.config import StackConfig
from interchange.kafka.stack.processes import (
    healthy,
    running_pid,
    running_sasl,
    service,
    services,
    signal_service,
    start,
    stop,
    wait_healthy,
)
from interchange.kafka.stack.progress import SILENT, Progress

__all__ = [
    "StackConfig",
    "StackStatus",
    "Progress",
    "up",
    "down",
    "status",
    "logs",
    "kill",
    "start_service",
    "sasl_settings",
]


@dataclass(frozen=True)
class StackStatus:
    bootstrap_servers: str
    registry_url: str
    pids: dict[str, int | None]
    healthy: dict[str, bool]
    sasl: bool = False  # Kafka runs its SASL listener and the registry its HTTPS port

    @property
    def up(self) -> bool:
        return all(self.healthy.values())


def _config(config: StackConfig | None) -> StackConfig:
    return config or StackConfig.from_env()


def _mode_file(config: StackConfig) -> Path:
    return config.state_dir / "stack.json"


def _wanted_sasl(config: StackConfig) -> bool:
    """The config's choice, else what this state directory was last started with."""
    if config.sasl is not None:
        return config.sasl
    try:
        return bool(json.loads(_mode_file(config).read_text()).get("sasl", False))
    except (OSError, ValueError, AttributeError):
        return False


def status(config: StackConfig | None = None) -> StackStatus:
    config = _config(config)
    svcs = services(config)
    modes = {s.name: running_sasl(s, config) for s in svcs}
    sasl = all(modes.values())
    return StackStatus(
        config.bootstrap_servers,
        config.registry_url,
        {s.name: running_pid(s, config) for s in svcs},
        {s.name: modes[s.name] is not None and healthy(s, config, bool(modes[s.name])) for s in svcs},
        sasl,
    )


def up(config: StackConfig | None = None, progress: Progress | None = None) -> StackStatus:
    """Start whatever is not running yet and wait until everything answers; harmless when up.

    A service running without the secured listener the config asks for (or with one it no
    longer wants) is restarted; its state is kept.
    """
    config = _config(config)
    progress = progress or SILENT
    config.state_dir.mkdir(parents=True, exist_ok=True)
    sasl = _wanted_sasl(config)
    _mode_file(config).write_text(json.dumps({"sasl": sasl}) + "\n")
    if sasl:
        if not (config.state_dir / "tls" / ".complete").exists():
            progress.stage("making the registry's TLS certificate with keytool")
        secure.write_client_properties(config)
    todo = []
    for svc in services(config):
        mode = running_sasl(svc, config)
        if mode is not None and mode != sasl:
            progress.stage(f"restarting {svc.name} {'with' if sasl else 'without'} its secured listener")
            stop(svc, config)
            mode = None
        if mode is None:
            todo.append(svc)
    if todo:
        require("java")
        kafka_lib(config, progress)
        apicurio_jar(config, progress)
    started: dict[str, int] = {}
    for svc in todo:
        if svc.name == "kafka":
            if not (config.state_dir / "kafka-data" / "meta.properties").exists():
                progress.stage("formatting Kafka's log directory")
            format_kafka(config, require("java"))
        progress.stage(f"starting {svc.name}")
        started[svc.name] = start(svc, config, sasl)
    # a just-started pid, not running_pid(): /proc/<pid>/cmdline can read empty right after exec
    running = [(svc, started.get(svc.name) or running_pid(svc, config) or -1) for svc in services(config)]
    progress.stage(f"waiting for {' and '.join(svc.name for svc, _ in running)} to answer")
    wait_healthy(running, config, sasl)
    result = status(config)
    progress.stage(f"healthy: bootstrap.servers={result.bootstrap_servers} schema.registry.url={result.registry_url}")
    return result


def down(config: StackConfig | None = None) -> list[str]:
    """Stop the services this package started; names of those it stopped."""
    config = _config(config)
    return [s.name for s in reversed(services(config)) if stop(s, config)]


def kill(name: str, config: StackConfig | None = None, hard: bool = True) -> bool:
    """Kill one service ("kafka" or "registry") with SIGKILL, or SIGTERM when not ``hard``.

    Returns once the process has exited (its port then refuses connections); False when it was
    not running. Its state stays for :func:`start_service`. Meant for fault tests.
    """
    config = _config(config)
    svc = service(name, config)
    return signal_service(svc, config, signal.SIGKILL if hard else signal.SIGTERM, 10.0 if hard else 60.0)


def start_service(name: str, config: StackConfig | None = None) -> int:
    """Start one service again with the same state and listeners; wait until healthy; its pid.

    Already running: only waits for health. Other services are left as they are.
    """
    config = _config(config)
    svc = service(name, config)
    sasl = _wanted_sasl(config)
    pid = running_pid(svc, config)
    if pid is None:
        pid = start(svc, config, sasl)
    wait_healthy([(svc, pid)], config, sasl)
    return pid


def sasl_settings(config: StackConfig | None = None) -> dict[str, str]:
    """Standard client settings for the secured listeners (``bootstrap.servers``, ``sasl.*``,
    ``schema.registry.url``, ``schema.registry.ssl.ca.location``); StackError when the stack
    runs without them."""
    config = _config(config)
    if not status(config).sasl:
        raise StackError("the local stack does not run its SASL listener; start it with `interchange stack up --sasl`")
    return secure.client_settings(config)


def logs(config: StackConfig | None = None, service: str = "kafka", lines: int = 50) -> str:
    config = _config(config)
    path = {s.name: s for s in services(config)}[service].log_file(config)
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
