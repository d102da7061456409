"""Whether a scorer can do its job now, and retrying while Kafka or the registry are away.

Unhealthy while waiting for Kafka or the registry (with the reason); after a client-wide Kafka
error an idle scorer is healthy again only once a metadata request answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from confluent_kafka import KafkaError, KafkaException

from interchange.errors import RegistryError, TransportError
from interchange.kafka.scorer.options import ScorerStats

__all__ = ["Health", "UNAVAILABLE"]

log = logging.getLogger("interchange.kafka.scorer")
UNAVAILABLE = (TransportError, RegistryError, KafkaException)


class Health:
    """Keeps ``stats.healthy`` / ``stats.problem`` and retries calls with backoff."""

    def __init__(
        self,
        stats: ScorerStats,
        stop: threading.Event,
        backoff: tuple[float, float],
        probe: Callable[[], object],
    ) -> None:
        self.stats, self.stop, self.backoff, self.probe = stats, stop, backoff, probe
        self.trouble: str | None = None  # set by librdkafka's error callback, cleared by a metadata probe
        self._probed_at = self._logged_at = 0.0

    def healthy(self) -> None:
        if not self.stats.healthy:
            log.info("scorer healthy")
        self.stats.healthy, self.stats.problem = True, ""

    def unhealthy(self, problem: str) -> None:
        now = time.monotonic()
        if self.stats.healthy or (problem != self.stats.problem and now - self._logged_at > 10.0):
            log.warning("scorer unhealthy: %s", problem)
            self._logged_at = now
        self.stats.healthy, self.stats.problem = False, problem
        self.stats.retries += 1

    def kafka_error(self, err: KafkaError) -> None:
        """librdkafka's client-wide errors (all brokers down, transport): an idle scorer is unhealthy too."""
        self.trouble = f"Kafka: {err.str()}"
        self.unhealthy(self.trouble)

    def check_idle(self) -> None:
        """After a client-wide Kafka error, healthy again only once a metadata request answers."""
        if self.trouble is None:
            self.healthy()
            return
        now = time.monotonic()
        if now - self._probed_at < 2.0:
            return
        self._probed_at = now
        try:
            self.probe()
        except KafkaException:
            return
        self.trouble = None
        self.healthy()

    def retrying(self, what: str, fn: Callable[[], object]) -> bool:
        """``fn()`` retried with backoff while Kafka or the registry are away; False if stopped first."""
        first, longest = self.backoff
        delay = first
        while not self.stop.is_set():
            try:
                fn()
                return True
            except UNAVAILABLE as exc:
                self.unhealthy(f"{what}: {getattr(exc, 'message', None) or exc}")
                self.stop.wait(delay)
                delay = min(delay * 2, longest)
        return False
