"""``interchange send`` / ``interchange read`` through the command line, with iris's own column names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.registry import Registry

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
IRIS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]


def cli(config, *args: str) -> subprocess.CompletedProcess:
    """``interchange ARGS`` in a fresh process, pointed at the test stack."""
    flags = ["-X", f"bootstrap.servers={config.bootstrap_servers}", "-X", f"schema.registry.url={config.registry_url}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "interchange.cli", *args, *flags], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture
def published(stack_config, model_name: str, tmp_path: Path):
    """An iris LogisticRegression trained on the DataFrame's own columns, published by the CLI."""
    X, y = load_iris(return_X_y=True, as_frame=True)
    assert list(X.columns) == IRIS
    estimator = LogisticRegression(max_iter=500).fit(X, y)
    interchange.convert(estimator, "onnx", sample=X).save(tmp_path / "iris.onnx")
    done = cli(stack_config, "publish", str(tmp_path / "iris.onnx"), "--name", model_name)
    assert done.returncode == 0, done.stderr
    return X, estimator


def test_send_read_round_trip_keeps_iris_column_names(stack_config, model_name: str, tmp_path: Path, published) -> None:
    X, _ = published
    schema = Registry(stack_config).latest(f"{model_name}-input")
    assert [(f["name"], f["x-interchange-name"]) for f in schema["fields"]] == [
        ("sepal_length_cm", IRIS[0]),
        ("sepal_width_cm", IRIS[1]),
        ("petal_length_cm", IRIS[2]),
        ("petal_width_cm", IRIS[3]),
    ]
    rows = X.iloc[::15].reset_index(drop=True)  # 10 rows
    rows.insert(0, "id", [f"r{i}" for i in range(len(rows))])
    rows.loc[3, IRIS[1]] = None  # a missing value travels as null
    rows.to_csv(tmp_path / "rows.csv", index=False)

    sent = cli(stack_config, "send", model_name, str(tmp_path / "rows.csv"), "--key-field", "id")
    assert sent.returncode == 0, sent.stderr
    assert f"sent 10 events to {model_name}-features" in sent.stderr

    read = cli(stack_config, "read", f"{model_name}-features", "--from-beginning")
    assert read.returncode == 0, read.stderr
    events = [json.loads(line) for line in read.stdout.splitlines()]
    assert [(e["partition"], e["offset"], e["key"]) for e in events] == [(0, i, f"r{i}") for i in range(10)]
    assert all(e["timestamp"].endswith("Z") for e in events)
    for event, (_, row) in zip(events, rows.iterrows(), strict=True):
        assert list(event["value"]) == IRIS
        expected = [None if v != v else v for v in row[IRIS].tolist()]
        assert list(event["value"].values()) == expected

    tail = cli(stack_config, "read", f"{model_name}-features", "--count", "2", "--format", "table")
    assert tail.returncode == 0, tail.stderr
    lines = tail.stdout.splitlines()
    assert lines[0].split()[:4] == ["partition", "offset", "timestamp", "key"] and "petal width (cm)" in lines[0]
    assert [line.split()[1] for line in lines[1:]] == ["8", "9"]  # the last two events


def test_follow_prints_new_events(stack_config, model_name: str, tmp_path: Path, published) -> None:
    X, _ = published
    X.iloc[:1].to_json(tmp_path / "one.jsonl", orient="records", lines=True)
    assert cli(stack_config, "send", model_name, str(tmp_path / "one.jsonl")).returncode == 0  # an old event, not shown
    flags = [
        "-X",
        f"bootstrap.servers={stack_config.bootstrap_servers}",
        "-X",
        f"schema.registry.url={stack_config.registry_url}",
    ]
    reader = subprocess.Popen(
        [sys.executable, "-m", "interchange.cli", "read", f"{model_name}-features", "--follow", "--count", "2", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        for _ in range(20):  # keep sending until the reader, started at the end, has seen two new events
            assert cli(stack_config, "send", model_name, str(tmp_path / "one.jsonl")).returncode == 0
            if reader.poll() is not None:
                break
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 2 and events[0]["offset"] >= 1 and events[1]["offset"] == events[0]["offset"] + 1
    assert events[0]["value"] == dict(zip(IRIS, X.iloc[0].tolist(), strict=True))


def test_a_bad_row_sends_nothing_and_names_line_and_field(stack_config, model_name: str, tmp_path: Path, published) -> None:
    (tmp_path / "bad.jsonl").write_text(
        json.dumps(dict.fromkeys(IRIS, 1.0)) + "\n" + json.dumps({**dict.fromkeys(IRIS, 1.0), IRIS[2]: "long"}) + "\n"
    )
    done = cli(stack_config, "send", model_name, str(tmp_path / "bad.jsonl"))
    assert done.returncode == 1
    assert "line 2: field 'petal length (cm)': 'long' is not a number" in done.stderr
    nothing = cli(stack_config, "read", f"{model_name}-features", "--from-beginning")  # not even the topic was made
    assert nothing.returncode == 1 and f"topic {model_name}-features does not exist" in nothing.stderr


def test_scorer_round_trip_with_iris_column_names(stack_config, model_name: str, tmp_path: Path, published) -> None:
    X, estimator = published
    X.iloc[:30].to_csv(tmp_path / "rows.csv", index_label="id")
    assert cli(stack_config, "send", model_name, str(tmp_path / "rows.csv"), "--key-field", "id").returncode == 0
    scored = cli(stack_config, "score", "--model", model_name, "--max-records", "30", "--idle-timeout", "30")
    assert scored.returncode == 0, scored.stderr[-2000:]
    read = cli(stack_config, "read", f"{model_name}-predictions", "--from-beginning")
    predictions = {int(e["key"]): e["value"] for e in map(json.loads, read.stdout.splitlines())}
    assert sorted(predictions) == list(range(30))
    assert [predictions[i]["label"] for i in range(30)] == estimator.predict(X.iloc[:30]).tolist()
