"""REST serving on the real stack: list, describe, predict, validate, hot-swap to a new version."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import interchange
from interchange.kafka.serve import Catalog, create_app

pytestmark = pytest.mark.integration


def _iris() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    return X, y.to_numpy()


def _wait_live(client: TestClient, name: str, version: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/models/{name}")
        if r.status_code == 200 and r.json()["live_version"] == version:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} v{version} never went live: {client.get('/models').json()}")


def test_models_versions_predict_and_hot_swap(stack_config, model_name) -> None:
    X, y = _iris()
    first = LogisticRegression(max_iter=500).fit(X, y)
    interchange.publish(interchange.convert(first, "onnx", sample=X), name=model_name, config=stack_config)
    app = create_app(Catalog(stack_config, names=[model_name]))
    with TestClient(app) as client:
        _wait_live(client, model_name, 1)
        assert {"name": model_name, "live_version": 1, "versions": [1]} in client.get("/models").json()

        described = client.get(f"/models/{model_name}/versions/1").json()
        assert described["status"] == "verified" and described["engine"] == "onnxruntime"
        assert [f["name"] for f in described["signature"]["inputs"]] == list(X.columns)
        assert described["verification"]["cases"] > 0
        assert described["input_json_schema"]["additionalProperties"] is False

        rows = X.iloc[::15].to_dict("records")
        one = client.post(f"/models/{model_name}/predict", json=rows[0]).json()
        assert one["model"] == {"name": model_name, "version": 1, "format": "onnx"}
        assert one["predictions"][0]["label"] == first.predict(X.iloc[[0]])[0]
        many = client.post(f"/models/{model_name}/predict", json={"records": rows}).json()
        assert [p["label"] for p in many["predictions"]] == first.predict(X.iloc[::15]).tolist()
        proba = first.predict_proba(X.iloc[::15])
        got = np.array([[p[f"probability_{c}"] for c in first.classes_] for p in many["predictions"]])
        np.testing.assert_allclose(got, proba, rtol=1e-5, atol=1e-6)

        bad = client.post(f"/models/{model_name}/predict", json={"records": [rows[0], {**rows[1], "petal_width": "wide"}]})
        assert bad.status_code == 422
        assert bad.json()["detail"]["field"] == "petal_width" and bad.json()["detail"]["record"] == 1
        typo = client.post(f"/models/{model_name}/predict", json={**rows[0], "petal_widht": 1.0})
        assert typo.status_code == 422 and typo.json()["detail"]["field"] == "petal_widht"
        assert client.post("/models/nope/predict", json=rows[0]).status_code == 404
        assert client.post(f"/models/{model_name}/predict?version=9", json=rows[0]).status_code == 404

        second = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)  # predicts differently from the first
        interchange.publish(interchange.convert(second, "onnx", sample=X), name=model_name, config=stack_config)
        _wait_live(client, model_name, 2)
        now = client.post(f"/models/{model_name}/predict", json={"records": rows}).json()
        assert now["model"]["version"] == 2
        assert [p["label"] for p in now["predictions"]] == second.predict(X.iloc[::15]).tolist()
        pinned = client.post(f"/models/{model_name}/predict?version=1", json={"records": rows}).json()
        assert [p["label"] for p in pinned["predictions"]] == first.predict(X.iloc[::15]).tolist()

        spec = client.get("/openapi.json").json()
        assert {"/models", "/models/{name}", "/models/{name}/versions/{version}", "/models/{name}/predict"} <= set(spec["paths"])

        # a third version that keeps only itself: the tombstones withdraw versions 1 and 2 from serving
        third = LogisticRegression(max_iter=500, C=0.05).fit(X, y)
        interchange.publish(interchange.convert(third, "onnx", sample=X), name=model_name, config=stack_config, keep_versions=1)
        _wait_live(client, model_name, 3)
        listed = {"name": model_name, "live_version": 3, "versions": [3]}
        deadline = time.monotonic() + 30
        while listed not in client.get("/models").json() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert listed in client.get("/models").json()
        assert client.post(f"/models/{model_name}/predict?version=1", json=rows[0]).status_code == 404
        assert client.post(f"/models/{model_name}/predict", json=rows[0]).json()["model"]["version"] == 3
