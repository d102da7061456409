"""What per-message delivery reports cost a bare producer: process CPU per message, interleaved.

Three ways to produce the same 200,000 messages of 170 bytes in batches of 1,000 (the scorer's
producer settings: linger.ms 2, message.timeout.ms 0):
- ``per-message``: ``produce(..., on_delivery=callback)``, as the scorer's at-least-once delivery does;
- ``only-error``: ``delivery.report.only.error=true`` with a producer-wide callback (failures only);
- ``none``: no delivery reports.

    python benchmarks/delivery_reports.py   (needs `interchange stack up`)
"""

from __future__ import annotations

import os
import time
import uuid

from confluent_kafka import Producer

from interchange.kafka.config import load_config
from interchange.kafka.transport import ensure_topics

N, BATCH = 200_000, 1000


def run(bootstrap: str, topic: str, kind: str) -> tuple[float, float, int]:
    """(process CPU µs per message, messages per second, callbacks served)."""
    conf: dict = {"bootstrap.servers": bootstrap, "linger.ms": 2, "message.timeout.ms": 0}
    count = [0]

    def delivered(err, msg) -> None:
        count[0] += 1

    if kind == "only-error":
        conf["delivery.report.only.error"] = True
        conf["on_delivery"] = delivered
    producer = Producer(conf)
    producer.produce(topic, b"warm")
    producer.flush(10)
    value = os.urandom(170)
    keys = [b"k%d" % i for i in range(N)]
    cpu, wall = time.process_time(), time.monotonic()
    for start in range(0, N, BATCH):
        if kind == "per-message":
            for key in keys[start : start + BATCH]:
                producer.produce(topic, key=key, value=value, on_delivery=delivered)
        else:
            for key in keys[start : start + BATCH]:
                producer.produce(topic, key=key, value=value)
        producer.poll(0)
    producer.flush(30)
    return (time.process_time() - cpu) / N * 1e6, N / (time.monotonic() - wall), count[0]


def main() -> None:
    config = load_config()
    topic = f"delivery-bench-{uuid.uuid4().hex[:6]}"
    ensure_topics(config, {topic: {}})
    bootstrap = config.kafka["bootstrap.servers"]
    for r in range(3):
        for kind in ("per-message", "only-error", "none") if r % 2 == 0 else ("none", "only-error", "per-message"):
            cpu, rate, served = run(bootstrap, topic, kind)
            print(f"{kind:12s} cpu {cpu:.2f} µs/message  rate {rate:,.0f}/s  callbacks {served}", flush=True)


if __name__ == "__main__":
    main()
