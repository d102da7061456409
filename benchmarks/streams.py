"""Generated Java in Kafka Streams against interchange's Python scorer, on the same feature topic.

For each model (logistic regression and a 100-tree forest on 20 doubles): fit, convert to PMML
and publish; generate the Java class into a copy of examples/kafka-streams and build it; produce
N Avro feature events once; then drain the topic with the Python scorer (PMML fast path) and,
separately, with the Streams application; each in its own consumer group, one after the other,
so they never share the machine's two cores. Events per second from the first to the last
scored event (the scorer's own ScorerStats.rate; the app's status file). One run.
Results: benchmarks/results/streams.json and streams.md.

    python benchmarks/streams.py [--events 100000]   (needs `interchange stack up`, mvn and java)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.config import load_config
from interchange.kafka.events import send_features
from interchange.kafka.scorer import Scorer, ScorerOptions

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def build(project: Path, estimator, sample: pd.DataFrame, published) -> None:
    generated = interchange.codegen(estimator, "java", sample=sample, class_name="Model", package="interchange.streams.model")
    generated.save(project / "src/main/java/interchange/streams/model/Model.java")
    shutil.rmtree(project / "src/test", ignore_errors=True)  # the benchmark builds; the tests run elsewhere
    lineage = {
        "name": published.name,
        "version": published.version,
        "format": published.format,
        "sha256": published.sha256,
        "generated_sha256": hashlib.sha256(generated.source.encode()).hexdigest(),
    }
    (project / "src/main/resources/interchange-model.properties").write_text("".join(f"{k}={v}\n" for k, v in lineage.items()))
    done = subprocess.run(["mvn", "-B", "-q", "package", "-DskipTests"], cwd=project, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def streams_rate(project: Path, config, events: int, timeout: float = 600.0) -> dict:
    """Events/s from the first to the last scored event, and per CPU-second of the JVM while it scored."""
    status = project / "status.txt"
    status.unlink(missing_ok=True)
    cmd = [
        "java",
        "-cp",
        f"{project / 'target/classes'}:{project / 'target/lib'}/*",
        "interchange.streams.ScoringApp",
        f"bootstrap.servers={config.bootstrap_servers}",
        f"schema.registry.url={config.registry_url}",
        f"status.file={status}",
        "output.topic=" + f"bench-java-{uuid.uuid4().hex[:6]}",
        f"application.id=bench-streams-{uuid.uuid4().hex[:6]}",
    ]
    started = time.monotonic()
    with (project / "app.log").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    cpu_start = None
    try:
        while time.monotonic() - started < timeout:
            if proc.poll() is not None:
                raise SystemExit((project / "app.log").read_text()[-3000:])
            parts = status.read_text().split() if status.exists() else []
            scored = int(parts[1]) if len(parts) > 7 else 0
            if scored and cpu_start is None:
                cpu_start = (_cpu_seconds(proc.pid), scored)
            if scored >= events:
                cpu = _cpu_seconds(proc.pid) - cpu_start[0]
                first, last = int(parts[5]), int(parts[7])
                return {
                    "per_s": (events - 1) / ((last - first) / 1000.0),
                    "per_cpu_s": (events - cpu_start[1]) / cpu,
                    "wall_s": time.monotonic() - started,
                }
            time.sleep(0.1)
        raise SystemExit(f"the Streams app did not score {events} events within {timeout:.0f} s")
    finally:
        proc.terminate()
        proc.wait(60)


def python_rate(config, name: str, events: int) -> dict:
    """The Python scorer (in this process, on a thread): its own rate, and per CPU-second of this process while it scored."""
    scorer = Scorer(ScorerOptions(model=name, batch_size=1000, group=f"bench-{uuid.uuid4().hex[:6]}"), config)
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(stats=scorer.run(max_records=events)), daemon=True)
    thread.start()
    while not scorer.stats.scored and thread.is_alive():
        time.sleep(0.005)
    cpu, scored = time.process_time(), scorer.stats.scored
    thread.join()
    cpu = time.process_time() - cpu
    engine = scorer.live.model.info.engine if scorer.live else "?"
    return {"per_s": result["stats"].rate, "per_cpu_s": (events - scored) / cpu, "engine": engine}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    events = pd.concat([frame] * (args.events // len(frame) + 1)).iloc[: args.events]
    models = [
        ("logistic regression", LogisticRegression(max_iter=500).fit(frame, y)),
        ("random forest, 100 trees, depth 8", RandomForestClassifier(100, max_depth=8, random_state=0).fit(frame, y)),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "kafka-streams"
        shutil.copytree(ROOT / "examples/kafka-streams", project, ignore=shutil.ignore_patterns("target"))
        for label, estimator in models:
            name = f"bench-streams-{uuid.uuid4().hex[:6]}"
            published = interchange.publish(interchange.convert(estimator, "pmml", sample=frame), name=name, config=config)
            build(project, estimator, frame, published)
            send_features(config, name, events)
            python = python_rate(config, name, args.events)
            java = streams_rate(project, config, args.events)
            row = {
                "model": label,
                "events": args.events,
                "python_scorer_per_s": round(python["per_s"]),
                "python_scorer_per_cpu_s": round(python["per_cpu_s"]),
                "python_engine": python["engine"],
                "kafka_streams_java_per_s": round(java["per_s"]),
                "kafka_streams_java_per_cpu_s": round(java["per_cpu_s"]),
                "streams_wall_s_incl_jvm_start": round(java["wall_s"], 1),
                "ratio_java_over_python": round(java["per_s"] / python["per_s"], 2),
                "ratio_per_cpu_s": round(java["per_cpu_s"] / python["per_cpu_s"], 2),
                "load_average_1min": round(os.getloadavg()[0], 1),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "streams.json").write_text(json.dumps({"measured": time.strftime("%Y-%m-%d"), "rows": rows}, indent=2) + "\n")
    lines = [
        "| model | events | Python scorer /s | Kafka Streams + Java /s | Java / Python "
        "| Python /CPU-s | Java /CPU-s | Java / Python per CPU-s |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {r['model']} | {r['events']:,} | {r['python_scorer_per_s']:,} | {r['kafka_streams_java_per_s']:,} | "
            f"{r['ratio_java_over_python']} | {r['python_scorer_per_cpu_s']:,} | {r['kafka_streams_java_per_cpu_s']:,} | "
            f"{r['ratio_per_cpu_s']} |"
            for r in rows
        ),
    ]
    (RESULTS / "streams.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
