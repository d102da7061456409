"""A real local Kafka (KRaft, single node) and Schema Registry (Apicurio), started by us.

Everything comes from Maven Central through Maven, is cached outside the repository, binds
127.0.0.1, and only the processes this package started are ever stopped. Users with their
own cluster never need it: point ``bootstrap.servers`` / ``schema.registry.url`` elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from interchange.stack.config import StackConfig
from interchange.stack.processes import healthy, running_pid, services, start, stop, wait_healthy

__all__ = ["StackConfig", "StackStatus", "up", "down", "status", "logs"]


@dataclass(frozen=True)
class StackStatus:
    bootstrap_servers: str
    registry_url: str
    pids: dict[str, int | None]
    healthy: dict[str, bool]

    @property
    def up(self) -> bool:
        return all(self.healthy.values())


def status(config: StackConfig | None = None) -> StackStatus:
    config = config or StackConfig.from_env()
    svcs = services(config)
    return StackStatus(
        config.bootstrap_servers,
        config.registry_url,
        {s.name: running_pid(s, config) for s in svcs},
        {s.name: running_pid(s, config) is not None and healthy(s, config) for s in svcs},
    )


def up(config: StackConfig | None = None) -> StackStatus:
    """Start whatever is not running yet and wait until both answer; harmless when up."""
    config = config or StackConfig.from_env()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    for service in services(config):
        pid = running_pid(service, config)
        if pid is None:
            pid = start(service, config)
        wait_healthy(service, config, pid)
    return status(config)


def down(config: StackConfig | None = None) -> list[str]:
    """Stop the services this package started; names of those it stopped."""
    config = config or StackConfig.from_env()
    return [s.name for s in reversed(services(config)) if stop(s, config)]


def logs(config: StackConfig | None = None, service: str = "kafka", lines: int = 50) -> str:
    config = config or StackConfig.from_env()
    path = {s.name: s for s in services(config)}[service].log_file(config)
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
