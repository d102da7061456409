"""One scorer, many models, routed: route changes without a restart, canary, shadow, rollback, retire,
lineage fields on every prediction, metric events and the Prometheus endpoint, on the real stack."""

from __future__ import annotations

import math
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.events import codec_for, send_features
from interchange.kafka.modeltopic import ModelFollower
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.routes.feed import retire_route
from interchange.kafka.routes.route import in_canary
from interchange.kafka.scorer import Route, ScorerOptions, set_route
from interchange.kafka.transport import producer
from interchange.resources import avro_schema
from tests.integration.scoring import Running, drain, iris, wait

pytestmark = pytest.mark.integration


def _publish(config, name: str, fmt: str, C: float) -> LogisticRegression:
    X, y = iris()
    est = LogisticRegression(max_iter=500, C=C).fit(X, y)
    interchange.publish(interchange.convert(est, fmt, sample=X), name=name, config=config)
    return est


def _send(config, name: str, prefix: str, n: int) -> list[str]:
    X, _ = iris()
    rows = X.sample(n=n, replace=True, random_state=len(prefix) + n).reset_index(drop=True)
    keys = [f"{prefix}{i}" for i in range(n)]
    send_features(config, name, rows, keys=keys)
    return keys


def _predictions(config, name: str, expected: int, topic: str | None = None) -> list[tuple[object, dict]]:
    """(message, decoded record) for every message on the model's prediction (or shadow) topic."""
    codec = codec_for(Registry(config), f"{name}-output")
    return [
        (m, codec.decode(m.value())) for m in drain(config, topic or f"{name}-predictions", expected, committed=False, settle=2.0)
    ]


