"""Start, watch and stop the stack's two JVMs; only processes we started are ever stopped.

Each service has a pid file in the state directory. A pid counts as ours only while its
command line still names the class or jar we launched, so a recycled pid is never killed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from interchange.errors import StackError
from interchange.stack.artifacts import apicurio_jar, kafka_lib, require
from interchange.stack.config import StackConfig

__all__ = ["Service", "services", "running_pid", "start", "stop", "healthy"]

_LOG4J = """status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
"""


@dataclass(frozen=True)
class Service:
    name: str
    marker: str  # text that must appear in the process's command line
    port: int

    def pid_file(self, config: StackConfig) -> Path:
        return config.state_dir / f"{self.name}.pid"

    def log_file(self, config: StackConfig) -> Path:
        return config.state_dir / f"{self.name}.log"


def services(config: StackConfig) -> tuple[Service, Service]:
    return (Service("kafka", "kafka.Kafka", config.kafka_port), Service("registry", "apicurio-registry", config.registry_port))


def running_pid(service: Service, config: StackConfig) -> int | None:
    """The pid of our running process for ``service``, or None."""
    try:
        pid = int(service.pid_file(config).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return None
    return pid if service.marker in cmdline and str(config.state_dir) in cmdline else None


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(service: Service, config: StackConfig) -> bool:
    """Kafka: a metadata request answers. Registry: GET /subjects answers 200."""
    if not _port_open(service.port):
        return False
    if service.name == "registry":
        try:
            with urllib.request.urlopen(f"{config.registry_url}/subjects", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False
    from confluent_kafka.admin import AdminClient

    try:
        AdminClient({"bootstrap.servers": config.bootstrap_servers}).list_topics(timeout=3)
        return True
    except Exception:
        return False


def _kafka_command(config: StackConfig, java: str) -> list[str]:
    lib = kafka_lib(config)
    data = config.state_dir / "kafka-data"
    props = config.state_dir / "server.properties"
    props.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{config.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{config.kafka_port},CONTROLLER://127.0.0.1:{config.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{config.kafka_port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={data}",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "",
            ]
        )
    )
    log4j = config.state_dir / "log4j2.properties"
    log4j.write_text(_LOG4J)
    base = [java, f"-Xmx{config.heap}", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{lib}/*"]
    if not (data / "meta.properties").exists():
        cluster = subprocess.run([*base, "kafka.tools.StorageTool", "random-uuid"], capture_output=True, text=True)
        cluster_id = cluster.stdout.strip().splitlines()[-1] if cluster.returncode == 0 and cluster.stdout.strip() else ""
        fmt = subprocess.run(
            [*base, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)], capture_output=True, text=True
        )
        if cluster.returncode or fmt.returncode:
            raise StackError(
                f"formatting the Kafka log directory failed: {cluster.stderr[-500:]}{fmt.stdout[-500:]}{fmt.stderr[-500:]}"
            )
    return [*base, "kafka.Kafka", str(props)]


def _registry_command(config: StackConfig, java: str) -> list[str]:
    jar = apicurio_jar(config)
    return [
        java,
        f"-Xmx{config.heap}",
        "-Dquarkus.http.host=127.0.0.1",
        f"-Dquarkus.http.port={config.registry_port}",
        f"-Dinterchange.stack={config.state_dir}",
        "-jar",
        str(jar),
    ]


def start(service: Service, config: StackConfig) -> int:
    """Launch ``service`` in the background (detached); its pid."""
    java = require("java")
    if _port_open(service.port):
        raise StackError(
            f"port {service.port} on 127.0.0.1 is already taken by another program; "
            f"choose another with INTERCHANGE_{service.name.upper()}_PORT"
        )
    cmd = _kafka_command(config, java) if service.name == "kafka" else _registry_command(config, java)
    if service.name == "kafka":
        cmd.insert(1, f"-Dinterchange.stack={config.state_dir}")
    with service.log_file(config).open("ab") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=config.state_dir, start_new_session=True
        )
    service.pid_file(config).write_text(str(proc.pid))
    return proc.pid


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (checked without trusting its cmdline yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_healthy(service: Service, config: StackConfig, pid: int) -> None:
    deadline = time.monotonic() + config.start_timeout
    while time.monotonic() < deadline:
        if healthy(service, config):
            return
        if not _alive(pid):
            raise StackError(f"{service.name} exited while starting; see {service.log_file(config)}")
        time.sleep(0.5)
    raise StackError(f"{service.name} did not become healthy within {config.start_timeout:.0f}s; see {service.log_file(config)}")


def stop(service: Service, config: StackConfig, grace: float = 20.0) -> bool:
    """SIGTERM our process, SIGKILL after ``grace`` seconds; False if none was running."""
    pid = running_pid(service, config)
    if pid is None:
        service.pid_file(config).unlink(missing_ok=True)
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and running_pid(service, config) == pid:
        time.sleep(0.2)
    if running_pid(service, config) == pid:
        os.killpg(pid, signal.SIGKILL)
    service.pid_file(config).unlink(missing_ok=True)
    return True
