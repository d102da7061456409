"""The Kafka Streams example on the real stack: a generated Java class scoring the Avro feature topic.

Publishes a model with the Python API, generates its Java class into a copy of
examples/kafka-streams, builds it with Maven (which also runs the generated JUnit test), runs
the application next to interchange's Python scorer on the same feature topic, and compares
both prediction topics with each other and with the IR evaluator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from interchange.batch import to_columns
from interchange.codegen import codegen
from interchange.ir.graph import evaluate
from interchange.kafka.events import read_predictions, send_features
from interchange.kafka.transport import consumer, producer
from tests.integration.scoring import Running, dead_letters, iris, wait

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("mvn") is None or shutil.which("java") is None,
        reason="the Kafka Streams example needs Maven (mvn) and a JDK (java) on PATH",
    ),
]

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "kafka-streams"


class StreamsApp:
    """The example's ScoringApp in its own JVM, stopped (SIGTERM, then kill) at the end of the with-block."""

    def __init__(self, project: Path, config, *settings: str) -> None:
        self.status = project / "status.txt"
        self.log = project / "app.log"
        classpath = f"{project / 'target' / 'classes'}{os.pathsep}{project / 'target' / 'lib'}/*"
        self.cmd = [
            "java",
            "-cp",
            classpath,
            "interchange.streams.ScoringApp",
            f"bootstrap.servers={config.bootstrap_servers}",
            f"schema.registry.url={config.registry_url}",
            f"status.file={self.status}",
            *settings,
        ]

    def __enter__(self) -> StreamsApp:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT)
        return self

    def scored(self) -> int:
        if self.proc.poll() is not None:
            raise AssertionError(f"the Streams app exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
        text = self.status.read_text() if self.status.exists() else ""
        return int(text.split()[1]) if text.startswith("scored") else 0

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def test_kafka_streams_scores_like_the_python_scorer(stack_config, model_name, tmp_path) -> None:
    project = tmp_path / "kafka-streams"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "status.txt", "app.log"))
    env = {**os.environ, "PYTHONPATH": str(PROJECT.parents[1])}
    made = subprocess.run(
        [sys.executable, str(project / "generate.py"), "--name", model_name, "--project", str(project), "--trees", "20"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-3000:]
    lineage = json.loads(made.stdout.strip().splitlines()[-1])
    assert lineage["version"] == "1"
    built = subprocess.run(["mvn", "-B", "-q", "package"], cwd=project, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    assert "Model verification cases: 150 cases" in built.stdout  # the generated JUnit test ran

    X, _ = iris()
    rng = np.random.default_rng(0)
    rows = X.sample(600, replace=True, random_state=0).reset_index(drop=True)
    rows = rows + rng.normal(scale=0.3, size=rows.shape)  # off the training points, near split thresholds
    rows.iloc[::50, 1] = np.nan  # some missing inputs: both scorers must agree on those too
    keys = [f"k{i}" for i in range(len(rows))]
    java_topic = f"{model_name}-predictions-java"
    started = time.monotonic()
    java_dlq = f"{model_name}-dlq-java"
    bad_events = {b"plain text", b"\x00\x7f\xff\xff\xff\x00"}  # not Confluent-framed; an unknown schema id
    settings = (f"output.topic={java_topic}", f"dead.letter.topic={java_dlq}", "lineage.headers=true")
    with StreamsApp(project, stack_config, *settings) as app, Running(stack_config, model_name) as scorer:
        wait(lambda: scorer.stats.version == 1, timeout=60, what="the Python scorer loading version 1")
        send_features(stack_config, model_name, rows, keys=keys)
        prod = producer(stack_config)
        for bad in sorted(bad_events):
            prod.produce(f"{model_name}-features", key=b"bad", value=bad)
        prod.flush(10)
        wait(lambda: app.scored() >= len(rows), timeout=120, what="the Streams app scoring every event")
        wait(lambda: scorer.stats.scored >= len(rows), timeout=60, what="the Python scorer scoring every event")
    assert time.monotonic() - started < 240

    dead = dead_letters(stack_config, java_dlq, len(bad_events))
    assert {d["value"] for d in dead} == bad_events  # the Python scorer's DeadLetter record, original bytes kept
    assert all(d["reason"] and d["model"] == model_name and d["model_version"] == 1 for d in dead)
    assert {d["error"] for d in dead} == {"IOException", "IllegalArgumentException"}

    java = {k.decode(): v for k, v in read_predictions(stack_config, model_name, len(rows), topic=java_topic)}
    python = {k.decode(): v for k, v in read_predictions(stack_config, model_name, len(rows))}
    assert set(java) == set(python) == set(keys)

    # the IR the class was generated from: a third opinion
    estimator = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(*iris())
    graph = codegen(estimator, "python", sample=X).graph

    ir = evaluate(graph, to_columns(rows, graph.signature))
    outputs = [f.name for f in graph.signature.outputs]
    for i, key in enumerate(keys):
        j, p = java[key], python[key]
        assert j["model"] == {"name": model_name, "version": 1, "format": "java", "sha256": lineage["sha256"], "role": "base"}
        assert p["model"]["version"] == 1 and p["model"]["sha256"] == lineage["sha256"]
        assert j["source"] == p["source"] and j["source"]["topic"] == f"{model_name}-features"  # the same input event
        assert j["label"] == p["label"] == ir["label"][i]
        for name in outputs[1:]:
            assert j[name] == pytest.approx(ir[name][i], rel=1e-12, abs=1e-12)
            assert j[name] == pytest.approx(p[name], rel=1e-12, abs=1e-12)

    # asked for (lineage.headers=true), the Java app's headers say what its fields say
    reader = consumer(stack_config, f"headers-{model_name}")
    reader.subscribe([java_topic])
    msg = None
    deadline = time.monotonic() + 30
    while msg is None and time.monotonic() < deadline:
        msg = reader.poll(1.0)
        msg = msg if msg is not None and not msg.error() else None
    reader.close()
    assert msg is not None
    headers = dict(msg.headers() or [])
    source = java[msg.key().decode()]["source"]
    assert headers["interchange.model"] == model_name.encode()
    assert (headers["interchange.version"], headers["interchange.role"]) == (b"1", b"base")
    assert headers["interchange.sha256"] == lineage["sha256"].encode()
    assert headers["interchange.generated"] == lineage["generated_sha256"].encode()
    assert headers["interchange.source"] == f"{source['topic']}/{source['partition']}/{source['offset']}".encode()
