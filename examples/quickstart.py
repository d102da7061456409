"""Quickstart: train, convert, publish, score a few hundred events, print predictions.

Needs the local stack (``interchange stack up``) or your own cluster
(INTERCHANGE_BOOTSTRAP_SERVERS / INTERCHANGE_SCHEMA_REGISTRY_URL).
"""

from __future__ import annotations

import sys
import threading
import uuid

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.config import load_config
from interchange.kafka.events import read_predictions, send_features
from interchange.kafka.scorer import Scorer, ScorerOptions


def main(name: str = "iris-quickstart", events: int = 300) -> int:
    # 1. Train, on iris's own column names ("sepal length (cm)", ...): the Avro contract gets legal
    #    names (sepal_length_cm) and keeps these; events in and out use these.
    X, y = load_iris(return_X_y=True, as_frame=True)
    estimator = LogisticRegression(max_iter=500).fit(X, y)

    # 2. Convert to ONNX; the document is verified against the estimator.
    converted = interchange.convert(estimator, "onnx", sample=X)
    print(
        f"converted: {converted.format}, {converted.document.size} bytes, "
        f"max |diff| {converted.verification.result.max_diff:.2e} on {converted.verification.result.rows} rows"
    )

    # 3. Register the Avro contract and publish the model.
    config = load_config()
    published = interchange.publish(converted, name=name, config=config)
    print(f"published {published.name} v{published.version} (input schema id {published.input_schema_id})")

    # 4. Score: the scorer follows the model topic and the feature topic.
    #    Event keys carry this run's id, so reruns on the same stack read back only their own.
    rows = X.sample(events, replace=True, random_state=0).reset_index(drop=True)
    run = uuid.uuid4().hex[:8]
    scorer = Scorer(ScorerOptions(model=name), config)
    worker = threading.Thread(target=scorer.run, kwargs={"idle_timeout": 60})
    worker.start()
    send_features(config, name, rows, keys=[f"{run}-{i}" for i in range(events)])
    ours = read_predictions(config, name, events, key_prefix=f"{run}-".encode(), timeout=120)
    scorer.stop()
    worker.join()

    # 5. Compare with the estimator.
    index = [int(k.decode().split("-")[1]) for k, _ in ours]
    labels = np.array([p["label"] for _, p in ours])
    expected = estimator.predict(rows.iloc[index]) if index else np.array([])
    for key, pred in ours[:5]:
        print(key.decode(), {k: (round(v, 4) if isinstance(v, float) else v) for k, v in pred.items()})
    agree = int((labels == expected).sum())
    print(f"scored {len(ours)} of {events} events; {agree} labels agree with the estimator")
    return 0 if len(ours) == events and agree == events else 1


if __name__ == "__main__":
    sys.exit(main())
