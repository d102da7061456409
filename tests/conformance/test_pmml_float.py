"""Float documents compute in float: JPMML-SkLearn's XGBoost documents score what XGBoost scores.

JPMML-SkLearn writes XGBoost models with ``dataType="float"`` fields, float32-short split
values and ``x-mathContext="float"``: inputs are float32, splits compare float32 values, the
result is a float32. JPMML-Evaluator follows that and agrees with XGBoost; pypmml computes in
double and takes other branches (measured: regression values off by up to 22.7, probabilities
by 0.52). The fast path must agree with XGBoost on every row, complete or with a missing value,
within float32 tolerance: rtol 1e-5 / atol 1e-4 (sums of float32 leaf values in another order than
XGBoost's; the branches taken are the same); and with JPMML-Evaluator at the double tolerance, rtol
1e-9 / atol 1e-12: it computes JPMML's float arithmetic (the sum tree by tree in float32, the base,
the link), formats/pmml/lift/models/precision.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from xgboost import XGBClassifier, XGBRegressor

import interchange
from interchange.batch import to_columns
from tests.conformance.third_party import _stamped_190
from tests.roundtrip.helpers import jpmml_outputs

RTOL, ATOL = 1e-5, 1e-4


def _data(kind: str) -> tuple[pd.DataFrame, np.ndarray]:
    if kind == "regression":
        X, y = make_regression(400, 4, noise=3.0, random_state=0)
    else:
        X, y = make_classification(400, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    return pd.DataFrame(X, columns=list("abcd")), y


def _document(est: Any, X: pd.DataFrame, y: np.ndarray, path: Path) -> bytes:
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    pipeline = PMMLPipeline([("model", est)]).fit(X, pd.Series(y, name="y"))  # a named target: sklearn2pmml warns otherwise
    with _stamped_190():
        sklearn2pmml(pipeline, str(path))
    return path.read_bytes()


def _close(actual: Any, expected: Any) -> np.ndarray:
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return (np.abs(a - e) <= ATOL + RTOL * np.abs(e)) | (np.isnan(a) & np.isnan(e))


@pytest.mark.parametrize("kind", ["regression", "classification"], ids=["XGBRegressor-pmml-float", "XGBClassifier-pmml-float"])
def test_xgboost_float_document_scores_what_xgboost_scores(kind: str, tmp_path: Path) -> None:
    X, y = _data(kind)
    est = (XGBRegressor if kind == "regression" else XGBClassifier)(n_estimators=40, max_depth=4)
    document = _document(est, X, y, tmp_path / "xgb.pmml")
    assert b'x-mathContext="float"' in document and b'dataType="float"' in document
    model = interchange.load(document)
    assert model.info.engine == "interchange-fast", model.info.reason
    rows = pd.concat([X, X.iloc[:40].assign(b=np.nan)], ignore_index=True)  # XGBoost routes missing values too
    ours = model.predict(rows)
    theirs = jpmml_outputs(document, to_columns(rows, model.signature), model.signature)
    if kind == "regression":
        source = {model.signature.output_names[0]: est.predict(rows)}
    else:
        p = est.predict_proba(rows)
        source = {f"probability({c})": p[:, c] for c in range(3)} | {"y": est.predict(rows)}
    for name, want in source.items():
        if model.signature.outputs[model.signature.output_names.index(name)].kind == "label":
            assert ours[name].tolist() == list(want) == theirs[name].tolist()
            continue
        assert _close(ours[name], want).all(), f"{name}: {np.flatnonzero(~_close(ours[name], want))[:5]} differ from XGBoost"
        exact = np.isclose(
            np.asarray(ours[name], dtype=np.float64), np.asarray(theirs[name], dtype=np.float64), rtol=1e-9, atol=1e-12
        )
        assert exact.all(), f"{name}: differs from JPMML-Evaluator (its float arithmetic, formats/pmml/lift/models/precision.py)"
    reference = interchange.load(document, engine="reference").predict(rows)
    first = next(iter(source))
    assert not _close(reference[first], source[first]).all(), "pypmml computes in double (the reason for this test)"
