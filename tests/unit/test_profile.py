"""Reference profiles and PSI: bins, categories, missing values, and the profile convert captures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import interchange
from interchange.profile import describe, profile_from_json, profile_json, proportions, psi


def test_numeric_bins_cover_every_value_once() -> None:
    x = np.arange(100, dtype=float)
    spec = describe(x, "numeric")
    assert len(spec["edges"]) == 9
    assert spec["proportions"][:-1] == pytest.approx([0.1] * 10)
    assert spec["proportions"][-1] == 0.0  # missing share
    shares = proportions(spec, np.array([-5.0, 1000.0, np.nan, spec["edges"][0]]))
    assert shares[0] == 0.5 and shares[-2] == 0.25 and shares[-1] == 0.25  # edge value falls in the lower bin


def test_categorical_shares_other_and_missing() -> None:
    spec = describe(np.array(["a", "a", "b", None], dtype=object), "categorical")
    assert spec["values"] == ["a", "b"]
    assert spec["proportions"] == pytest.approx([0.5, 0.25, 0.0, 0.25])
    assert proportions(spec, np.array(["c", "a"], dtype=object)) == pytest.approx([0.5, 0.0, 0.5, 0.0])


def test_psi_matches_the_formula_and_grows_with_shift() -> None:
    e, o = [0.5, 0.5], [0.2, 0.8]
    assert psi(e, o) == pytest.approx((0.2 - 0.5) * math.log(0.2 / 0.5) + (0.8 - 0.5) * math.log(0.8 / 0.5))
    assert psi(e, e) == 0.0
    rng = np.random.default_rng(0)
    spec = describe(rng.normal(size=5000), "numeric")
    same = psi(spec["proportions"], proportions(spec, rng.normal(size=5000)))
    shifted = psi(spec["proportions"], proportions(spec, rng.normal(1.0, size=5000)))
    assert same < 0.02 < 0.25 < shifted
    with pytest.raises(ValueError):
        psi([1.0], [0.5, 0.5])


def test_convert_captures_profile_of_inputs_and_predictions() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.uniform(size=300)})
    y = np.where(X["a"] > 0.5, "hi", "lo")
    converted = interchange.convert(LogisticRegression().fit(X, y), "onnx", sample=X)
    profile = profile_from_json(profile_json(converted.profile))
    assert set(profile["features"]) == {"a", "b"}
    assert profile["features"]["a"]["rows"] == 300
    pred = profile["prediction"]
    assert pred["field"] == "label" and pred["kind"] == "categorical" and pred["values"] == ["hi", "lo"]
    expected_hi = float(np.mean(LogisticRegression().fit(X, y).predict(X) == "hi"))
    assert pred["proportions"][0] == pytest.approx(expected_hi)
    regressor = interchange.convert(LinearRegression().fit(X, X["a"] * 2), "onnx", sample=X)
    assert regressor.profile["prediction"]["kind"] == "numeric"
