"""Side-by-side latency of delivery variants, interleaved in one run (the machine is shared: runs a
minute apart differ more than the variants do).

Each round runs every variant once, in a rotated order, at the same input rate, through
``benchmarks/scorer.py``'s latency run (same sender, same topics setup, LR model in ONNX); the table gives
each variant's per-round p50 / p99 from send and from the broker, and the medians over rounds, with the
load average while each ran.

Variants may also change a dynamic broker setting for their runs (``BROKER``; dropped again at the end),
``--broker-gc g1,shenandoah`` repeats every variant on a broker restarted with each collector, and
``--count-refusals`` counts the transaction coordinator's CONCURRENT_TRANSACTIONS answers per run.

    python benchmarks/latency_ab.py --rate 1000 --rounds 3 --count-refusals eos eos-settle-0   (needs `interchange stack up`)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
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
from interchange.kafka import stack  # noqa: E402
from interchange.kafka.config import load_config  # noqa: E402
from interchange.kafka.scorer.delivery import ExactlyOnce  # noqa: E402
from interchange.kafka.stack.config import StackConfig  # noqa: E402


def _producer_settings(**settings: Any) -> Callable[[Any], None]:
    """The delivery's producer rebuilt with these librdkafka settings (``retry_backoff_ms`` -> retry.backoff.ms)."""

    def tweak(scorer: Any) -> None:
        delivery = scorer.delivery
        delivery._extra.update({k.replace("_", "."): v for k, v in settings.items()})
        delivery.rebuild()

    return tweak


def _settle(seconds: float) -> Callable[[Any], None]:
    def tweak(scorer: Any) -> None:
        scorer.delivery.settle_s = seconds

    return tweak


def _overlap(value: int | None) -> Callable[[Any], None]:
    def tweak(scorer: Any) -> None:
        scorer.delivery.overlap_from = value

    return tweak


