"""Join predictions with labels by event key, within a window of event time, in bounded memory.

Labels arrive late, out of order, or never; predictions and labels are read from two topics
whose consumption may interleave in any order. Both sides wait in insertion-ordered maps:

* a prediction waits for its label until the labels stream's event time (the newest label
  timestamp seen) has passed the prediction's time plus the window; it then *expires*
  (counted: a label that never came, or came too late);
* a label that arrives before its prediction was read waits until the predictions stream's
  event time has passed the label's time plus the window; it is then *unjoined* (counted),
  as is a label that arrives more than the window after its prediction;
* either map holding more than ``max_pending`` entries drops its oldest (counted as *evicted*).

Times are Kafka timestamps in milliseconds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

__all__ = ["Joined", "LabelJoin", "JoinCounts"]


@dataclass(frozen=True)
class Joined:
    key: Hashable
    prediction_ts: int
    label_ts: int
    prediction: Any
    label: Any


@dataclass
class JoinCounts:
    joined: int = 0
    expired: int = 0  # predictions that got no label within the window
    unjoined: int = 0  # labels that matched no prediction within the window
    evicted: int = 0  # entries dropped because the state was full
    duplicates: int = 0  # a second prediction for a key still waiting (the newer one is kept)


class LabelJoin:
    """Bounded key join of predictions and labels within ``window_ms`` of event time."""

    def __init__(self, window_ms: int, max_pending: int = 100_000) -> None:
        if window_ms <= 0 or max_pending <= 0:
            raise ValueError("window_ms and max_pending must be positive")
        self.window_ms = window_ms
        self.max_pending = max_pending
        self.predictions: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.labels: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.label_time = -(2**62)
        self.prediction_time = -(2**62)
        self.counts = JoinCounts()

    def add_prediction(self, key: Hashable, ts: int, prediction: Any) -> Joined | None:
        self.prediction_time = max(self.prediction_time, ts)
        waiting = self.labels.pop(key, None)
        if waiting is not None:
            return self._match(key, ts, prediction, *waiting)
        if key in self.predictions:
            self.counts.duplicates += 1
            del self.predictions[key]
        self.predictions[key] = (ts, prediction)
        if len(self.predictions) > self.max_pending:
            self.predictions.popitem(last=False)
            self.counts.evicted += 1
        return None

    def add_label(self, key: Hashable, ts: int, label: Any) -> Joined | None:
        self.label_time = max(self.label_time, ts)
        waiting = self.predictions.pop(key, None)
        if waiting is not None:
            return self._match(key, waiting[0], waiting[1], ts, label)
        self.labels.pop(key, None)
        self.labels[key] = (ts, label)
        if len(self.labels) > self.max_pending:
            self.labels.popitem(last=False)
            self.counts.evicted += 1
        return None

    def _match(self, key: Hashable, pred_ts: int, prediction: Any, label_ts: int, label: Any) -> Joined | None:
        if label_ts - pred_ts > self.window_ms:
            self.counts.expired += 1
            self.counts.unjoined += 1
            return None
        self.counts.joined += 1
        return Joined(key, pred_ts, label_ts, prediction, label)

    def expire(self) -> None:
        """Drop what can no longer join: each side by the other stream's event time."""
        self.counts.expired += _drop_older(self.predictions, self.label_time - self.window_ms)
        self.counts.unjoined += _drop_older(self.labels, self.prediction_time - self.window_ms)

    @property
    def pending(self) -> int:
        return len(self.predictions) + len(self.labels)


def _drop_older(entries: OrderedDict[Hashable, tuple[int, Any]], limit: int) -> int:
    """Drop entries from the oldest inserted while their time is before ``limit``; how many."""
    dropped = 0
    while entries:
        key, (ts, _) = next(iter(entries.items()))
        if ts >= limit:
            break
        del entries[key]
        dropped += 1
    return dropped
