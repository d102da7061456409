"""What a scorer measures: Prometheus metrics (``--metrics-port``, with ``/healthz``) and periodic
Metric events on the metrics topic (``schemas/metric.avsc``) for monitoring and the status page.

Counters are cumulative for Prometheus; the metric events carry what happened in each window
(``window_s``), so the status page plots them as rates. Names follow the status page's charts:
``events_in``, ``events_out``, ``dead_letters`` (label ``reason``), ``latency_p50_ms`` /
``latency_p99_ms`` (input CreateTime to scored), plus ``consumer_lag``, ``live_version`` (label
``role``), ``model_failures`` and ``shadow_agreement``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["ScorerMetrics", "MetricsServer"]

_BATCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Live(Collector):
    """Gauges read from the scorer's current state at scrape time (no stale label sets)."""

    def __init__(self, state: Callable[[], dict[str, Any]]) -> None:
        self._state = state

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self._families({})

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self._families(self._state())

    def _families(self, state: dict[str, Any]) -> Iterable[GaugeMetricFamily]:
        versions = GaugeMetricFamily(
            "interchange_scorer_live_version", "Model versions serving now (value = version)", labels=["model", "route", "role"]
        )
        for (model, route, role), version in sorted(state.get("serving", {}).items()):
            versions.add_metric([model, route, role], version)
        lag = GaugeMetricFamily(
            "interchange_scorer_consumer_lag", "Events behind the end of each input partition", labels=["topic", "partition"]
        )
        for (topic, partition), value in sorted(state.get("lag", {}).items()):
            lag.add_metric([topic, str(partition)], value)
        healthy = GaugeMetricFamily("interchange_scorer_healthy", "1 when the scorer can reach Kafka and the registry")
        healthy.add_metric([], 1.0 if state.get("healthy") else 0.0)
        return [versions, lag, healthy]


class ScorerMetrics:
    """Counters for Prometheus plus the current window for metric events; fed by the scoring loop."""

    def __init__(self, state: Callable[[], dict[str, Any]] = dict) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events_in = Counter("interchange_scorer_events_in", "Events consumed", ["model", "topic"], registry=r)
        self.events_out = Counter(
            "interchange_scorer_events_out", "Predictions produced", ["model", "version", "role"], registry=r
        )
        self.dead = Counter(
            "interchange_scorer_dead_letters", "Events dead-lettered, by reason class", ["model", "reason"], registry=r
        )
        self.batch = Histogram(
            "interchange_scorer_batch_seconds", "Time to score and commit one batch", buckets=_BATCH_BUCKETS, registry=r
        )
        self.failures = Counter(
            "interchange_scorer_model_failures",
            "Versions refused at load / verification or quarantined",
            ["model", "kind"],
            registry=r,
        )
        self.compared = Counter(
            "interchange_scorer_shadow_compared", "Events scored by a shadow version", ["model", "version"], registry=r
        )
        self.agreed = Counter(
            "interchange_scorer_shadow_agreed", "... of which the shadow agreed", ["model", "version"], registry=r
        )
        self.agreement = Gauge(
            "interchange_scorer_shadow_agreement", "Shadow agreement since start (0-1)", ["model", "version"], registry=r
        )
        r.register(_Live(state))
        self._lock = threading.Lock()
        self._window_start = time.time()
        self._window: dict[tuple[str, str, int | None, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._latency: dict[str, list[np.ndarray]] = defaultdict(list)  # per batch, joined once per window
        self._shadow: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        self._totals: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])

    # --- fed by the loop ----------------------------------------------------------------
    def consumed(self, model: str, topic: str, count: int) -> None:
        self.events_in.labels(model, topic).inc(count)
        self._add(model, "events_in", None, count)

    def produced(
        self, model: str, version: int, role: str, count: int, latencies_ms: Sequence[float] | np.ndarray | None = None
    ) -> None:
        self.events_out.labels(model, str(version), role).inc(count)
        if role != "shadow":
            self._add(model, "events_out", version, count, role=role)
            if latencies_ms is not None and len(latencies_ms):
                with self._lock:
                    self._latency[model].append(np.asarray(latencies_ms, dtype=np.float64))

    def dead_lettered(self, model: str, reason: str, count: int = 1) -> None:
        self.dead.labels(model, reason).inc(count)
        self._add(model, "dead_letters", None, count, reason=reason)

    def model_failure(self, model: str, kind: str) -> None:
        self.failures.labels(model, kind).inc()
        self._add(model, "model_failures", None, 1, kind=kind)

    def shadowed(self, model: str, version: int, agree: list[bool]) -> None:
        agreed = int(sum(agree))
        self.compared.labels(model, str(version)).inc(len(agree))
        self.agreed.labels(model, str(version)).inc(agreed)
        with self._lock:
            totals = self._totals[(model, version)]
            totals[0] += len(agree)
            totals[1] += agreed
            self.agreement.labels(model, str(version)).set(totals[1] / max(totals[0], 1))
            counts = self._shadow[(model, version)]
            counts[0] += len(agree)
            counts[1] += agreed

    def _add(self, model: str, name: str, version: int | None, value: float, **labels: str) -> None:
        with self._lock:
            self._window[(model, name, version, tuple(sorted(labels.items())))] += value

    # --- metric events ------------------------------------------------------------------
    def window(self, extra: Iterable[tuple[str, str, int | None, float, dict[str, str]]] = ()) -> list[dict[str, Any]]:
        """The Metric records of the window since the last call (and start a new window).

        ``extra``: gauges measured now, as (model, name, version, value, labels)."""
        now = time.time()
        with self._lock:
            counts, self._window = self._window, defaultdict(float)
            latency, self._latency = self._latency, defaultdict(list)
            shadow, self._shadow = self._shadow, defaultdict(lambda: [0, 0])
            span, self._window_start = now - self._window_start, now
        at = int(now * 1000)

        def metric(model: str, name: str, version: int | None, value: float, labels: dict[str, str]) -> dict[str, Any]:
            return {
                "source": "scorer",
                "model": model,
                "version": version,
                "name": name,
                "value": float(value),
                "window_s": span,
                "labels": labels,
                "at": at,
            }

        out = [metric(m, n, v, value, dict(labels)) for (m, n, v, labels), value in counts.items()]
        for model, chunks in latency.items():
            if chunks:
                p50, p99 = np.percentile(np.concatenate(chunks), [50, 99])
                out += [metric(model, "latency_p50_ms", None, p50, {}), metric(model, "latency_p99_ms", None, p99, {})]
        for (model, version), (compared, agreed) in shadow.items():
            if compared:
                out.append(metric(model, "shadow_agreement", version, agreed / compared, {"compared": str(compared)}))
        out += [metric(m, n, v, value, labels) for m, n, v, value, labels in extra]
        return out


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes every few seconds are not news
        pass


class MetricsServer:
    """``/metrics`` (Prometheus text format) and ``/healthz`` (200 healthy, 503 not) on one port, in a thread."""

    def __init__(
        self, metrics: ScorerMetrics, healthy: Callable[[], tuple[bool, str]], port: int, host: str = "127.0.0.1"
    ) -> None:
        prometheus = make_wsgi_app(metrics.registry)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == "/healthz":
                ok, problem = healthy()
                start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"ok\n" if ok else f"unhealthy: {problem}\n".encode()]
            return prometheus(environ, start_response)

        self.server = make_server(host, port, app, _Threading, handler_class=_Quiet)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="interchange-metrics", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
