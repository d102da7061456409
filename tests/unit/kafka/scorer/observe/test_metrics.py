"""The scorer's metric windows and its Prometheus / health endpoint, without a broker."""

from __future__ import annotations

import urllib.error
import urllib.request

import numpy as np
import pytest

from interchange.kafka.scorer.observe.metrics import MetricsServer, ScorerMetrics


def _by_name(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        out.setdefault((r["model"], r["name"]), []).append(r)
    return out


def test_a_window_carries_what_happened_since_the_last_one_and_then_starts_over() -> None:
    m = ScorerMetrics()
    m.consumed("iris", "features", 10)
    m.consumed("iris", "features", 5)
    m.produced("iris", 3, "live", 12, latencies_ms=np.arange(1.0, 101.0))
    m.produced("iris", 4, "shadow", 12, latencies_ms=[1000.0])  # a shadow's latency is not the route's
    m.dead_lettered("iris", "decode", 2)
    m.dead_lettered("iris", "decode")
    m.model_failure("iris", "verification")
    first = _by_name(m.window())
    assert [r["value"] for r in first[("iris", "events_in")]] == [15.0]
    assert [(r["version"], r["value"], r["labels"]) for r in first[("iris", "events_out")]] == [(3, 12.0, {"role": "live"})]
    assert [(r["value"], r["labels"]) for r in first[("iris", "dead_letters")]] == [(3.0, {"reason": "decode"})]
    assert [r["labels"] for r in first[("iris", "model_failures")]] == [{"kind": "verification"}]
    p50, p99 = np.percentile(np.arange(1.0, 101.0), [50, 99])
    assert first[("iris", "latency_p50_ms")][0]["value"] == p50
    assert first[("iris", "latency_p99_ms")][0]["value"] == p99
    assert all(r["source"] == "scorer" and r["window_s"] >= 0 for rs in first.values() for r in rs)
    assert m.window() == []  # nothing happened since


def test_shadow_agreement_is_per_window_in_events_and_cumulative_in_prometheus() -> None:
    m = ScorerMetrics()
    m.shadowed("iris", 4, [True, True, False, True])
    first = _by_name(m.window())[("iris", "shadow_agreement")]
    assert [(r["version"], r["value"], r["labels"]) for r in first] == [(4, 0.75, {"compared": "4"})]
    m.shadowed("iris", 4, [False, False, False, False])
    second = _by_name(m.window())[("iris", "shadow_agreement")]
    assert second[0]["value"] == 0.0
    assert m.registry.get_sample_value("interchange_scorer_shadow_agreement", {"model": "iris", "version": "4"}) == 3 / 8


def test_gauges_measured_now_join_the_window() -> None:
    m = ScorerMetrics()
    records = m.window([("iris", "consumer_lag", None, 7.0, {"topic": "features", "partition": "0"})])
    assert [(r["name"], r["value"], r["labels"]) for r in records] == [
        ("consumer_lag", 7.0, {"topic": "features", "partition": "0"})
    ]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("ok", [True, False])
def test_the_endpoint_serves_live_state_at_scrape_time_and_health(ok: bool) -> None:
    state = {"serving": {("iris", "features", "live"): 3}, "lag": {("features", 0): 11}, "healthy": ok}
    m = ScorerMetrics(lambda: state)
    m.consumed("iris", "features", 2)
    server = MetricsServer(m, lambda: (ok, "" if ok else "broker unreachable"), port=0)
    try:
        base = f"http://127.0.0.1:{server.port}"
        status, text = _get(base + "/metrics")
        assert status == 200
        assert 'interchange_scorer_events_in_total{model="iris",topic="features"} 2.0' in text
        assert 'interchange_scorer_live_version{model="iris",role="live",route="features"} 3.0' in text
        assert 'interchange_scorer_consumer_lag{partition="0",topic="features"} 11.0' in text
        assert f"interchange_scorer_healthy {1.0 if ok else 0.0}" in text
        state["lag"] = {("features", 0): 0}  # read again at the next scrape, not kept from the first
        assert 'interchange_scorer_consumer_lag{partition="0",topic="features"} 0.0' in _get(base + "/metrics")[1]
        health = _get(base + "/healthz")
        assert health == ((200, "ok\n") if ok else (503, "unhealthy: broker unreachable\n"))
    finally:
        server.close()
