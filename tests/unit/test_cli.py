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
    assert json.loads(info.stdout)["writer"] == "interchange IR, double precision"  # which ONNX writer made it

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


SPEC = Path(__file__).resolve().parents[1] / "conformance" / "pmml_spec"
PFA_RECORD = {
    "input": {"type": "record", "name": "In", "fields": [{"name": "a", "type": "double"}, {"name": "b", "type": "double"}]},
    "output": {
        "type": "record",
        "name": "Out",
        "fields": [{"name": "total", "type": "double"}, {"name": "big", "type": "boolean"}],
    },
    "action": [{"let": {"s": {"+": ["input.a", "input.b"]}}}, {"new": {"total": "s", "big": {">": ["s", 1.0]}}, "type": "Out"}],
}
PFA_SCALAR = {"input": {"type": "array", "items": "double"}, "output": "double", "action": {"a.sum": ["input"]}}


def _eval_lines(tmp_path: Path, name: str, document: bytes, rows: str) -> list[dict]:
    (tmp_path / name).write_bytes(document)
    (tmp_path / "rows.jsonl").write_text(rows)
    out = tmp_path / f"{name}.out"
    done = runner.invoke(app, ["eval", str(tmp_path / name), "--input", str(tmp_path / "rows.jsonl"), "--output", str(out)])
    assert done.exit_code == 0, done.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_eval_keys_are_the_documents_declared_output_names(tmp_path: Path) -> None:
    """PMML Output fields (or the target without them), PFA record fields (or ``output`` for a scalar)."""
    rows = "\n".join(json.dumps({"a": a, "b": b}) for a, b in [(0.5, 1.0), (3.0, -2.0), (None, 0.0)])
    with_output = _eval_lines(tmp_path, "out.pmml", (SPEC / "output_display_values.pmml").read_bytes(), rows)
    assert list(with_output[0]) == ["label", "shown", "p", "twice"]
    text = (SPEC / "tree_binary_numeric.pmml").read_text()
    start, end = text.index("<Output>"), text.index("</Output>") + len("</Output>")
    no_output = _eval_lines(tmp_path, "target.pmml", (text[:start] + text[end:]).encode(), rows)
    assert [list(r) for r in no_output] == [["y"]] * 3
    record = _eval_lines(tmp_path, "record.pfa", json.dumps(PFA_RECORD).encode(), rows.rsplit("\n", 1)[0])
    assert record == [{"total": 1.5, "big": True}, {"total": 1.0, "big": False}]
    scalar = _eval_lines(tmp_path, "scalar.pfa", json.dumps(PFA_SCALAR).encode(), '{"input": [1, 2.5]}\n{"input": []}')
    assert scalar == [{"output": 3.5}, {"output": 0.0}]


def test_loop_commands_have_help_and_name_bad_rules(tmp_path: Path) -> None:
    for command in ("monitor", "train-online"):
        done = runner.invoke(app, [command, "--help"])
        assert done.exit_code == 0 and "--model" in done.output
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {name: acc-low, metric: accuracy, op: '<', treshold: 0.8}\n")
    done = runner.invoke(app, ["monitor", "--model", "m", "--rules", str(rules)])
    assert done.exit_code == 1 and "acc-low" in done.output and "treshold" in done.output
    done = runner.invoke(app, ["train-online", "--model", "m", "--estimator", "sgd-classifier", "--holdout-every", "1"])
    assert done.exit_code == 1 and "holdout_every" in done.output
