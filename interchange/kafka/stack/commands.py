"""The command lines (and files) that start the stack's two JVMs.

Kafka runs as one KRaft node (broker + controller) from Maven-resolved jars; its log
directory is formatted once. The registry runs Apicurio's SQL storage on an H2 *file*
database in the state directory, so schemas and their ids survive a restart like Kafka's
topics do. ``WRITE_DELAY=0`` makes H2 write each commit at once: with H2's default 500 ms
delay a registry killed with SIGKILL right after registering loses the schema (seen here).

The registry is a Quarkus app that only answers schema look-ups, so it starts with C1 only,
the serial collector and a class-data-sharing archive of its own classes (dumped at its
first clean exit, then kept in the cache): ~3x faster starts on a loaded 2-core machine.

The broker heartbeats every 500 ms with a 3 s session (defaults 2 s / 9 s): a broker
restarted after SIGKILL re-registers with its own controller once the old session expires,
so a kill + start took ~15-17 s with the defaults and ~7-8 s with these (measured here).

The broker's heap is 512 MB and its garbage collector Shenandoah (concurrent: pauses of 0.02-4 ms).
Started as a bare ``java`` it had G1's 200 ms default goal, and its young-generation pauses (p50 50 ms,
up to 170 ms on a loaded 2-core machine) were the periodic 100-170 ms stalls every consumer saw at once
in the latency benchmark (the stalls started with the pauses to the millisecond). Kafka's own G1 flags
(``kafka-run-class.sh``: 20 ms goal, ``-Xms`` = ``-Xmx``) halved the median pause, but on the loaded
machine G1 still paused 1-3 times in each 4 s latency run, for 14-310 ms; Shenandoah, same workload and
broker CPU, paused 0-4 times for at most 4 ms (``INTERCHANGE_STACK_KAFKA_GC=g1`` brings G1 back). The
GC log is ``<state>/kafka-gc.log``.

The log cleaner's offset map is 16 MB instead of 128 MB: allocated once the first compacted topic is
cleaned, the default kept 128 MB of the 512 MB heap for good, so G1 (35% occupancy threshold) ran a
concurrent mark cycle every ~20 s and mixed collections in between (19 pauses a minute; 9 without it).

Transactional produce requests are not verified with the transaction coordinator
(``transaction.partition.verification.enable=false``; KIP-890 part 1 turned it on by default). The check adds
one coordinator round trip to the first produce of each partition in each transaction, the scorer's
exactly-once path runs one transaction per batch, and the check guards against a produce request arriving
after its transaction ended, which on one node over loopback needs a request overtaken on the same
connection by the abort. Transactions a paced producer ran back to back (one output and one offset commit
each, 2 x 150, loaded machine): p50 6.4 -> 4.5 ms, p99 17-25 -> 10 ms without the check.

With ``sasl``, Kafka gets a SASL_PLAINTEXT listener (PLAIN, users from the JAAS line in
``server.properties``) and the registry an HTTPS port, both beside the plain ones.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from interchange.errors import StackError
from interchange.kafka.stack import secure
from interchange.kafka.stack.artifacts import apicurio_jar, kafka_lib
from interchange.kafka.stack.config import StackConfig

__all__ = ["SASL_FLAG", "kafka_command", "format_kafka", "registry_command", "registry_db_url", "keep_class_archive"]

DEDUPE_BUFFER_BYTES = 16 * 1024 * 1024  # the log cleaner's offset map (default 128 MB of a 512 MB heap)
SASL_FLAG = "-Dinterchange.sasl=true"  # on the command line of a service started with its secured listener

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


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def _server_properties(config: StackConfig, sasl: bool) -> Path:
    listeners = [f"PLAINTEXT://127.0.0.1:{config.kafka_port}", f"CONTROLLER://127.0.0.1:{config.controller_port}"]
    advertised = [f"PLAINTEXT://127.0.0.1:{config.kafka_port}"]
    protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
    extra: list[str] = []
    if sasl:
        listeners.append(f"SASL_PLAINTEXT://127.0.0.1:{config.sasl_port}")
        advertised.append(f"SASL_PLAINTEXT://127.0.0.1:{config.sasl_port}")
        protocols.append("SASL_PLAINTEXT:SASL_PLAINTEXT")
        extra = [
            "sasl.enabled.mechanisms=PLAIN",
            "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
            f"listener.name.sasl_plaintext.plain.sasl.jaas.config={secure.jaas_config(config)}",
        ]
    props = config.state_dir / "server.properties"
    lines = [
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{config.controller_port}",
        f"listeners={','.join(listeners)}",
        f"advertised.listeners={','.join(advertised)}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        f"listener.security.protocol.map={','.join(protocols)}",
        *extra,
        f"log.dirs={config.state_dir / 'kafka-data'}",
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "broker.heartbeat.interval.ms=500",
        "broker.session.timeout.ms=3000",
        "auto.create.topics.enable=true",
        f"log.cleaner.dedupe.buffer.size={DEDUPE_BUFFER_BYTES}",
        "transaction.partition.verification.enable=false",
        "",
    ]
    _write_private(props, "\n".join(lines))  # holds the SASL passwords when secured
    return props


def _kafka_base(config: StackConfig, java: str) -> list[str]:
    log4j = config.state_dir / "log4j2.properties"
    log4j.write_text(_LOG4J)
    return [java, f"-Xmx{config.heap}", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{kafka_lib(config)}/*"]


def _kafka_jvm(config: StackConfig) -> list[str]:
    """What ``kafka-server-start.sh`` / ``kafka-run-class.sh`` add (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS,
    the GC log), with our heap size."""
    gc_log = config.state_dir / "kafka-gc.log"
    collector = _COLLECTORS.get(config.kafka_gc)
    if collector is None:
        raise StackError(f"unknown broker collector {config.kafka_gc!r}; use one of {', '.join(_COLLECTORS)}")
    return [
        f"-Xms{config.heap}",
        *collector,
        "-Djava.awt.headless=true",
        f"-Xlog:gc:file={gc_log}:utctime,uptime:filecount=2,filesize=10M",
    ]


# the broker's garbage collector (INTERCHANGE_STACK_KAFKA_GC): concurrent ones, or Kafka's own G1 flags
_COLLECTORS = {
    "g1": [
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
    ],
    "shenandoah": ["-XX:+UseShenandoahGC"],
    "zgc": ["-XX:+UseZGC"],
}


def format_kafka(config: StackConfig, java: str) -> bool:
    """Format the KRaft log directory unless it already is; True when it was formatted now."""
    if (config.state_dir / "kafka-data" / "meta.properties").exists():
        return False
    base = _kafka_base(config, java)
    props = _server_properties(config, sasl=False)
    cluster = subprocess.run([*base, "kafka.tools.StorageTool", "random-uuid"], capture_output=True, text=True)
    cluster_id = cluster.stdout.strip().splitlines()[-1] if cluster.returncode == 0 and cluster.stdout.strip() else ""
    fmt = subprocess.run(
        [*base, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)], capture_output=True, text=True
    )
    if cluster.returncode or fmt.returncode:
        detail = f"{cluster.stderr[-500:]}{fmt.stdout[-500:]}{fmt.stderr[-500:]}"
        raise StackError(f"formatting the Kafka log directory failed: {detail}")
    return True


def kafka_command(config: StackConfig, java: str, sasl: bool) -> tuple[list[str], dict[str, str]]:
    """Command line and extra environment of the broker."""
    format_kafka(config, java)
    base = _kafka_base(config, java)
    props = _server_properties(config, sasl)
    flags = [f"-Dinterchange.stack={config.state_dir}", *([SASL_FLAG] if sasl else []), *_kafka_jvm(config)]
    return [base[0], *flags, *base[1:], "kafka.Kafka", str(props)], {}


def registry_db_url(config: StackConfig) -> str:
    """The H2 file database (JDBC URL) that holds the registry's schemas."""
    path = config.state_dir / "registry-db" / "registry"
    if ";" in str(path):
        raise StackError(f"the stack directory {config.state_dir} contains ';', which a JDBC URL cannot hold")
    return f"jdbc:h2:file:{path};WRITE_DELAY=0"


