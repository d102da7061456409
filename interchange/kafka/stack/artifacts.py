"""Fetch Kafka's jars and Apicurio Registry's app from Maven Central, through Maven, once.

Apache Kafka's tarball is not on Maven Central, but a broker is just ``kafka.Kafka`` from
``org.apache.kafka:kafka_2.13`` with its runtime dependencies, which Maven resolves. Apicurio
publishes its runnable app as a ``tar.gz:all`` archive. Both land in the cache directory,
outside the repository; a finished download leaves a marker so later runs skip Maven.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from interchange.errors import StackError
from interchange.kafka.stack.config import StackConfig
from interchange.kafka.stack.progress import SILENT, FileWatch, MavenOutput, Progress, remote_size

__all__ = ["kafka_lib", "apicurio_jar", "require"]

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>interchange.kafka.stack</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
<dependencies>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>{kafka}</version></dependency>
<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
</dependencies></project>
"""


def require(tool: str) -> str:
    """The path of ``tool`` on PATH, or a StackError saying what to install."""
    path = shutil.which(tool)
    if path is None:
        hint = {
            "java": "a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)",
            "mvn": "Apache Maven (e.g. apt-get install maven)",
            "keytool": "the JDK's keytool (it comes with a Java 17+ runtime, e.g. openjdk-17-jre-headless)",
        }[tool]
        raise StackError(f"'{tool}' was not found on PATH; the local stack needs {hint}")
    return path


def _mvn(args: list[str], cwd: Path, log: Path, output: MavenOutput) -> None:
    """Run Maven in batch mode, its output into ``log``; each download line feeds ``output``."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [require("mvn"), "-B", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            output.feed(line)
        returncode = proc.wait()
    if returncode != 0:
        tail = "\n".join(line for line in log.read_text().splitlines() if "ERROR" in line)[-1500:]
        raise StackError(f"Maven could not fetch {args[-2] if len(args) > 1 else args}: see {log}\n{tail}")


def _local_repository() -> Path:
    """Maven's local repository (``-Dmaven.repo.local`` in MAVEN_OPTS, else ~/.m2/repository)."""
    found = re.search(r"-Dmaven\.repo\.local=(\S+)", os.environ.get("MAVEN_OPTS", ""))
    return Path(found.group(1)) if found else Path.home() / ".m2" / "repository"


def kafka_lib(config: StackConfig, progress: Progress = SILENT) -> Path:
    """Directory of Kafka's runtime jars (downloaded on first use)."""
    lib = config.cache_dir / f"kafka-{config.kafka_version}" / "lib"
    if (lib.parent / ".complete").exists():
        return lib
    progress.stage(f"resolving Kafka {config.kafka_version} and its runtime jars with Maven")
    output = MavenOutput(progress, f"downloading Kafka {config.kafka_version}")
    lib.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lib.parent) as tmp:
        (Path(tmp) / "pom.xml").write_text(_POM.format(kafka=config.kafka_version))
        _mvn(
            ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={tmp}/lib"],
            Path(tmp),
            lib.parent / "maven.log",
            output,
        )
        if lib.exists():
            shutil.rmtree(lib)
        shutil.move(f"{tmp}/lib", lib)
    (lib.parent / ".complete").touch()
    progress.stage(f"Kafka {config.kafka_version}: {output.summary()}")
    return lib


_CENTRAL = "https://repo.maven.apache.org/maven2"


def apicurio_jar(config: StackConfig, progress: Progress = SILENT) -> Path:
    """The Apicurio Registry runner jar (downloaded and unpacked on first use)."""
    home = config.cache_dir / f"apicurio-{config.apicurio_version}"
    if (home / ".complete").exists():
        return _runner(home)
    home.mkdir(parents=True, exist_ok=True)
    version = config.apicurio_version
    artifact = f"io.apicurio:apicurio-registry-app:{version}:tar.gz:all"
    label = f"downloading Apicurio Registry {version}"
    progress.stage(f"{label} (about 110 MB) with Maven")
    relative = f"io/apicurio/apicurio-registry-app/{version}"
    output = MavenOutput(progress, label)
    url = f"{_CENTRAL}/{relative}/apicurio-registry-app-{version}-all.tar.gz"
    with FileWatch(progress, label, _local_repository() / relative, lambda: remote_size(url)):
        _mvn(
            ["dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={home}", "-Dmdep.overWriteReleases=true"],
            home,
            home / "maven.log",
            output,
        )
    progress.stage(f"Apicurio Registry {version}: {output.summary()}; unpacking")
    archives = list(home.glob("*.tar.gz"))
    if not archives:
        raise StackError(f"Maven reported success but no archive for {artifact} is in {home}")
    with tarfile.open(archives[0]) as tar:
        tar.extractall(home, filter="data")  # the data filter refuses absolute paths and '..'
    archives[0].unlink()
    (home / ".complete").touch()
    progress.stage(f"Apicurio Registry {version} unpacked")
    return _runner(home)


def _runner(home: Path) -> Path:
    for pattern in ("**/quarkus-run.jar", "**/*-runner.jar"):
        found = sorted(home.glob(pattern))
        if found:
            return found[0]
    raise StackError(f"no runnable jar (quarkus-run.jar or *-runner.jar) in {home}; delete it to download again")
