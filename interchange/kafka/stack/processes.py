"""Start, watch, signal and stop the stack's two JVMs; only processes we started are touched.

Each service has a pid file in the state directory. A pid counts as ours only while its
command line still names the class or jar we launched and our state directory, so a
recycled pid is never signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from interchange.errors import ConfigError, StackError
from interchange.kafka.stack.artifacts import require
from interchange.kafka.stack.commands import SASL_FLAG, kafka_command, keep_class_archive, registry_command
from interchange.kafka.stack.config import StackConfig

__all__ = [
    "Service",
    "services",
    "service",
    "running_pid",
    "running_sasl",
    "start",
    "stop",
    "signal_service",
    "healthy",
    "wait_healthy",
]


@dataclass(frozen=True)
class Service:
    name: str
    marker: str  # text that must appear in the process's command line
    port: int
    secure_port: int  # the SASL listener / HTTPS port, open only when started secured

    def pid_file(self, config: StackConfig) -> Path:
        return config.state_dir / f"{self.name}.pid"

    def log_file(self, config: StackConfig) -> Path:
        return config.state_dir / f"{self.name}.log"


def services(config: StackConfig) -> tuple[Service, Service]:
    return (
        Service("kafka", "kafka.Kafka", config.kafka_port, config.sasl_port),
        Service("registry", "apicurio-registry", config.registry_port, config.registry_tls_port),
    )


def service(name: str, config: StackConfig) -> Service:
    """The service called ``name`` ("kafka" or "registry")."""
    for svc in services(config):
        if svc.name == name:
            return svc
    raise ConfigError(f"unknown stack service {name!r}; expected 'kafka' or 'registry'", key="service")


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def running_pid(service: Service, config: StackConfig) -> int | None:
    """The pid of our running process for ``service``, or None."""
    try:
        pid = int(service.pid_file(config).read_text().strip())
        cmdline = _cmdline(pid)
    except (OSError, ValueError):
        return None
    return pid if service.marker in cmdline and str(config.state_dir) in cmdline else None


def running_sasl(service: Service, config: StackConfig) -> bool | None:
    """Whether our running ``service`` was started with its secured listener; None when not running."""
    pid = running_pid(service, config)
    if pid is None:
        return None
    try:
        return SASL_FLAG in _cmdline(pid)
    except OSError:
        return None


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(service: Service, config: StackConfig, sasl: bool = False) -> bool:
    """Kafka: a metadata request answers. Registry: GET /subjects answers 200. Secured ports accept."""
    if not port_open(service.port) or (sasl and not port_open(service.secure_port)):
        return False
    if service.name == "registry":
        try:
            with urllib.request.urlopen(f"{config.registry_url}/subjects", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False
    from confluent_kafka.admin import AdminClient

    try:
        AdminClient({"bootstrap.servers": config.bootstrap_servers, "log_level": 3}).list_topics(timeout=3)
        return True
    except Exception:
        return False


def start(service: Service, config: StackConfig, sasl: bool = False) -> int:
    """Launch ``service`` in the background (own session, outliving us); its pid."""
    java = require("java")
    for port in (service.port, *([service.secure_port] if sasl else [])):
        if port_open(port):
            raise StackError(
                f"port {port} on 127.0.0.1 is already taken by another program; "
                "choose others with the INTERCHANGE_*_PORT variables"
            )
    cmd, env = kafka_command(config, java, sasl) if service.name == "kafka" else registry_command(config, java, sasl)
    with service.log_file(config).open("ab") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=config.state_dir,
            env={**os.environ, **env},
            start_new_session=True,
        )
    service.pid_file(config).write_text(str(proc.pid))
    return proc.pid


def _alive(pid: int) -> bool:
    """True while any thread of ``pid`` runs; reaps it when it is our own child.

    A killed JVM's main thread shows as a zombie while its other threads (and sockets) are
    still being torn down, so a zombie leader with threads left still counts as alive.
    """
    if pid <= 0:  # never waitpid(0) / waitpid(-1): those mean "any child"
        return False
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except (OSError, IndexError):
        return False
    return state != "Z" or threads > 1


def wait_healthy(started: Sequence[tuple[Service, int]], config: StackConfig, sasl: bool = False) -> None:
    """Wait until every (service, pid) answers; StackError naming the log when one exits or times out."""
    deadline = time.monotonic() + config.start_timeout
    waiting = list(started)
    while waiting:
        for svc, pid in list(waiting):
            if healthy(svc, config, sasl):
                waiting.remove((svc, pid))
            elif not _alive(pid):
                raise StackError(f"{svc.name} exited while starting; see {svc.log_file(config)}")
        if not waiting:
            return
        if time.monotonic() > deadline:
            names = ", ".join(svc.name for svc, _ in waiting)
            raise StackError(
                f"{names} did not become healthy within {config.start_timeout:.0f}s; see the logs in {config.state_dir}"
            )
        time.sleep(0.3)


def signal_service(service: Service, config: StackConfig, sig: int, wait: float) -> bool:
    """Send ``sig`` to our process and wait up to ``wait`` s for it to exit; False if none was running."""
    pid = running_pid(service, config)
    if pid is None:
        return False
    os.killpg(pid, sig)
    deadline = time.monotonic() + wait
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    while any(port_open(p) for p in (service.port, service.secure_port)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the kernel closes the sockets last
    if _alive(pid):
        raise StackError(f"{service.name} (pid {pid}) did not exit within {wait:.0f}s of signal {sig}")
    if service.name == "registry":
        keep_class_archive(config, require("java"))
    return True


def stop(service: Service, config: StackConfig, grace: float = 30.0) -> bool:
    """SIGTERM our process, SIGKILL after ``grace`` seconds; False if none was running."""
    pid = running_pid(service, config)
    if pid is None:
        service.pid_file(config).unlink(missing_ok=True)
        return False
    try:
        signal_service(service, config, signal.SIGTERM, grace)
    except StackError:
        signal_service(service, config, signal.SIGKILL, 10.0)
    service.pid_file(config).unlink(missing_ok=True)
    return True
