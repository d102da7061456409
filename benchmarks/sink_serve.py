"""Sink rows/s into Parquet and serve requests/s for single-record predict, on the local stack.

Sink: ``--events`` metric events (``schemas/metric.avsc``) on a 3-partition topic, landed by an
in-process Sink (10,000 events per file); rows/s from the first event read to the last file
committed. Serve: ``interchange serve`` as its own process, a logistic regression (ONNX) on
iris; one client on keep-alive sends ``--requests`` single-record predicts one after another,
then the same number of records in batches of 100. Results: benchmarks/results/sink_serve.json.

    python benchmarks/sink_serve.py [--events 100000] [--requests 2000]   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.config import load_config
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.sink import Sink, SinkOptions
from interchange.kafka.transport import ensure_topics, producer
from interchange.resources import avro_schema

RESULTS = Path(__file__).resolve().parent / "results"


def bench_sink(config, events: int) -> dict:
    topic = f"bench-sink-{uuid.uuid4().hex[:8]}"
    ensure_topics(config, {topic: {"partitions": 3}})
    registry = Registry(config)
    schema = avro_schema("metric")
    codec = AvroCodec(schema, registry.register(f"{topic}-value", schema), registry.schema)
    prod = producer(config)
    now = int(time.time() * 1000)
    for i in range(events):
        record = {"source": "bench", "model": "m", "version": 1, "name": "events_in", "value": float(i), "window_s": 10.0}
        prod.produce(topic, key=str(i).encode(), value=codec.encode({**record, "labels": {"p": str(i % 7)}, "at": now + i}))
        if i % 10_000 == 0:
            prod.poll(0)
    prod.flush(60)
    with tempfile.TemporaryDirectory() as lake:
        sink = Sink(SinkOptions(topic, Path(lake), flush_events=10_000, flush_seconds=5.0), config)
        thread = threading.Thread(target=sink.run, kwargs={"idle_timeout": 2.0})
        thread.start()
        while sink.stats.events == 0:
            time.sleep(0.005)
        start = time.perf_counter()
        while sink.stats.rows < events and thread.is_alive():
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        files = sink.stats.files
        thread.join(30)
    return {"events": events, "files": files, "rows_per_s": round(events / elapsed)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_serve(config, requests: int) -> dict:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    name = f"bench{uuid.uuid4().hex[:8]}"
    interchange.publish(
        interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X), name=name, config=config
    )
    port = _free_port()
    cmd = [sys.executable, "-m", "interchange.cli", "serve", "--port", str(port), "--model", name]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    rows = X.to_dict("records")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if client.get(f"/models/{name}").json().get("live_version") == 1:
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.2)
            for i in range(50):  # warm up
                client.post(f"/models/{name}/predict", json=rows[i % len(rows)]).raise_for_status()
            start = time.perf_counter()
            for i in range(requests):
                client.post(f"/models/{name}/predict", json=rows[i % len(rows)]).raise_for_status()
            single = requests / (time.perf_counter() - start)
            start = time.perf_counter()
            for i in range(0, requests, 100):
                batch = [rows[(i + j) % len(rows)] for j in range(100)]
                client.post(f"/models/{name}/predict", json={"records": batch}).raise_for_status()
            batched = requests / (time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(15)
    return {
        "requests": requests,
        "single_record_requests_per_s": round(single),
        "records_per_s_in_batches_of_100": round(batched),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    config = load_config()
    result = {"cpus": os.cpu_count(), "sink": bench_sink(config, args.events), "serve": bench_serve(config, args.requests)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sink_serve.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
