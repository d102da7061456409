"""The documents interchange writes run on the fast path, not on the reference fallback.

A fast path that quietly declines our own documents (an inert element it does not list, a
new writer construct) would still give right answers, only thousands of times slower; this
test makes that visible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import interchange

rng = np.random.default_rng(3)
FRAME = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200), "c": rng.choice(["x", "y", "z"], 200)})
FRAME.loc[rng.random(200) < 0.1, "a"] = np.nan
TARGET = (FRAME["b"] > 0).astype(int).to_numpy()


def _route(model):
    numbers = make_pipeline(SimpleImputer(), StandardScaler())
    route = ColumnTransformer([("num", numbers, ["a", "b"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["c"])])
    return make_pipeline(route, model).fit(FRAME, TARGET)


MODELS = {
    "logistic": lambda: _route(LogisticRegression()),
    "forest": lambda: _route(RandomForestClassifier(20, max_depth=5, random_state=0)),
    "boosting": lambda: _route(GradientBoostingClassifier(n_estimators=20, random_state=0)),
    "hist-boosting": lambda: _route(HistGradientBoostingRegressor(max_iter=20)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_our_pmml_runs_on_the_fast_path(name: str) -> None:
    converted = interchange.convert(MODELS[name](), "pmml", sample=FRAME)
    model = interchange.load(converted.document.data)
    assert model.info.engine == "interchange-fast", model.info.reason
