"""check(): per step and per format, supported or the reason why not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

import interchange
from interchange.check import format_table


def _fit(with_custom: bool):
    df = pd.DataFrame({"a": [1.0, 2, 3, 4] * 10, "b": ["x", "y", "x", "z"] * 10})
    y = np.array([0, 1, 1, 2] * 10)
    numbers = make_pipeline(SimpleImputer(), FunctionTransformer(np.log1p)) if with_custom else SimpleImputer()
    pre = ColumnTransformer([("num", numbers, ["a"]), ("cat", OneHotEncoder(), ["b"])])
    return make_pipeline(pre, LogisticRegression(max_iter=300)).fit(df, y)


def test_supported_pipeline_is_ok_for_every_format() -> None:
    rows = interchange.check(_fit(with_custom=False))
    assert [r.estimator for r in rows] == ["ColumnTransformer", "SimpleImputer", "OneHotEncoder", "LogisticRegression"]
    assert all(verdict is None for r in rows for verdict in r.verdicts.values())


def test_custom_function_is_refused_with_a_reason() -> None:
    rows = {r.path: r for r in interchange.check(_fit(with_custom=True))}
    custom = rows["columntransformer/num/functiontransformer"]
    assert "arbitrary Python" in custom.verdicts["onnx"]
    assert "FunctionTransformer" in custom.verdicts["pmml"]
    assert "FunctionTransformer" in custom.verdicts["pfa"]
    assert "| columntransformer/num/functiontransformer | FunctionTransformer | no:" in format_table(list(rows.values()))


def test_passthrough_columns_are_not_listed_as_steps() -> None:
    df = pd.DataFrame({"a": [1.0, 2, 3, 4] * 10, "b": ["x", "y", "x", "z"] * 10})
    pre = ColumnTransformer([("num", "passthrough", ["a"]), ("cat", OneHotEncoder(), ["b"])])
    fitted = make_pipeline(pre, LogisticRegression(max_iter=300)).fit(df, np.array([0, 1, 1, 2] * 10))
    rows = interchange.check(fitted)
    assert [r.estimator for r in rows] == ["ColumnTransformer", "OneHotEncoder", "LogisticRegression"]
    assert all(verdict is None for r in rows for verdict in r.verdicts.values())


def test_onnx_verdict_asks_the_ir_writer_before_skl2onnx(monkeypatch) -> None:  # noqa: ANN001
    """As convert does: a step the double IR writer holds is ok for ONNX even where skl2onnx has no converter."""
    from skl2onnx import _supported_operators
    from sklearn.ensemble import RandomForestClassifier

    X = np.random.default_rng(0).normal(size=(60, 3))
    forest = RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, (X[:, 0] > 0).astype(int))
    table = dict(_supported_operators.sklearn_operator_name_map)
    table.pop(RandomForestClassifier)
    monkeypatch.setattr(_supported_operators, "sklearn_operator_name_map", table)
    assert interchange.check(forest)[0].verdicts["onnx"] is None


@pytest.mark.filterwarnings("ignore:The `probability` parameter was deprecated:FutureWarning")
def test_onnx_verdict_falls_back_to_skl2onnx_and_names_both_refusals(monkeypatch) -> None:  # noqa: ANN001
    from skl2onnx import _supported_operators
    from sklearn.svm import SVC

    X = np.random.default_rng(0).normal(size=(60, 3))
    from interchange.formats.onnx.emit.builder import refuse
    from interchange.formats.onnx.emit.models import distance

    def refused(*args: object) -> str:  # the IR writer refusing Platt probabilities (it writes them: refused here)
        raise refuse("libsvm's Platt probabilities")

    monkeypatch.setattr(distance, "svm_probabilities", refused)
    svc = SVC(kernel="poly", probability=True, random_state=0).fit(X, (X[:, 0] > 0).astype(int))
    assert interchange.check(svc)[0].verdicts["onnx"] is None  # the IR writer refuses; skl2onnx takes it
    table = dict(_supported_operators.sklearn_operator_name_map)
    table.pop(SVC)
    monkeypatch.setattr(_supported_operators, "sklearn_operator_name_map", table)
    why = interchange.check(svc)[0].verdicts["onnx"]
    assert why is not None and why.startswith("IR writer:") and "Platt" in why and "skl2onnx has no converter for SVC" in why