def _class_archive(config: StackConfig) -> Path:
    return config.cache_dir / f"apicurio-{config.apicurio_version}" / "registry-classes.jsa"


def _class_dump(config: StackConfig) -> Path:
    return config.state_dir / "registry-classes.jsa"


def keep_class_archive(config: StackConfig, java: str) -> None:
    """After the registry exited: move its class archive into the cache once it proves loadable.

    The JVM crashes on a truncated archive, so it is checked with ``java -version`` first and
    moved in atomically (other stacks may share the cache).
    """
    dump, archive = _class_dump(config), _class_archive(config)
    if not dump.exists():
        return
    try:
        if not archive.exists():
            check = subprocess.run([java, f"-XX:SharedArchiveFile={dump}", "-version"], capture_output=True, timeout=60)
            if check.returncode == 0:
                tmp = archive.with_name(f".{archive.name}.{os.getpid()}")
                tmp.write_bytes(dump.read_bytes())
                os.replace(tmp, archive)
    except (OSError, subprocess.SubprocessError):
        pass  # only a faster start is lost
    finally:
        dump.unlink(missing_ok=True)


def registry_command(config: StackConfig, java: str, sasl: bool) -> tuple[list[str], dict[str, str]]:
    """Command line and extra environment (the key store password stays off the command line)."""
    jar = apicurio_jar(config)
    (config.state_dir / "registry-db").mkdir(parents=True, exist_ok=True)
    archive = _class_archive(config)
    cds = f"-XX:SharedArchiveFile={archive}" if archive.exists() else f"-XX:ArchiveClassesAtExit={_class_dump(config)}"
    cmd = [
        java,
        f"-Dinterchange.stack={config.state_dir}",
        *([SASL_FLAG] if sasl else []),
        f"-Xmx{config.heap}",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        cds,
        "-Dquarkus.http.host=127.0.0.1",
        f"-Dquarkus.http.port={config.registry_port}",
        "-Dapicurio.storage.kind=sql",
        "-Dapicurio.storage.sql.kind=h2",
        f"-Dapicurio.datasource.url={registry_db_url(config)}",
        "-Dapicurio.datasource.jdbc.initial-size=2",
        "-Dapicurio.datasource.jdbc.min-size=2",
    ]
    env: dict[str, str] = {}
    if sasl:
        tls = secure.tls(config)
        cmd += [
            f"-Dquarkus.http.ssl-port={config.registry_tls_port}",
            f"-Dquarkus.http.ssl.certificate.key-store-file={tls.keystore}",
            "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
            "-Dquarkus.http.ssl.certificate.key-store-alias=server",
            "-Dquarkus.http.insecure-requests=enabled",  # the plain port stays for everything else
        ]
        env["QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD"] = tls.password
    return [*cmd, "-jar", str(jar)], env
