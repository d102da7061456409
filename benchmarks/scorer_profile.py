"""Where the scorer spends its CPU per event, stage by stage, beside the pass-through (benchmarks/scorer.py).

CPU time, not wall time (the machine is shared): each stage is timed with ``time.thread_time`` around
per-batch calls only (no per-event timers, which would cost more than what they measure), so a stage's
figure is its exclusive main-thread CPU per event. Per-event work in a loop (the produce() calls and the
lineage headers) is what is left of the calling function once its timed children are taken out. The
process's CPU (``time.process_time``) also counts librdkafka's own threads (network, compression).

    python benchmarks/scorer_profile.py setup [--events 30000] [--model lr|rf] > names.json
    python benchmarks/scorer_profile.py measure NAME [--events 30000] [--rounds 3]   (one JSON line per run)
    python benchmarks/scorer_profile.py compare OLD_TREE NEW_TREE [--rounds 3]   (interleaved subprocesses)

``compare`` runs ``measure`` with PYTHONPATH set to each source tree in turn (old, new, new, old, ...) on
the same published models, so a change's effect is read side by side on the same broker and load.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Stages:
    """Exclusive thread CPU per named stage (children's time is taken out of their caller's)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []
        self._gc_start = 0.0

    def gc(self, phase: str, info: dict[str, Any]) -> None:
        """A gc.callbacks hook: collections are their own stage, taken out of the stage they interrupted."""
        if phase == "start":
            self._gc_start = time.thread_time()
            return
        spent = time.thread_time() - self._gc_start
        self.cpu[f"gc (generation {info['generation']})"] += spent
        self.calls[f"gc (generation {info['generation']})"] += 1
        if self._stack:
            self._stack[-1][0] += spent

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [0.0]
            self._stack.append(frame)
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.thread_time() - start
                self._stack.pop()
                self.cpu[name] += spent - frame[0]
                self.calls[name] += 1
                if self._stack:
                    self._stack[-1][0] += spent

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed

    def patch(self, owner: Any, attr: str, name: str) -> None:
        if hasattr(owner, attr):
            setattr(owner, attr, self.wrap(name, getattr(owner, attr)))