def _scrape(port: int, path: str = "/metrics") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_one_scorer_routes_three_models_canary_shadow_rollback_retire(stack_config, model_name) -> None:
    a, b, c = f"{model_name}a", f"{model_name}b", f"{model_name}c"
    X, _ = iris()
    a1, a2 = _publish(stack_config, a, "onnx", 1.0), _publish(stack_config, a, "onnx", 0.02)
    b1, b2 = _publish(stack_config, b, "pfa", 1.0), _publish(stack_config, b, "pfa", 0.01)
    c1 = _publish(stack_config, c, "pmml", 1.0)
    routes_topic, metrics_topic = f"{model_name}-routes", f"{model_name}-metrics"
    set_route(stack_config, Route(f"{c}-features", c), routes_topic)  # one route from the topic, two from the "file"
    options = ScorerOptions(
        routes=(Route(f"{a}-features", a), Route(f"{b}-features", b, pinned=1)),
        routes_topic=routes_topic,
        group=f"{model_name}-scorer",
        batch_size=500,
        metrics_topic=metrics_topic,
        metrics_interval=1.0,
        metrics_port=0,
    )
    with Running(stack_config, options=options) as scorer:
        wait(lambda: len(scorer.stats.serving) == 3 and all(scorer.stats.serving.values()), what="three routes serving")
        assert scorer.stats.serving == {f"{a}-features": {"base": 2}, f"{b}-features": {"base": 1}, f"{c}-features": {"base": 1}}

        # three models on one scorer
        sent = {name: _send(stack_config, name, "m", 100) for name in (a, b, c)}
        bad = producer(stack_config)
        bad.produce(f"{a}-features", key=b"bad", value=b"not avro")
        bad.flush(10)
        wait(lambda: scorer.stats.scored >= 300 and scorer.stats.dead_lettered >= 1, what="300 scored, 1 dead letter")

        # rollback by pin, without a restart
        set_route(stack_config, Route(f"{a}-features", a, pinned=1), routes_topic)
        wait(lambda: scorer.stats.serving.get(f"{a}-features") == {"base": 1}, what="A pinned to v1")
        rolled = _send(stack_config, a, "r", 100)
        wait(lambda: scorer.stats.scored >= 400, what="rolled-back events scored")

        # canary: v1 for 10% of keys, the rest latest (v2)
        set_route(stack_config, Route(f"{a}-features", a, canary_version=1, canary_fraction=0.1), routes_topic)
        wait(lambda: scorer.stats.serving.get(f"{a}-features") == {"base": 2, "canary": 1}, what="A canary")
        canary_keys = _send(stack_config, a, "c", 2000)
        wait(lambda: scorer.stats.scored >= 2400, what="canary events scored")

        # shadow: B pinned v1 serves, v2 scores the same events into B-shadow
        set_route(stack_config, Route(f"{b}-features", b, pinned=1, shadow_version=2), routes_topic)
        wait(lambda: scorer.stats.serving.get(f"{b}-features") == {"base": 1, "shadow": 2}, what="B shadow")
        shadow_keys = _send(stack_config, b, "s", 150)
        wait(lambda: scorer.stats.scored >= 2550 and scorer.stats.shadowed >= 150, what="shadow events scored")

        # retire C: the scorer stops serving it
        retire_route(stack_config, f"{c}-features", routes_topic)
        wait(lambda: f"{c}-features" not in scorer.stats.serving, what="C retired")
        _send(stack_config, c, "z", 20)
        time.sleep(3.0)  # C's events would have been scored by now if C were still served
        assert scorer.stats.scored == 2550

        # the Prometheus endpoint and health
        port = scorer.server.port
        status, text = _scrape(port)
        assert status == 200
        families = {f.name: f for f in text_string_to_metric_families(text)}
        events_in = {
            s.labels["model"]: s.value for s in families["interchange_scorer_events_in"].samples if s.name.endswith("_total")
        }
        assert events_in == {a: 2201, b: 250, c: 100}
        dead = [s for s in families["interchange_scorer_dead_letters"].samples if s.name.endswith("_total")]
        assert [(s.labels["model"], s.labels["reason"], s.value) for s in dead] == [(a, "undecodable", 1.0)]
        live = {(s.labels["route"], s.labels["role"]): s.value for s in families["interchange_scorer_live_version"].samples}
        assert live == {
            (f"{a}-features", "base"): 2,
            (f"{a}-features", "canary"): 1,
            (f"{b}-features", "base"): 1,
            (f"{b}-features", "shadow"): 2,
        }
        batches = [s for s in families["interchange_scorer_batch_seconds"].samples if s.name.endswith("_count")]
        assert batches[0].value >= 5
        assert "interchange_scorer_consumer_lag" in families and "interchange_scorer_model_failures" in families
        assert _scrape(port, "/healthz") == (200, "ok\n")

    # predictions: right model and version for every key, lineage fields on every one (and no headers)
    envelopes = {}
    follower = ModelFollower(stack_config, names=[a, b, c])
    for env in follower.read_to_end():
        envelopes[(env.name, env.version)] = env
    follower.close()
    estimators = {(a, 1): a1, (a, 2): a2, (b, 1): b1, (b, 2): b2, (c, 1): c1}
    features = {}
    for name in (a, b, c):
        for m in drain(stack_config, f"{name}-features", 1, committed=False, settle=1.0):
            features[f"{m.topic()}/{m.partition()}/{m.offset()}"] = (m.key(), m.value())
    input_codecs = {name: codec_for(Registry(stack_config), f"{name}-input") for name in (a, b, c)}

    def check(name: str, expected: int, topic: str | None = None) -> dict[str, int]:
        preds = _predictions(stack_config, name, expected, topic)
        assert len(preds) == expected
        versions = {}
        for msg, rec in preds:
            assert msg.headers() is None  # lineage headers are opt-in
            ref, source = rec["model"], rec["source"]
            version = ref["version"]
            env = envelopes[(name, version)]
            assert ref["name"] == name and (ref["format"], ref["sha256"]) == (env.format, env.sha256)
            assert source["topic"] == f"{name}-features"
            key, value = features[f"{source['topic']}/{source['partition']}/{source['offset']}"]  # the event it scored
            assert msg.key() == key
            row = input_codecs[name].decode(value)
            assert rec["label"] == estimators[(name, version)].predict(_frame([row]))[0]
            roles[(name, topic, version)].add(ref["role"])
            versions[msg.key().decode()] = version
        return versions

    roles: dict[tuple, set[str]] = defaultdict(set)

    by_key = check(a, 2200)
    assert {by_key[k] for k in sent[a]} == {2} and {by_key[k] for k in rolled} == {1}
    canary = [k for k in canary_keys if by_key[k] == 1]
    assert len(canary) == sum(in_canary(k.encode(), 0.1) for k in canary_keys)  # exactly the keys the hash picks
    assert abs(len(canary) - 200) <= 4 * math.sqrt(2000 * 0.1 * 0.9)  # and about 10% of them
    assert Counter(check(b, 250).values()) == Counter({1: 250})
    assert Counter(check(c, 100).values()) == Counter({1: 100})  # the 20 events after retirement were not scored
    shadow = check(b, 150, f"{b}-shadow")
    assert set(shadow) == set(shadow_keys) and set(shadow.values()) == {2}
    # the role each version served in (a's v1 was first its base, then its canary beside v2)
    assert roles[(a, None, 2)] == {"base"} and roles[(a, None, 1)] == {"base", "canary"}
    assert roles[(b, None, 1)] == {"base"} and roles[(b, f"{b}-shadow", 2)] == {"shadow"} and roles[(c, None, 1)] == {"base"}

    # the shadow agreement metric, read back from the metrics topic, is the share of equal labels
    rows = {
        m.key().decode(): input_codecs[b].decode(m.value())
        for m in drain(stack_config, f"{b}-features", 1, committed=False, settle=1.0)
    }
    frame = _frame([rows[k] for k in shadow_keys])
    expected = float((b1.predict(frame) == b2.predict(frame)).mean())
    metric_codec = AvroCodec(avro_schema("metric"), 0, Registry(stack_config).schema, original_names=False)
    metrics = [metric_codec.decode(m.value()) for m in drain(stack_config, metrics_topic, 1, committed=False, settle=2.0)]
    agreement = [m for m in metrics if m["name"] == "shadow_agreement" and m["model"] == b]
    compared = sum(int(m["labels"]["compared"]) for m in agreement)
    assert compared == 150 and agreement[0]["version"] == 2
    assert sum(m["value"] * int(m["labels"]["compared"]) for m in agreement) / compared == pytest.approx(expected)
    totals = Counter()
    for m in metrics:
        if m["name"] in ("events_in", "events_out", "dead_letters"):
            totals[(m["model"], m["name"])] += m["value"]
    assert totals[(a, "events_in")] == 2201 and totals[(a, "events_out")] == 2200 and totals[(a, "dead_letters")] == 1
    assert totals[(c, "events_out")] == 100
    assert any(m["name"] == "latency_p99_ms" and m["model"] == a for m in metrics)
    assert {m["labels"]["role"] for m in metrics if m["name"] == "live_version" and m["model"] == a} >= {"base", "canary"}