class _Refusals(logging.Handler):
    """Counts the transaction coordinator's CONCURRENT_TRANSACTIONS answers in librdkafka's ``eos`` debug log: an
    AddPartitionsToTxn refused so is asked again only after 20 ms (hard-coded in librdkafka), AddOffsetsToTxn
    after retry.backoff.ms."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.add_partitions = self.add_offsets = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "concurrent operation" in text or "CONCURRENT_TRANSACTIONS" in text:
            if "AddPartitionsToTxn" in text:
                self.add_partitions += 1
            elif "AddOffsetsToTxn" in text:
                self.add_offsets += 1


def _counting(tweak: Callable[[Any], None] | None, counter: _Refusals) -> Callable[[Any], None]:
    """``tweak``, then the delivery's producer rebuilt with librdkafka's eos debug log going to ``counter``."""
    logger = logging.getLogger(f"latency_ab.rdkafka.{id(counter)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)

    def wrapped(scorer: Any) -> None:
        if tweak is not None:
            tweak(scorer)
        delivery = scorer.delivery
        if isinstance(delivery, ExactlyOnce):
            delivery._extra.update({"debug": "eos", "logger": logger})
            delivery.rebuild()

    return wrapped


def set_broker(config: Any, settings: dict[str, str]) -> None:
    """Change dynamic broker settings of the local (single-node) broker, e.g. between interleaved variants."""
    from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

    entries = [ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET) for k, v in settings.items()]
    admin = AdminClient(dict(config.kafka))
    for future in admin.incremental_alter_configs([ConfigResource("BROKER", "1", incremental_configs=entries)]).values():
        future.result(10)


def reset_broker(config: Any, keys: list[str]) -> None:
    """Drop the dynamic overrides :func:`set_broker` left, so server.properties counts again."""
    from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

    entries = [ConfigEntry(k, "", incremental_operation=AlterConfigOpType.DELETE) for k in keys]
    admin = AdminClient(dict(config.kafka))
    for future in admin.incremental_alter_configs([ConfigResource("BROKER", "1", incremental_configs=entries)]).values():
        future.result(10)


def restart_broker(collector: str) -> None:
    """Restart the local stack's broker (not the registry) with another garbage collector; this process's nice
    value carries over to it."""
    os.environ["INTERCHANGE_STACK_KAFKA_GC"] = collector
    cfg = StackConfig.from_env()
    stack.kill("kafka", cfg, hard=False)
    stack.start_service("kafka", cfg)
    time.sleep(5.0)  # the coordinators load their partitions


# dynamic broker settings a variant runs with (every other variant runs with BROKER_DEFAULTS)
BROKER_DEFAULTS = {"transaction.partition.verification.enable": "false"}  # the local stack's server.properties
BROKER: dict[str, dict[str, str]] = {
    "eos-verify": {"transaction.partition.verification.enable": "true"},
    "pass-through-eos-verify": {"transaction.partition.verification.enable": "true"},
}

# the sender's linger.ms for a variant's runs (0 for every other): the load generator's batching, counted in "from send"
SENDER_LINGER_MS = {"pass-through-sender-linger-1": 1.0, "at-least-once-sender-linger-1": 1.0}

# name: (guarantee, tweak or None)
VARIANTS: dict[str, tuple[str, Callable[[Any], None] | None]] = {
    "pass-through": ("pass-through", None),
    "pass-through-eos": ("pass-through exactly-once", None),
    "at-least-once": ("at-least-once", None),
    "eos": ("exactly-once", None),
    "eos-verify": ("exactly-once", None),  # the broker verifies transactional produce requests (Kafka's default)
    "pass-through-eos-verify": ("pass-through exactly-once", None),
    "eos-backoff-max-20": ("exactly-once", _producer_settings(retry_backoff_max_ms=20)),  # before: 2 / 20
    "eos-backoff-10": ("exactly-once", _producer_settings(retry_backoff_ms=10, retry_backoff_max_ms=1000)),
    "eos-settle-0": ("exactly-once", _settle(0.0)),  # the next transaction begins as soon as the commit returns
    "eos-settle-2": ("exactly-once", _settle(0.002)),
    "eos-settle-5": ("exactly-once", _settle(0.005)),
    "pass-through-eos-settle-0": ("pass-through exactly-once", _settle(0.0)),
    "eos-serial": ("exactly-once", _overlap(None)),  # every commit in the foreground
    "eos-overlap-always": ("exactly-once", _overlap(1)),  # every commit in the background
    "pass-through-eos-serial": ("pass-through exactly-once", _overlap(None)),
    "pass-through-sender-linger-1": ("pass-through", None),
    "at-least-once-sender-linger-1": ("at-least-once", None),
}


def _pauses(figures: dict) -> str:
    return f"{figures['broker_gc_pauses']} ({figures['broker_gc_pause_max_ms']})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=None, help="JSON file name for the per-round figures, inside benchmarks/results")
    parser.add_argument(
        "--broker-gc",
        default=None,
        help="collectors to compare, e.g. g1,shenandoah: each round restarts the broker with each in turn (rotated) and "
        "runs every variant on it after one unrecorded warm-up run",
    )
    parser.add_argument("--visible", action="store_true", help="also time when a read_committed consumer saw each output")
    parser.add_argument("--count-refusals", action="store_true", help="count CONCURRENT_TRANSACTIONS answers (eos debug log)")
    args = parser.parse_args()
    config = load_config()
    X, y = make_classification(5000, 20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    name = f"bench-lat-ab-{uuid.uuid4().hex[:6]}"
    model = LogisticRegression(max_iter=500).fit(frame, y)
    interchange.publish(interchange.convert(model, "onnx", sample=frame[:200]), name=name, config=config)
    initial_gc = os.environ.get("INTERCHANGE_STACK_KAFKA_GC")
    collectors = args.broker_gc.split(",") if args.broker_gc else [None]
    labels = [f"{v}@{gc}" if gc else v for gc in collectors for v in args.variants]
    runs: dict[str, list[dict]] = {label: [] for label in labels}
    dynamic = any(v in BROKER for v in args.variants)
    for r in range(args.rounds):
        for gc in collectors[r % len(collectors) :] + collectors[: r % len(collectors)]:
            if gc is not None:
                restart_broker(gc)
                latency(config, name, args.rate, 2.0, VARIANTS[args.variants[0]][0])  # warm-up, not recorded
            order = args.variants[r % len(args.variants) :] + args.variants[: r % len(args.variants)]
            for v in order:
                guarantee, tweak = VARIANTS[v]
                if dynamic:
                    set_broker(config, {**BROKER_DEFAULTS, **BROKER.get(v, {})})
                counter = _Refusals()
                if args.count_refusals:
                    tweak = _counting(tweak, counter)
                linger = SENDER_LINGER_MS.get(v, 0.0)
                figures = latency(config, name, args.rate, args.seconds, guarantee, tweak, args.visible, linger)
                figures["refused_add_partitions"], figures["refused_add_offsets"] = counter.add_partitions, counter.add_offsets
                label = f"{v}@{gc}" if gc else v
                runs[label].append(figures)
                keys = (
                    "p50_ms",
                    "p99_ms",
                    "broker_p50_ms",
                    "broker_p99_ms",
                    "visible_p50_ms",
                    "visible_p99_ms",
                    "batches",
                    "load_avg",
                    "cpu_pressure_avg10",
                )
                keys += ("sender_cpu_s", "sent_per_s", "refused_add_partitions", "refused_add_offsets")
                keys += ("this_process_cpu_s", "broker_cpu_s", "broker_gc_pauses", "broker_gc_pause_max_ms")
                print(label, {k: figures[k] for k in keys}, flush=True)
    if dynamic:
        reset_broker(config, sorted({k for v in args.variants for k in BROKER.get(v, {})}))
    if args.broker_gc:  # leave the broker on the collector it had
        restart_broker(initial_gc or StackConfig().kafka_gc)
    print(f"\nrate {args.rate:,.0f}/s, {args.seconds:.0f} s per run, {args.rounds} rounds (median over rounds [per round])")
    print(
        "| variant | from send p50 / p99 ms | from broker p50 / p99 ms | visible (read_committed) p50 / p99 ms | batches "
        "| refused AddPartitions / AddOffsets "
        "| broker CPU s | sender CPU s | broker GC pauses (max ms) | load avg | CPU pressure avg10 % |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for v, rs in runs.items():

        def cell(key: str, rs: list[dict] = rs) -> str:
            values = [x[key] for x in rs if x.get(key) is not None]
            if not values:
                return "-"
            return f"{statistics.median(values):.0f} [{', '.join(f'{x:.0f}' for x in values)}]"

        print(
            f"| {v} | {cell('p50_ms')} / {cell('p99_ms')} | {cell('broker_p50_ms')} / {cell('broker_p99_ms')} | "
            f"{cell('visible_p50_ms')} / {cell('visible_p99_ms')} | "
            f"{statistics.median(x['batches'] for x in rs):.0f} | "
            f"{'; '.join(str(x['refused_add_partitions']) + ' / ' + str(x['refused_add_offsets']) for x in rs)} | "
            f"{', '.join(str(x['broker_cpu_s']) for x in rs)} | "
            f"{', '.join(str(x['sender_cpu_s']) for x in rs)} | "
            f"{', '.join(_pauses(x) for x in rs)} | "
            f"{', '.join(str(x['load_avg']) for x in rs)} | "
            f"{', '.join(str(x.get('cpu_pressure_avg10')) for x in rs)} |"
        )
    if args.out:
        (RESULTS / Path(args.out).name).write_text(
            json.dumps({"rate": args.rate, "seconds": args.seconds, "runs": runs}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
