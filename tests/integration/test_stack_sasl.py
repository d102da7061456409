"""Clients configured only through standard settings reach a SASL_PLAINTEXT Kafka and an HTTPS registry.

Uses the running local stack when it was started with ``interchange stack up --sasl``;
otherwise starts a throw-away secured stack on free ports for this module and stops it after.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.batch import to_records
from interchange.errors import RegistryError, StackError, TransportError
from interchange.kafka import stack
from interchange.kafka.config import load_config
from interchange.kafka.events import codec_for, read_predictions, send_features
from interchange.kafka.registry import Registry, input_subject, output_subject
from interchange.kafka.transport import consumer, ensure_topics, producer
from tests.unit.kafka.test_transport import librdkafka_threads

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> dict[str, str]:
    """Standard client settings (bootstrap.servers, sasl.*, schema.registry.*) of a secured stack."""
    local = stack.StackConfig.from_env()
    if stack.status(local).sasl:
        yield stack.sasl_settings(local)
        return
    ports = [_free_port() for _ in range(5)]
    own = replace(
        stack.StackConfig(),
        cache_dir=local.cache_dir,
        state_dir=tmp_path_factory.mktemp("sasl-stack"),
        kafka_port=ports[0],
        controller_port=ports[1],
        registry_port=ports[2],
        sasl_port=ports[3],
        registry_tls_port=ports[4],
        sasl=True,
    )
    try:
        stack.up(own)
    except StackError as exc:
        stack.down(own)
        if os.environ.get("CI"):
            pytest.fail(f"could not start a secured stack: {exc}")
        pytest.skip(f"could not start a secured stack: {exc}")
    try:
        yield stack.sasl_settings(own)
    finally:
        stack.down(own)


def _config(settings: dict[str, str], **changes: str | None):
    merged = {**settings, **changes}
    return load_config(overrides=[f"{k}={v}" for k, v in merged.items() if v is not None], env={})


@pytest.fixture(scope="module")
def converted():
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    estimator = LogisticRegression().fit(X, (X["a"] - X["b"] > 0).astype(int))
    return interchange.convert(estimator, "onnx", sample=X), X


def test_publish_send_and_read_over_sasl_and_tls(secured, converted, model_name) -> None:
    assert secured["security.protocol"] == "SASL_PLAINTEXT" and secured["schema.registry.url"].startswith("https://")
    config = _config(secured)
    converted, X = converted

    published = interchange.publish(converted, name=model_name, config=config)
    registry = Registry(config)
    assert registry.client.get_latest_version(input_subject(model_name)).schema_id == published.input_schema_id

    rows = X.head(5)
    assert send_features(config, model_name, rows) == 5
    features = codec_for(registry, input_subject(model_name))
    cons = consumer(config, f"{model_name}-check")
    cons.subscribe([f"{model_name}-features"])
    seen = []
    try:
        for _ in range(30):
            seen += [features.decode(m.value()) for m in cons.consume(5, 1.0) if not m.error()]
            if len(seen) == 5:
                break
    finally:
        cons.close()
    assert seen == rows.to_dict("records")

    # what a scorer would write: the model's predictions, framed with the output schema
    predictions = to_records(converted.model.predict(rows))
    ref = {"name": model_name, "version": published.version, "format": "onnx", "sha256": published.sha256, "role": "base"}
    out = codec_for(registry, output_subject(model_name))
    ensure_topics(config, {f"{model_name}-predictions": {}})
    prod = producer(config)
    for i, record in enumerate(predictions):
        source = {"topic": f"{model_name}-features", "partition": 0, "offset": i}
        prod.produce(
            f"{model_name}-predictions", key=str(i).encode(), value=out.encode({**record, "model": ref, "source": source})
        )
    assert prod.flush(30) == 0
    read = read_predictions(config, model_name, 5, timeout=30)
    assert [key for key, _ in read] == [str(i).encode() for i in range(5)]
    assert [record["label"] for _, record in read] == [int(p["label"]) for p in predictions]
    assert all(record["model"] == ref for _, record in read)
    assert [record["source"]["offset"] for _, record in read] == list(range(5))


def test_wrong_password_is_a_clear_transport_error(secured, converted, model_name) -> None:
    """Each call fails at once with the broker's reason instead of timing out (120 s here)."""
    config = _config(secured, **{"sasl.password": "not-the-password"})
    with pytest.raises(TransportError, match="refused the client's credentials") as err:
        ensure_topics(config, {f"{model_name}-features": {}}, timeout=120)
    assert err.value.reason == "authentication"
    with pytest.raises(TransportError, match="Invalid username or password"):
        interchange.publish(converted[0], name=model_name, config=config)
    with pytest.raises(TransportError, match="Invalid username or password"):
        send_features(config, model_name, converted[1].head(2))
    with pytest.raises(TransportError, match="Invalid username or password"):
        read_predictions(config, model_name, 1, timeout=120)


def test_registry_certificate_is_checked(secured) -> None:
    untrusting = _config(secured, **{"schema.registry.ssl.ca.location": None})
    with pytest.raises(RegistryError, match="CERTIFICATE_VERIFY_FAILED"):
        Registry(untrusting).latest("anything")


def test_the_scorer_runs_over_sasl_and_tls(secured, converted, model_name) -> None:
    """The universal scorer, configured only through standard client settings, exactly-once."""
    from interchange.kafka.scorer import Scorer, ScorerOptions

    config = _config(secured)
    converted, X = converted
    interchange.publish(converted, name=model_name, config=config)
    rows = X.head(20)
    send_features(config, model_name, rows, keys=[f"s{i}" for i in range(20)])
    scorer = Scorer(ScorerOptions(model=model_name, guarantee="exactly-once"), config)
    worker = threading.Thread(target=scorer.run, kwargs={"max_records": 20, "idle_timeout": 60}, daemon=True)
    worker.start()  # on a thread: run() on the main thread would take over pytest's signal handlers
    worker.join(120)
    assert not worker.is_alive() and scorer.stats.scored == 20 and scorer.stats.dead_lettered == 0
    read = dict(read_predictions(config, model_name, 20, timeout=30))
    assert [read[f"s{i}".encode()]["label"] for i in range(20)] == converted.model.predict(rows)["label"].tolist()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through /proc")
def test_refused_credentials_leave_no_admin_client_behind(secured, model_name) -> None:
    """A caller that keeps the error (a retry loop, a log record) must not keep the admin client: it
    went on reconnecting and logging the refusal for as long as the error lived."""
    config = _config(secured, **{"sasl.password": "not-the-password"})
    gc.collect()
    before = librdkafka_threads()
    kept = []
    for _ in range(2):
        try:
            ensure_topics(config, {f"{model_name}-features": {}}, timeout=120)
        except TransportError as exc:
            kept.append(exc)  # with its traceback
    assert [e.reason for e in kept] == ["authentication"] * 2
    deadline = time.monotonic() + 10
    while librdkafka_threads() > before and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.2)
    assert librdkafka_threads() <= before, "an admin client outlived its refused credentials"
