"""A one-line status of a running scorer, printed every few seconds on a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from interchange.kafka.scorer.options import ScorerStats

__all__ = ["status_line", "StatusPrinter"]


def status_line(stats: ScorerStats, rate: float) -> str:
    """events/s, dead letters, lag, live versions per route, health."""
    serving = " ".join(
        f"{topic}:" + ",".join(f"{role}=v{v}" for role, v in roles.items()) if roles else f"{topic}:waiting"
        for topic, roles in sorted(stats.serving.items())
    )
    lag = "?" if stats.lag is None else str(stats.lag)
    health = "healthy" if stats.healthy else f"UNHEALTHY ({stats.problem})"
    counts = f"{rate:,.0f} ev/s | scored {stats.scored:,} | dead {stats.dead_lettered:,} | lag {lag}"
    return f"{counts} | {serving or 'no routes'} | {health}"


class StatusPrinter:
    """Rewrites one status line on ``stream`` every ``interval`` s until stopped (a daemon thread)."""

    def __init__(self, stats: ScorerStats, interval: float = 2.0, stream: TextIO = sys.stderr) -> None:
        self.stats, self.interval, self.stream = stats, interval, stream
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="interchange-status", daemon=True)

    def start(self) -> StatusPrinter:
        self.thread.start()
        return self

    def _run(self) -> None:
        before, then = self.stats.scored + self.stats.dead_lettered, time.monotonic()
        while not self._stop.wait(self.interval):
            now, done = time.monotonic(), self.stats.scored + self.stats.dead_lettered
            line = status_line(self.stats, (done - before) / max(now - then, 1e-9))
            self.stream.write("\r\x1b[2K" + line[:200])
            self.stream.flush()
            before, then = done, now

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.stream.write("\n")
