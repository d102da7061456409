"""Scorer throughput against plain Kafka pass-through, side by side in one run.

Pass-through = consume the feature topic and produce the same bytes to another topic, in the
same batches, with the same commits: the ceiling any scorer on this broker can reach. The
scorer additionally decodes Avro, evaluates the model and encodes predictions. The ratio is
the figure to compare across machines. Results: benchmarks/results/scorer.json.

    python benchmarks/scorer.py [--events 50000]   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.config import load_config
from interchange.events import send_features
from interchange.scorer import Scorer, ScorerOptions
from interchange.transport import consumer, ensure_topics, producer

RESULTS = Path(__file__).resolve().parent / "results"


def pass_through(config, source: str, events: int, batch: int) -> float:
    sink = f"{source}-copy"
    ensure_topics(config, {sink: {}})
    cons = consumer(config, f"bench-pass-{uuid.uuid4().hex[:6]}")
    cons.subscribe([source])
    prod = producer(config)
    seen, start = 0, None
    while seen < events:
        msgs = cons.consume(batch, 1.0)
        if msgs and start is None:
            start = time.perf_counter()
        for m in msgs:
            if not m.error():
                prod.produce(sink, key=m.key(), value=m.value())
                seen += 1
        prod.flush(30)
        cons.commit(asynchronous=False)
    elapsed = time.perf_counter() - start  # from the first message, like ScorerStats.rate
    cons.close()
    return events / elapsed


def score(config, name: str, events: int, batch: int, format: str) -> tuple[float, str]:
    scorer = Scorer(ScorerOptions(model=name, batch_size=batch, group=f"bench-{uuid.uuid4().hex[:6]}"), config)
    stats = scorer.run(max_records=events)
    return stats.rate, scorer.live.model.info.engine if scorer.live else "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    events = pd.concat([frame] * (args.events // len(frame) + 1)).iloc[: args.events]
    rows = []
    for label, est in (
        ("logistic_regression", LogisticRegression(max_iter=500)),
        ("random_forest_100", RandomForestClassifier(100, max_depth=8, random_state=0)),
    ):
        est.fit(frame, y)
        for fmt in ("onnx", "pmml", "pfa"):
            try:
                converted = interchange.convert(est, fmt, sample=frame.iloc[:200])
            except interchange.InterchangeError as exc:
                rows.append({"model": label, "format": fmt, "error": exc.message[:200]})
                continue
            name = f"bench-{label.replace('_', '-')}-{fmt}-{uuid.uuid4().hex[:6]}"
            interchange.publish(converted, name=name, config=config)
            send_features(config, name, events)
            base = pass_through(config, f"{name}-features", args.events, args.batch)
            rate, engine = score(config, name, args.events, args.batch, fmt)
            rows.append(
                {
                    "model": label,
                    "format": fmt,
                    "engine": engine,
                    "events": args.events,
                    "pass_through_per_s": round(base),
                    "scorer_per_s": round(rate),
                    "ratio": round(rate / base, 3),
                }
            )
            print(rows[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scorer.json").write_text(json.dumps({"batch": args.batch, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
