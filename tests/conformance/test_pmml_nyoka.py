"""Documents written by a third-party tool (nyoka) load and agree with pypmml row by row.

Every document here must run on the fast path and agree with pypmml within the stated
tolerance.
The document is the judge, not the estimator it came from (nyoka's documents sometimes
disagree with their source model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import interchange
from interchange.verification import Tolerance, compare
from tests.conformance.nyoka_data import iris, nyoka_document, regression

TOL = Tolerance(1e-9, 1e-12, "double precision, the same formulas summed in another order")


CASES = {
    "LinearRegression": (regression, lambda: LinearRegression()),
    "StandardScaler+LinearRegression": (regression, lambda: Pipeline([("s", StandardScaler()), ("m", LinearRegression())])),
    "RandomForestRegressor": (regression, lambda: RandomForestRegressor(5, max_depth=4, random_state=0)),
    "GradientBoostingRegressor": (regression, lambda: GradientBoostingRegressor(n_estimators=5, random_state=0)),
    "LogisticRegression": (iris, lambda: LogisticRegression(max_iter=500)),
    "DecisionTreeClassifier": (iris, lambda: DecisionTreeClassifier(max_depth=4, random_state=0)),
    "RandomForestClassifier": (iris, lambda: RandomForestClassifier(5, max_depth=4, random_state=0)),
}


@pytest.mark.parametrize("name", list(CASES), ids=[f"{n}-pmml-nyoka" for n in CASES])
def test_nyoka_document_agrees_with_pypmml(name: str, tmp_path: Path) -> None:
    data, factory = CASES[name]
    X, y = data()
    estimator = factory()
    pipe = estimator if isinstance(estimator, Pipeline) else Pipeline([("model", estimator)])
    pipe.fit(X, y)
    document = nyoka_document(pipe, X, tmp_path)
    reference = interchange.load(document, engine="reference")
    auto = interchange.load(document)
    assert reference.signature.outputs, "the document declares outputs"
    expected = reference.predict(X)
    actual = auto.predict(X)
    numeric = [f for f in reference.signature.outputs if f.kind in ("probability", "value")]
    for f in numeric:
        e, a = np.asarray(expected[f.name], float), np.asarray(actual[f.name], float)
        assert np.all(np.abs(a - e) <= TOL.atol + TOL.rtol * np.abs(e)), f"{f.name}: {np.max(np.abs(a - e))}"
    compare(reference.signature, expected, actual, TOL, format="pmml")
    assert auto.info.engine == "interchange-fast", auto.info.reason  # every nyoka 5.5.0 document here is covered
