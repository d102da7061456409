"""``interchange eval`` on real files: chunked reading and writing, every input and output format.

The same rows through CSV, JSON Lines, Parquet and Avro inputs and JSON Lines, CSV and Parquet
outputs give the answers ``Model.predict`` gives on the whole batch; the file is read and
written one chunk at a time (the writer sees ceil(rows / chunk) chunks, the progress callback
climbs to the file's size), and a row the model cannot evaluate is reported in its place.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import fastavro
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

import interchange
from interchange.cli import app
from interchange.files.evaluate import evaluate_chunks

runner = CliRunner()
ROWS = 1_000


@pytest.fixture(scope="module")
def model_and_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, dict[str, np.ndarray]]:
    X, y = make_classification(ROWS, 4, n_informative=3, n_redundant=0, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["kind"] = np.where(X[:, 0] > 0, "p", "n")
    est = LogisticRegression(max_iter=500).fit(frame[["a", "b", "c", "d"]], y)
    folder = tmp_path_factory.mktemp("eval")
    path = folder / "lr.pmml"
    interchange.convert(est, "pmml", sample=frame[["a", "b", "c", "d"]].iloc[:50]).save(path)
    expected = interchange.load(path).predict(frame[["a", "b", "c", "d"]])
    return path, frame, expected


def _write_input(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, double_precision=15)
    elif path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        schema = {
            "type": "record",
            "name": "Row",
            "fields": [*({"name": c, "type": "double"} for c in "abcd"), {"name": "kind", "type": "string"}],
        }
        with path.open("wb") as fh:
            fastavro.writer(fh, schema, frame.to_dict("records"))


def _read_output(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path)
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    return pd.read_json(path, lines=True)


@pytest.mark.parametrize("source", ["csv", "jsonl", "parquet", "avro"])
@pytest.mark.parametrize("target", ["jsonl", "csv", "parquet"])
def test_eval_reads_and_writes_every_format(tmp_path: Path, model_and_rows, source: str, target: str) -> None:
    path, frame, expected = model_and_rows
    rows, out = tmp_path / f"rows.{source}", tmp_path / f"out.{target}"
    _write_input(frame, rows)
    done = runner.invoke(app, ["eval", str(path), "-i", str(rows), "-o", str(out), "--chunk-rows", "128"])
    assert done.exit_code == 0, done.output
    got = _read_output(out)
    assert len(got) == ROWS
    assert got["label"].tolist() == expected["label"].tolist()
    for c in (0, 1):  # JSON and CSV keep repr precision (17 digits); Parquet is binary
        np.testing.assert_allclose(got[f"probability_{c}"], expected[f"probability_{c}"], rtol=1e-12, atol=0)
    if target != "jsonl":
        assert got["error"].isna().all()


def test_eval_works_a_chunk_at_a_time(tmp_path: Path, model_and_rows) -> None:
    path, frame, expected = model_and_rows
    rows = tmp_path / "rows.csv"
    _write_input(frame, rows)
    chunks: list[int] = []
    positions: list[int] = []
    model = interchange.load(path)
    total, failed = evaluate_chunks(model, rows, lambda out: chunks.append(len(out)), chunk_rows=64, progress=positions.append)
    assert (total, failed) == (ROWS, 0)
    assert len(chunks) == math.ceil(ROWS / 64) and max(chunks) == 64 and sum(chunks) == ROWS
    assert positions == sorted(positions) and positions[-1] == rows.stat().st_size


def test_eval_reports_bad_rows_in_place_and_shows_progress(tmp_path: Path, model_and_rows) -> None:
    path, frame, expected = model_and_rows
    bad = frame.iloc[:5].astype(object).copy()
    bad.loc[bad.index[2], "b"] = "not a number"
    rows, out = tmp_path / "rows.csv", tmp_path / "out.csv"
    bad.to_csv(rows, index=False)
    done = runner.invoke(app, ["eval", str(path), "-i", str(rows), "-o", str(out), "--progress"])
    assert done.exit_code == 1 and "evaluating" in done.output and "1 failed" in done.output
    got = pd.read_csv(out)
    assert got["error"].notna().tolist() == [False, False, True, False, False]
    assert "'b' must be numeric" in got["error"][2]
    assert got["label"].iloc[[0, 1, 3, 4]].tolist() == expected["label"][[0, 1, 3, 4]].tolist()
    assert json.loads(runner.invoke(app, ["info", str(path)]).stdout)["format"] == "pmml"