def _frame(rows):
    import pandas as pd

    X, _ = iris()
    return pd.DataFrame(rows)[list(X.columns)]


def test_route_commands_write_list_and_retire(stack_config, model_name) -> None:
    import json

    from typer.testing import CliRunner

    from interchange.cli import app

    topic = f"{model_name}-routes"
    runner = CliRunner()
    out = runner.invoke(app, ["route", "set", "f1", "--model", "m", "--pinned", "2", "--routes-topic", topic])
    assert out.exit_code == 0, out.output
    assert out.output.strip() == "f1 -> m pinned v2"
    args = ["route", "set", "f2", "-m", "n", "--canary", "3", "--fraction", "0.25", "--shadow", "4", "--routes-topic", topic]
    assert runner.invoke(app, args).exit_code == 0
    bad = runner.invoke(app, ["route", "set", "f3", "-m", "n", "--canary", "3", "--routes-topic", topic])
    assert bad.exit_code == 1 and "needs both a version and a fraction" in bad.output
    listed = runner.invoke(app, ["route", "list", "--json", "--routes-topic", topic])
    routes = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["input_topic"], r["model"], r["pinned"], r["canary_fraction"], r["shadow_version"]) for r in routes] == [
        ("f1", "m", 2, None, None),
        ("f2", "n", None, 0.25, 4),
    ]
    assert runner.invoke(app, ["route", "rm", "f1", "--routes-topic", topic]).exit_code == 0
    assert runner.invoke(app, ["route", "list", "--routes-topic", topic]).output.splitlines() == [
        "f2 -> n latest, canary v3 at 0.25, shadow v4 (tolerance 1e-06)"
    ]
