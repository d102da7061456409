"""The scorer's one-line terminal status."""

from __future__ import annotations

import io
import time

from interchange.kafka.scorer.observe.status import StatusPrinter, status_line
from interchange.kafka.scorer.options import ScorerStats


def test_the_line_says_rate_counts_lag_routes_and_health() -> None:
    stats = ScorerStats(scored=12345, dead_lettered=3, lag=7, healthy=True)
    stats.serving = {"features": {"live": 2, "canary": 3}, "other": {}}
    line = status_line(stats, 1234.4)
    assert line == "1,234 ev/s | scored 12,345 | dead 3 | lag 7 | features:live=v2,canary=v3 other:waiting | healthy"


def test_an_unhealthy_scorer_says_why_and_unknown_lag_is_a_question_mark() -> None:
    line = status_line(ScorerStats(problem="registry unreachable"), 0.0)
    assert line.endswith("lag ? | no routes | UNHEALTHY (registry unreachable)")


def test_the_printer_rewrites_one_line_and_ends_it_on_stop() -> None:
    stats, stream = ScorerStats(healthy=True), io.StringIO()
    printer = StatusPrinter(stats, interval=0.05, stream=stream).start()
    stats.scored = 100
    deadline = time.monotonic() + 5
    while "scored 100" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    printer.stop()
    text = stream.getvalue()
    assert "\r\x1b[2K" in text and "scored 100" in text
    assert text.endswith("\n") and text.count("\n") == 1
