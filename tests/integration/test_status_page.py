"""The status page in a real headless Chromium: models, alerts and charts drawn, no console errors."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.serve import Catalog, StatusFeed, create_app
from interchange.kafka.transport import ensure_topics, producer
from interchange.resources import avro_schema

pytestmark = pytest.mark.integration

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,2200",
]


def _browser(profile: Path):
    """Selenium on the system Chromium; fails in CI (and skips locally) when it is not installed."""
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        message = "Chromium is not installed: `apt-get install -y chromium chromium-driver` (make test does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))


def _produce_history(config, metrics_topic: str, alerts_topic: str, model: str) -> None:
    """The last hour as a scorer and a monitor would have written it: metrics every 2 minutes, two alerts."""
    registry = Registry(config)
    ensure_topics(config, {metrics_topic: {"partitions": 2}, alerts_topic: {}})
    metric_schema, alert_schema = avro_schema("metric"), avro_schema("alert")
    metric = AvroCodec(metric_schema, registry.register(f"{metrics_topic}-value", metric_schema), registry.schema)
    alert = AvroCodec(alert_schema, registry.register(f"{alerts_topic}-value", alert_schema), registry.schema)
    prod = producer(config)
    now = int(time.time() * 1000)
    for i in range(30):
        at = now - (29 - i) * 120_000
        figures = {
            "events_in": (6000 + 300 * (i % 5), {}),
            "dead_letters": (12 * (i % 3), {"reason": "RecordError"}),
            "accuracy": (0.95 - (0.3 if i > 22 else 0.0), {}),
            "psi_petal_width": (0.02 + (0.25 if i > 22 else 0.0), {"feature": "petal_width"}),
            "psi_sepal_length": (0.03, {"feature": "sepal_length"}),
            "latency_p99_ms": (4.0 + (i % 4), {}),
        }
        for name, (value, labels) in figures.items():
            record = {
                "source": "scorer",
                "model": model,
                "version": 1,
                "name": name,
                "value": float(value),
                "labels": labels,
                "at": at,
            }
            record["window_s"] = 120.0 if name in ("events_in", "dead_letters") else None
            prod.produce(metrics_topic, key=model.encode(), value=metric.encode(record))
    for rule, state, at in [
        ("accuracy-low", "FIRING", now - 600_000),
        ("drift-psi", "FIRING", now - 500_000),
        ("drift-psi", "RESOLVED", now - 60_000),
    ]:
        record = {
            "rule": rule,
            "model": model,
            "version": 1,
            "metric": "accuracy" if rule == "accuracy-low" else "psi_petal_width",
        }
        record.update(
            value=0.65, threshold=0.8 if rule == "accuracy-low" else 0.2, state=state, message=f"{rule} {state.lower()}", at=at
        )
        prod.produce(alerts_topic, key=rule.encode(), value=alert.encode(record))
    assert prod.flush(30) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn on a thread, on 127.0.0.1 and a free port."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.1)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def test_status_page_in_headless_chromium(stack_config, model_name) -> None:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    converted = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    interchange.publish(converted, name=model_name, config=stack_config)
    metrics_topic, alerts_topic = f"{model_name}-metrics", f"{model_name}-alerts"
    _produce_history(stack_config, metrics_topic, alerts_topic, model_name)

    catalog = Catalog(stack_config, names=[model_name])
    feed = StatusFeed(stack_config, catalog.registry, metrics_topic=metrics_topic, alerts_topic=alerts_topic)
    profile = Path(tempfile.mkdtemp(prefix="interchange-chromium-"))
    shot = Path(tempfile.gettempdir()) / f"interchange-status-{model_name}.png"
    with Server(create_app(catalog, feed)) as url:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the page shows what the threads have read so far
            snap = feed.snapshot()
            if catalog.get(model_name) and len(snap.metrics) == 180 and len(snap.alerts) == 3:
                break
            time.sleep(0.2)
        assert httpx.get(f"{url}/").status_code == 200
        driver = _browser(profile)
        try:
            driver.get(f"{url}/")
            from selenium.webdriver.common.by import By

            assert driver.title == "interchange status"
            row = driver.find_element(By.CSS_SELECTOR, f"#models tr.model[data-model='{model_name}']")
            assert "v1" in row.find_element(By.CSS_SELECTOR, ".live").text and "onnxruntime" in row.text
            assert "scikit-learn" in row.text  # lineage
            alerts = driver.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")
            assert [a.text.split()[0] for a in alerts] == ["accuracy-low"]  # drift-psi fired and resolved
            section = f"section.model-metrics[data-model='{model_name}']"
            expected_series = {"throughput": 1, "dead-letters": 1, "quality": 1, "drift": 2, "latency": 1}
            for chart, count in expected_series.items():
                svg = driver.find_element(By.CSS_SELECTOR, f"{section} figure.{chart} svg")
                assert svg.get_attribute("data-series") == str(count), chart
                assert svg.find_elements(By.CSS_SELECTOR, ".series"), chart
                assert svg.size["width"] > 300 and svg.size["height"] > 100
            quality = driver.find_element(By.CSS_SELECTOR, f"{section} figure.quality svg")
            assert quality.find_elements(By.CSS_SELECTOR, "line.threshold")  # the firing rule's threshold is drawn
            dead = driver.find_element(By.CSS_SELECTOR, f"{section} .dead-total").text
            assert dead == str(sum(12 * (i % 3) for i in range(30)))
            assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
            errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
            assert errors == [], errors
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshot: {shot}")
