"""Fetch Kafka's jars and Apicurio Registry's app from Maven Central, through Maven, once.

Apache Kafka's tarball is not on Maven Central, but a broker is just ``kafka.Kafka`` from
``org.apache.kafka:kafka_2.13`` with its runtime dependencies, which Maven resolves. Apicurio
publishes its runnable app as a ``tar.gz:all`` archive. Both land in the cache directory,
outside the repository; a finished download leaves a marker so later runs skip Maven.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from interchange.errors import StackError
from interchange.stack.config import StackConfig

__all__ = ["kafka_lib", "apicurio_jar", "require"]

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>interchange.stack</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
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
        }[tool]
        raise StackError(f"'{tool}' was not found on PATH; the local stack needs {hint}")
    return path


def _mvn(args: list[str], cwd: Path, log: Path) -> None:
    with log.open("w") as out:
        done = subprocess.run([require("mvn"), "-B", "-q", *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-8:])
        raise StackError(f"Maven could not fetch {args[-2] if len(args) > 1 else args}: see {log}\n{tail}")


def kafka_lib(config: StackConfig) -> Path:
    """Directory of Kafka's runtime jars (downloaded on first use)."""
    lib = config.cache_dir / f"kafka-{config.kafka_version}" / "lib"
    if (lib.parent / ".complete").exists():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lib.parent) as tmp:
        (Path(tmp) / "pom.xml").write_text(_POM.format(kafka=config.kafka_version))
        _mvn(
            ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={tmp}/lib"],
            Path(tmp),
            lib.parent / "maven.log",
        )
        if lib.exists():
            shutil.rmtree(lib)
        shutil.move(f"{tmp}/lib", lib)
    (lib.parent / ".complete").touch()
    return lib


def apicurio_jar(config: StackConfig) -> Path:
    """The Apicurio Registry runner jar (downloaded and unpacked on first use)."""
    home = config.cache_dir / f"apicurio-{config.apicurio_version}"
    if (home / ".complete").exists():
        return _runner(home)
    home.mkdir(parents=True, exist_ok=True)
    artifact = f"io.apicurio:apicurio-registry-app:{config.apicurio_version}:tar.gz:all"
    _mvn(
        ["dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={home}", "-Dmdep.overWriteReleases=true"],
        home,
        home / "maven.log",
    )
    archives = list(home.glob("*.tar.gz"))
    if not archives:
        raise StackError(f"Maven reported success but no archive for {artifact} is in {home}")
    with tarfile.open(archives[0]) as tar:
        tar.extractall(home, filter="data")  # the data filter refuses absolute paths and '..'
    archives[0].unlink()
    (home / ".complete").touch()
    return _runner(home)


def _runner(home: Path) -> Path:
    for pattern in ("**/quarkus-run.jar", "**/*-runner.jar"):
        found = sorted(home.glob(pattern))
        if found:
            return found[0]
    raise StackError(f"no runnable jar (quarkus-run.jar or *-runner.jar) in {home}; delete it to download again")