def _bench() -> Any:
    """benchmarks/scorer.py of the source tree on the path (``compare`` runs an older tree's with its code)."""
    import interchange

    spec = importlib.util.spec_from_file_location(
        "bench_scorer", Path(interchange.__file__).parents[1] / "benchmarks" / "scorer.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(events: int, model: str, formats: list[str]) -> dict[str, str]:
    """Publish the model in each format and send ``events`` feature events to each; format -> name."""
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    import interchange
    from interchange.kafka.config import load_config
    from interchange.kafka.events import send_features

    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    rows = pd.concat([frame] * (events // len(frame) + 1)).iloc[:events]
    est = LogisticRegression(max_iter=500) if model == "lr" else RandomForestClassifier(100, max_depth=8, random_state=0)
    est.fit(frame, y)
    names = {}
    for fmt in formats:
        converted = interchange.convert(est, fmt, sample=frame.iloc[:200])
        name = names[fmt] = f"prof-{model}-{fmt}-{uuid.uuid4().hex[:6]}"
        interchange.publish(converted, name=name, config=config)
        send_features(config, name, rows)
    return names


def _per_event(stages: Stages, events: int, wall: float, process: float, thread: float) -> dict[str, Any]:
    us = {k: round(v / events * 1e6, 2) for k, v in sorted(stages.cpu.items())}
    return {
        "stages_us": us,
        "main_thread_us": round(thread / events * 1e6, 2),
        "process_us": round(process / events * 1e6, 2),
        "rate_per_s": round(events / wall),
    }


def measure_pass(name: str, events: int, batch: int) -> dict[str, Any]:
    from interchange.kafka.config import load_config
    from interchange.kafka.scorer import delivery
    from interchange.kafka.transport import consumer, ensure_topics

    bench = _bench()
    stages = Stages()
    gc.callbacks.append(stages.gc)
    stages.patch(bench, "take", "consume")
    for fn in ("_offsets", "offset_bounds", "usable"):
        stages.patch(bench, fn, "offsets + grouping")
    stages.patch(bench, "_copy", "produce loop")
    stages.patch(delivery.AtLeastOnce, "commit", "commit + delivery callbacks")
    stages.patch(delivery.AtLeastOnce, "settle", "commit + delivery callbacks")
    config = load_config()
    source = f"{name}-features"
    sink = f"{source}-copy"
    ensure_topics(config, {sink: {}})
    cons = consumer(config, f"prof-pass-{uuid.uuid4().hex[:6]}")
    cons.subscribe([source])
    deliv = delivery.AtLeastOnce(config, threading.Event(), lambda why: None)
    seen = 0
    msgs = bench.take(cons, batch, 10.0)  # the first batch (group join) is not timed
    bench._copy(deliv, cons, sink, msgs)
    seen += len(msgs)
    stages.cpu.clear()
    counted = 0
    start, cpu, tcpu = time.perf_counter(), time.process_time(), time.thread_time()
    while seen < events:
        msgs = bench.take(cons, batch, 1.0)
        bench._copy(deliv, cons, sink, msgs)
        seen += len(msgs)
        counted += len(msgs)
    deliv.producer.flush(30)
    wall, process, thread = time.perf_counter() - start, time.process_time() - cpu, time.thread_time() - tcpu
    deliv.close()
    cons.close()
    return _per_event(stages, counted, wall, process, thread)


def measure_score(name: str, events: int, batch: int) -> dict[str, Any]:
    from interchange.kafka.config import load_config
    from interchange.kafka.scorer import Scorer, ScorerOptions, delivery
    from interchange.kafka.scorer import scorer as scorer_module
    from interchange.kafka.scorer.batch import columns, scoring, steps

    stages = Stages()
    gc.callbacks.append(stages.gc)
    stages.patch(scorer_module.Scorer, "_take", "consume")
    stages.patch(scorer_module, "usable", "offsets + grouping")
    stages.patch(scorer_module.Scorer, "_process", "produce loop")
    stages.patch(scorer_module.Scorer, "_count", "metrics")
    stages.patch(scorer_module.Scorer, "_follow", "model / routes follow")
    stages.patch(scorer_module.Scorer, "_update_stats", "model / routes follow")
    stages.patch(scorer_module.Reporter, "tick", "metrics")
    for fn in ("_next_offsets", "_first_offsets", "offset_bounds", "by_topic"):
        stages.patch(scorer_module, fn, "offsets + grouping")
    stages.patch(scorer_module, "score_route", "lineage + outcome (per event)")
    stages.patch(scoring, "decode_batch", "decode")
    stages.patch(scoring, "_score", "predict")
    stages.patch(scoring, "encode_outputs", "encode")
    for fn in ("sources", "source_of", "created_ms", "sampled_created_ms", "_add_outputs"):  # the per-version lineage steps
        stages.patch(scoring, fn, "lineage + outcome (per event)")
    stages.patch(steps, "decode_batch", "decode")
    stages.patch(columns.BatchCodec, "decode", "decode")
    stages.patch(columns.BatchCodec, "encode", "encode")
    stages.patch(delivery.AtLeastOnce, "commit", "commit + delivery callbacks")
    stages.patch(delivery.AtLeastOnce, "settle", "commit + delivery callbacks")
    config = load_config()
    scorer = Scorer(ScorerOptions(model=name, batch_size=batch, group=f"prof-{uuid.uuid4().hex[:6]}"), config)
    # the first batch (group join, model load) is not timed: run to it, then time the rest
    marks: dict[str, float] = {}
    original = scorer._process

    def process(messages: list[Any]) -> bool:
        if not marks:
            done = original(messages)
            stages.cpu.clear()
            marks.update(start=time.perf_counter(), cpu=time.process_time(), thread=time.thread_time(), skip=scorer.stats.scored)
            return done
        return original(messages)

    scorer._process = process  # type: ignore[method-assign]
    stats = scorer.run(max_records=events)
    wall, process_cpu, thread = (
        time.perf_counter() - marks["start"],
        time.process_time() - marks["cpu"],
        time.thread_time() - marks["thread"],
    )
    counted = stats.scored - int(marks["skip"])
    out = _per_event(stages, counted, wall, process_cpu, thread)
    out["engine"] = scorer.live.model.info.engine if scorer.live else "?"
    return out


def compare(old: str, new: str, names: dict[str, str], events: int, rounds: int) -> list[dict[str, Any]]:
    """``measure`` in subprocesses, old and new tree interleaved (order flipped every round)."""
    rows = []
    for r in range(rounds):
        for tree in (old, new) if r % 2 == 0 else (new, old):
            for fmt, name in names.items():
                env = {**os.environ, "PYTHONPATH": tree}
                cmd = [sys.executable, str(HERE / "scorer_profile.py"), "measure", name, "--events", str(events)]
                done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
                if done.returncode:
                    raise SystemExit(done.stderr[-3000:])
                for line in done.stdout.splitlines():
                    row = {"tree": tree, "format": fmt, "round": r, **json.loads(line)}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    """Median µs per event per stage, by tree, format and kind (pass-through / scorer)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["tree"], row["format"], row["kind"])].append(row)
    lines = []
    for (tree, fmt, kind), runs in sorted(groups.items()):
        names = sorted({k for r in runs for k in r["stages_us"]})
        med = {k: statistics.median(r["stages_us"].get(k, 0.0) for r in runs) for k in names}
        main, process = (statistics.median(r[k] for r in runs) for k in ("main_thread_us", "process_us"))
        rate = statistics.median(r["rate_per_s"] for r in runs)
        lines.append(f"{tree} {fmt} {kind}: main {main:.2f} us/event, process {process:.2f}, rate {rate:,.0f}/s")
        lines += [f"    {k:32s} {v:6.2f}" for k, v in med.items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("setup", "measure", "compare"))
    parser.add_argument("args", nargs="*")
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="lr")
    parser.add_argument("--formats", default="onnx,pmml,pfa")
    parser.add_argument("--names", default=None, help="compare: a JSON file from setup (default: set up now)")
    args = parser.parse_args()
    if args.what == "setup":
        print(json.dumps(setup(args.events, args.model, args.formats.split(","))))
    elif args.what == "measure":
        (name,) = args.args
        print(json.dumps({"kind": "pass", **measure_pass(name, args.events, args.batch)}), flush=True)
        print(json.dumps({"kind": "score", **measure_score(name, args.events, args.batch)}), flush=True)
    else:
        old, new = args.args
        formats = args.formats.split(",")
        names = json.loads(Path(args.names).read_text()) if args.names else setup(args.events, args.model, formats)
        rows = compare(old, new, names, args.events, args.rounds)
        print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
