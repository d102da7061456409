"""How a batch's outputs and its input offsets reach Kafka: at-least-once or exactly-once.

Both strategies block until the batch is safe or the scorer is told to stop, retrying through
broker outages; neither ever ends the process because Kafka is away. A batch that cannot be
made safe raises TransportError, and the scorer rewinds to the batch's first offsets and
scores it again, so nothing is lost.

- ``AtLeastOnce``: produce, and once every delivery report of the batch (and of the batches
  before it) is in, commit the offsets (without waiting for the commit's answer); the next
  batch is scored meanwhile. A crash between the two re-scores the batch (duplicates, never loss).
- ``ExactlyOnce``: one Kafka transaction per batch holding the outputs, the dead letters and
  the input offsets (``send_offsets_to_transaction``); consumers of the outputs read with
  ``isolation.level=read_committed``. An aborted transaction leaves no trace downstream.

``base`` holds the interface and the watched client calls, ``at_least_once`` and ``exactly_once`` one
guarantee each; this package re-exports their public names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from interchange.kafka.config import ClientConfig
from interchange.kafka.scorer.delivery.at_least_once import AtLeastOnce
from interchange.kafka.scorer.delivery.base import WATCH_DEADLINE_S, Delivery, Offsets
from interchange.kafka.scorer.delivery.exactly_once import SETTLE_S, TRANSACTIONAL, ExactlyOnce, batch_inputs

__all__ = [
    "SETTLE_S",
    "TRANSACTIONAL",
    "WATCH_DEADLINE_S",
    "AtLeastOnce",
    "Delivery",
    "ExactlyOnce",
    "Offsets",
    "batch_inputs",
    "delivery_for",
]


def delivery_for(
    guarantee: str,
    config: ClientConfig,
    stop: threading.Event,
    report: Callable[[str], None],
    transactional_id: str,
    batch_size: int | None = None,
) -> Delivery:
    """The scorer's delivery; ``batch_size``: a batch this full has its transaction committed in the background."""
    if guarantee == "exactly-once":
        return ExactlyOnce(config, stop, report, transactional_id, overlap_from=batch_size)
    return AtLeastOnce(config, stop, report)
