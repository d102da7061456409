"""What the monitor remembers between metric emissions, and the figures it computes from it.

No Kafka here: decoded predictions, labels and feature events go in with their key and
timestamp; ``figures`` gives every metric for each window at the current event time (the
newest timestamp seen on any input). All state is bounded: the join by ``max_pending`` keys
per side, the windows by the longest window and ``max_events``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.kafka.monitor.join import LabelJoin
from interchange.kafka.monitor.metrics import Recent, classification_metrics, drift_metrics, latency_metrics, regression_metrics
from interchange.signature import Signature

__all__ = ["MonitorState", "StateLimits", "COUNTERS"]

COUNTERS = (
    "predictions_total",
    "labels_total",
    "features_total",
    "dead_letters_total",
    "labels_joined_total",
    "predictions_expired_total",
    "labels_unjoined_total",
    "join_evicted_total",
    "join_pending",
)


@dataclass(frozen=True)
class StateLimits:
    join_window_ms: int = 3_600_000
    max_pending: int = 100_000
    max_events: int = 100_000
    min_rows: int = 30  # fewest observations in a window for a drift figure


class MonitorState:
    """Joined labels, recent predictions / features / latencies, and counters for one model."""

    def __init__(
        self, signature: Signature, profile: Mapping[str, Any] | None, windows_ms: Iterable[int], limits: StateLimits
    ) -> None:
        self.limits = limits
        self.windows_ms = sorted(set(windows_ms))
        keep = max(self.windows_ms)
        self.join = LabelJoin(limits.join_window_ms, limits.max_pending)
        self.joined = Recent(keep, limits.max_events)
        self.predictions = Recent(keep, limits.max_events)
        self.features = Recent(keep, limits.max_events)
        self.latencies = Recent(keep, limits.max_events)
        self._feature_times: OrderedDict[Hashable, int] = OrderedDict()
        self._prediction_times: OrderedDict[Hashable, int] = OrderedDict()
        self.counts = {"predictions_total": 0, "labels_total": 0, "features_total": 0, "dead_letters_total": 0}
        self.now_ms = 0
        self.use(signature, profile)

    def use(self, signature: Signature, profile: Mapping[str, Any] | None) -> None:
        """Switch to a model version's signature and reference profile."""
        self.signature = signature
        self.profile = profile
        probs = signature.output("probability")
        self.classes = list(signature.classes or [])
        self.prob_fields = [f.name for f in probs] if probs and len(probs) == len(self.classes) else []
        if self.prob_fields:
            self.classes = [f.target for f in probs]
        label = signature.output("label") or signature.output("value")
        self.label_field = label[0].name if label else None
        spec = (profile or {}).get("prediction") or {}
        self.drift_field = spec.get("field")

    # --- events -------------------------------------------------------------------------
    def _tick(self, ts: int) -> None:
        self.now_ms = max(self.now_ms, ts)

    def add_prediction(self, key: Hashable | None, ts: int, record: Mapping[str, Any]) -> None:
        self._tick(ts)
        self.counts["predictions_total"] += 1
        if self.drift_field is not None:
            self.predictions.add(ts, record.get(self.drift_field))
        if key is None:
            return
        predicted = record.get(self.label_field) if self.label_field else None
        proba = tuple(record.get(f) for f in self.prob_fields) if self.prob_fields else None
        self._latency(key, prediction_ts=ts)
        joined = self.join.add_prediction(key, ts, (predicted, proba))
        if joined is not None:
            self.joined.add(joined.prediction_ts, (joined.label, *joined.prediction))

    def add_label(self, key: Hashable, ts: int, label: Any) -> None:
        self._tick(ts)
        self.counts["labels_total"] += 1
        joined = self.join.add_label(key, ts, label)
        if joined is not None:
            self.joined.add(joined.prediction_ts, (joined.label, *joined.prediction))

    def add_features(self, key: Hashable | None, ts: int, record: Mapping[str, Any]) -> None:
        self._tick(ts)
        self.counts["features_total"] += 1
        self.features.add(ts, record)
        if key is not None:
            self._latency(key, feature_ts=ts)

    def _latency(self, key: Hashable, *, feature_ts: int | None = None, prediction_ts: int | None = None) -> None:
        """Latency = prediction time - feature time, whichever of the two is read first."""
        if feature_ts is not None:
            other = self._prediction_times.pop(key, None)
            mine, store, value = self._feature_times, feature_ts, None if other is None else other - feature_ts
        else:
            assert prediction_ts is not None, "_latency takes feature_ts or prediction_ts"
            other = self._feature_times.pop(key, None)
            mine, store, value = self._prediction_times, prediction_ts, None if other is None else prediction_ts - other
        if value is not None:
            self.latencies.add(max(feature_ts or 0, prediction_ts or 0, other or 0), float(value))
            return
        mine[key] = store
        if len(mine) > self.limits.max_pending:
            mine.popitem(last=False)

    def dead_letter(self) -> None:
        self.counts["dead_letters_total"] += 1

    # --- figures ------------------------------------------------------------------------
    def figures(self, sla_ms: float) -> dict[tuple[str, float | None], float]:
        """Every figure: ``(name, window seconds)`` for windowed ones, ``(name, None)`` for counters."""
        self.join.expire()
        for store in (self.joined, self.predictions, self.features, self.latencies):
            store.prune(self.now_ms)
        out: dict[tuple[str, float | None], float] = {}
        c = self.join.counts
        counters = {
            **self.counts,
            "labels_joined_total": c.joined,
            "predictions_expired_total": c.expired,
            "labels_unjoined_total": c.unjoined,
            "join_evicted_total": c.evicted,
            "join_pending": self.join.pending,
        }
        for name, value in counters.items():
            out[(name, None)] = float(value)
        for window in self.windows_ms:
            start = self.now_ms - window
            for name, figure in self._window(start, sla_ms).items():
                out[(name, window / 1000.0)] = figure
        return out

    def _window(self, start: int, sla_ms: float) -> dict[str, float]:
        out: dict[str, float] = {}
        pairs = self.joined.since(start)
        out["labelled"] = float(len(pairs))
        if pairs:
            truth = [p[0] for p in pairs]
            predicted = [p[1] for p in pairs]
            if self.signature.task == "classification":
                proba = None
                if self.prob_fields:
                    proba = np.array([[np.nan if v is None else v for v in p[2]] for p in pairs], dtype=np.float64)
                out.update(classification_metrics(truth, predicted, proba, self.classes))
            elif self.signature.task == "regression":
                out.update(regression_metrics(truth, [np.nan if v is None else v for v in predicted]))
        if self.profile:
            out.update(
                drift_metrics(self.profile, self.features.since(start), self.predictions.since(start), self.limits.min_rows)
            )
        out.update(latency_metrics(self.latencies.since(start), sla_ms))
        return out
