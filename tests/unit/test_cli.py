"""The command line: convert → info → eval on files, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from interchange.cli import app

runner = CliRunner()


def test_convert_info_eval(tmp_path: Path) -> None:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    est = LogisticRegression(max_iter=500).fit(X, y)
    joblib.dump(est, tmp_path / "lr.joblib")
    X.to_csv(tmp_path / "rows.csv", index=False)
    X.iloc[:7].to_json(tmp_path / "rows.jsonl", orient="records", lines=True)

    done = runner.invoke(
        app, ["convert", str(tmp_path / "lr.joblib"), "-s", str(tmp_path / "rows.csv"), "-o", str(tmp_path / "m.onnx")]
    )
    assert done.exit_code == 0, done.output
    info = runner.invoke(app, ["info", str(tmp_path / "m.onnx")])
    assert json.loads(info.stdout)["signature"]["inputs"][0]["name"] == "sepal_length"

    for rows, n in (("rows.csv", len(X)), ("rows.jsonl", 7)):
        out = tmp_path / f"{rows}.out"
        done = runner.invoke(app, ["eval", str(tmp_path / "m.onnx"), "--input", str(tmp_path / rows), "--output", str(out)])
        assert done.exit_code == 0, done.output
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(lines) == n
        assert set(lines[0]) == {"label", "probability_0", "probability_1", "probability_2"}
        assert [r["label"] for r in lines] == est.predict(X.iloc[:n]).tolist()
        got = np.array([[r[f"probability_{c}"] for c in range(3)] for r in lines])
        np.testing.assert_allclose(got, est.predict_proba(X.iloc[:n]), rtol=1e-9, atol=1e-12)


def test_errors_are_one_line_and_nonzero(tmp_path: Path) -> None:
    (tmp_path / "bad.onnx").write_bytes(b"\x08\x07not a model")
    (tmp_path / "rows.csv").write_text("a\n1\n")
    done = runner.invoke(app, ["eval", str(tmp_path / "bad.onnx"), "--input", str(tmp_path / "rows.csv")])
    assert done.exit_code == 1
    assert "error:" in done.output
    missing = runner.invoke(app, ["info", str(tmp_path / "nope.pmml")])
    assert missing.exit_code == 1 and "no model document" in missing.output
