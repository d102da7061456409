"""Any column names convert to every format: spaces, dots, dashes, a leading digit, non-ASCII."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from tests.roundtrip.helpers import assert_export_equivalent


def _frame():
    X, y = load_iris(return_X_y=True, as_frame=True)  # "sepal length (cm)", ...
    X["2nd.dose-x"] = X.iloc[:, 0] * 2
    X["größe"] = X.iloc[:, 1] - X.iloc[:, 3]
    return X, y


@pytest.mark.parametrize("fmt", ["onnx", "pmml", "pfa"])
@pytest.mark.parametrize(
    "make",
    [lambda: LogisticRegression(max_iter=2000), lambda: RandomForestClassifier(5, random_state=0)],
    ids=["LogisticRegression", "RandomForestClassifier"],
)
def test_any_column_names(make, fmt: str) -> None:
    X, y = _frame()
    estimator = make().fit(X, y)
    name = type(estimator).__name__
    assert_export_equivalent(estimator, X, X.iloc[::7], fmt, cell=f"{name}-{fmt}-names", dataset="iris-names")
