"""``interchange sink``: run the sink from the command line with progress on stderr."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from interchange.kafka.config import ClientConfig
from interchange.kafka.sink.sink import Sink, SinkOptions

__all__ = ["run_sink"]


def run_sink(
    config: ClientConfig,
    topic: str,
    to: Path,
    *,
    flush_events: int,
    flush_seconds: float,
    idle_timeout: float | None,
    group: str | None = None,
) -> None:
    """Land ``topic`` under ``to`` until stopped; a JSON summary on stderr at the end."""
    from interchange.kafka.logs import configure_logging

    configure_logging()
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # the registry client logs every request at INFO
    sink = Sink(SinkOptions(topic, Path(to), flush_events, flush_seconds, group), config)
    stats = sink.run(idle_timeout=idle_timeout)
    summary = {k: v for k, v in stats.__dict__.items() if k != "started_at"}
    summary["rate"] = round(stats.rate, 1)
    print(json.dumps(summary), file=sys.stderr)
