"""Side-by-side latency of delivery variants, interleaved in one run (the machine is shared: runs a
minute apart differ more than the variants do).

Each round runs every variant once, in a rotated order, at the same input rate, through
``benchmarks/scorer.py``'s latency run (same sender, same topics setup, LR model in ONNX); the table gives
each variant's per-round p50 / p99 from send and from the broker, and the medians over rounds, with the
load average while each ran.

    python benchmarks/latency_ab.py --rate 1000 --rounds 3 eos-backoff-10 eos   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scorer import RESULTS, latency  # noqa: E402

import interchange  # noqa: E402
from interchange.kafka.config import load_config  # noqa: E402


def _producer_settings(**settings: Any) -> Callable[[Any], None]:
    """The delivery's producer rebuilt with these librdkafka settings (``retry_backoff_ms`` -> retry.backoff.ms)."""

    def tweak(scorer: Any) -> None:
        delivery = scorer.delivery
        delivery._extra.update({k.replace("_", "."): v for k, v in settings.items()})
        delivery.producer = delivery._new_producer()

    return tweak


def _overlap(value: int | None) -> Callable[[Any], None]:
    def tweak(scorer: Any) -> None:
        scorer.delivery.overlap_from = value

    return tweak


# name: (guarantee, tweak or None)
VARIANTS: dict[str, tuple[str, Callable[[Any], None] | None]] = {
    "pass-through": ("pass-through", None),
    "pass-through-eos": ("pass-through exactly-once", None),
    "at-least-once": ("at-least-once", None),
    "eos": ("exactly-once", None),
    "eos-backoff-10": ("exactly-once", _producer_settings(retry_backoff_ms=10, retry_backoff_max_ms=1000)),  # before 2 / 20
    "eos-serial": ("exactly-once", _overlap(None)),  # every commit in the foreground
    "eos-overlap-always": ("exactly-once", _overlap(1)),  # every commit in the background
    "pass-through-eos-serial": ("pass-through exactly-once", _overlap(None)),
    "pass-through-eos-backoff-10": (
        "pass-through exactly-once",
        _producer_settings(retry_backoff_ms=10, retry_backoff_max_ms=1000),
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=None, help="JSON file for the per-round figures")
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    name = f"bench-lat-ab-{uuid.uuid4().hex[:6]}"
    model = LogisticRegression(max_iter=500).fit(frame, y)
    interchange.publish(interchange.convert(model, "onnx", sample=frame[:200]), name=name, config=config)
    runs: dict[str, list[dict]] = {v: [] for v in args.variants}
    for r in range(args.rounds):
        order = args.variants[r % len(args.variants) :] + args.variants[: r % len(args.variants)]
        for v in order:
            guarantee, tweak = VARIANTS[v]
            figures = latency(config, name, args.rate, args.seconds, guarantee, tweak)
            runs[v].append(figures)
            keys = ("p50_ms", "p99_ms", "broker_p50_ms", "broker_p99_ms", "batches", "load_avg", "sender_cpu_s")
            keys += ("this_process_cpu_s", "broker_cpu_s", "broker_gc_pauses", "broker_gc_pause_max_ms")
            print(v, {k: figures[k] for k in keys}, flush=True)
    print(f"\nrate {args.rate:,.0f}/s, {args.seconds:.0f} s per run, {args.rounds} rounds (median over rounds [per round])")
    print("| variant | from send p50 / p99 ms | from broker p50 / p99 ms | batches | load avg |")
    print("|---|---|---|---|---|")
    for v, rs in runs.items():

        def cell(key: str, rs: list[dict] = rs) -> str:
            values = [x[key] for x in rs if x[key] is not None]
            return f"{statistics.median(values):.0f} [{', '.join(f'{x:.0f}' for x in values)}]"

        print(
            f"| {v} | {cell('p50_ms')} / {cell('p99_ms')} | {cell('broker_p50_ms')} / {cell('broker_p99_ms')} | "
            f"{statistics.median(x['batches'] for x in rs):.0f} | {', '.join(str(x['load_avg']) for x in rs)} |"
        )
    if args.out:
        (RESULTS / args.out).write_text(json.dumps({"rate": args.rate, "seconds": args.seconds, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
