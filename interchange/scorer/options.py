"""What a scorer serves, where, and with which guarantee: its frozen options and running figures."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from interchange.errors import ConfigError
from interchange.modeltopic import DEFAULT_MODEL_TOPIC

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
    """

    model: str
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

    def __post_init__(self) -> None:
        if self.guarantee not in GUARANTEES:
            raise ConfigError(f"guarantee {self.guarantee!r} must be one of {GUARANTEES}", key="guarantee")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}", key="batch_size")

    @property
    def topics(self) -> tuple[str, str, str]:
        m = self.model
        return (
            self.input_topic or f"{m}-features",
            self.output_topic or f"{m}-predictions",
            self.dead_letter_topic or f"{m}-dlq",
        )

    @property
    def group_id(self) -> str:
        return self.group or f"interchange-scorer-{self.model}"


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
    version: int | None = None
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
