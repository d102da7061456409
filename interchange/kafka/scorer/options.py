"""What a scorer serves, where, and with which guarantee: its frozen options and running figures."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from interchange.errors import ConfigError
from interchange.kafka.modeltopic import DEFAULT_MODEL_TOPIC
from interchange.kafka.routes.route import Route

__all__ = ["Guarantee", "ScorerOptions", "ScorerStats"]

Guarantee = Literal["at-least-once", "exactly-once"]
GUARANTEES = ("at-least-once", "exactly-once")


@dataclass(frozen=True)
class ScorerOptions:
    """What to score and where; topic names default from the model name.

    ``guarantee``: ``at-least-once`` commits input offsets after the batch's outputs are
    delivered (a crash re-scores the batch); ``exactly-once`` writes outputs, dead letters and
    input offsets in one Kafka transaction (read the outputs with ``isolation.level=read_committed``).
    ``instance_id`` turns on static group membership: a restarted member with the same id gets
    its partitions back at once instead of after ``session_timeout_ms``.
    ``verify_key``: an Ed25519 public key (path or PEM); with it, unsigned or wrongly signed
    versions are refused.
    ``model`` is shorthand for one ``latest`` route (``input_topic`` etc. apply to it);
    ``routes`` add more, and ``routes_topic`` follows the compacted routes topic (its routes
    override same-topic ones, its tombstones retire them) so routes change without a restart.
    ``metrics_topic`` gets Metric events every ``metrics_interval`` s (None: none);
    ``metrics_port`` serves Prometheus ``/metrics`` and ``/healthz`` (0 picks a free port).
    ``lineage_headers`` also writes the six ``interchange.*`` lineage headers on every prediction,
    for consumers that join on headers; lineage is always in the prediction's Avro fields
    (``model``, ``source``), and headers cost the producer about as much CPU as the message itself.
    """

    model: str | None = None
    input_topic: str | None = None
    output_topic: str | None = None
    dead_letter_topic: str | None = None
    model_topic: str = DEFAULT_MODEL_TOPIC
    group: str | None = None
    batch_size: int = 1000
    poll_timeout: float = 0.2
    verify_key: Any = None
    engine: str = "auto"
    guarantee: Guarantee = "at-least-once"
    instance_id: str | None = None
    session_timeout_ms: int = 10_000
    max_event_bytes: int = 1_000_000
    max_dead_letter_bytes: int = 900_000
    backoff: tuple[float, float] = (0.5, 10.0)  # first and longest wait between retries, seconds
    routes: tuple[Route, ...] = ()
    routes_topic: str | None = None
    metrics_topic: str | None = "interchange-metrics"
    metrics_interval: float = 10.0
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    lineage_headers: bool = False

    def __post_init__(self) -> None:
        if not self.model and not self.routes and not self.routes_topic:
            raise ConfigError("a scorer needs a model name, routes, or a routes topic to follow", key="model")
        if self.metrics_interval <= 0:
            raise ConfigError(f"metrics_interval must be positive, got {self.metrics_interval}", key="metrics_interval")
        if self.guarantee not in GUARANTEES:
            raise ConfigError(f"guarantee {self.guarantee!r} must be one of {GUARANTEES}", key="guarantee")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}", key="batch_size")

    def initial_routes(self) -> list[Route]:
        """``model`` is shorthand for one ``latest`` route from ``<model>-features``; then the configured routes."""
        routes = list(self.routes)
        if self.model:
            routes.insert(
                0,
                Route(
                    self.input_topic or f"{self.model}-features",
                    self.model,
                    output_topic=self.output_topic,
                    dead_letter_topic=self.dead_letter_topic,
                ),
            )
        return routes

    @property
    def group_id(self) -> str:
        if self.group:
            return self.group
        return (
            f"interchange-scorer-{self.model}"
            if self.model and not self.routes and not self.routes_topic
            else "interchange-scorer"
        )


@dataclass
class ScorerStats:
    """Running figures of one scorer, readable from another thread."""

    scored: int = 0
    dead_lettered: int = 0
    batches: int = 0
    swaps: int = 0
    retries: int = 0
    refused: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    version: int | None = None  # the latest live version when the scorer serves one model
    serving: dict[str, dict[str, int]] = field(default_factory=dict)  # input topic -> role -> version
    shadowed: int = 0
    lag: int | None = None  # events behind the end of the assigned input partitions
    healthy: bool = False
    problem: str = "starting"
    first_batch_at: float | None = None  # time.monotonic() when the first batch arrived
    last_batch_at: float | None = None  # ... and when the latest batch was committed

    @property
    def rate(self) -> float:
        """Events per second between the first batch's arrival and the last commit."""
        if self.first_batch_at is None or self.last_batch_at is None or self.last_batch_at <= self.first_batch_at:
            return 0.0
        return (self.scored + self.dead_lettered) / (self.last_batch_at - self.first_batch_at)

    def mark_arrival(self) -> None:
        self.first_batch_at = self.first_batch_at or time.monotonic()

    def mark_committed(self) -> None:
        self.last_batch_at = time.monotonic()
        self.batches += 1
