"""Encoders that reject unknown categories (scikit-learn's default) keep doing so in every format.

PMML cannot raise: the category list becomes the DataField's valid values, and an unknown one
gets no prediction (returnInvalid). PFA raises a user error, which is a bad record; so does
ONNX, through ``ai.onnx.ml`` OneHotEncoder with ``zeros=0``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

import interchange
from interchange.errors import RecordError

FRAME = pd.DataFrame({"a": [1.0, 2, 3, 4] * 10, "b": ["x", "y", "x", "z"] * 10})
TARGET = np.array([0, 1, 1, 2] * 10)
ROWS = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "purple"]})
ENCODERS = {
    "onehot": lambda: OneHotEncoder(),
    "imputed-onehot": lambda: make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()),
    "ordinal": lambda: OrdinalEncoder(),
}


def _fit(encoder: str):
    route = ColumnTransformer([("num", SimpleImputer(), ["a"]), ("cat", ENCODERS[encoder](), ["b"])])
    return make_pipeline(route, LogisticRegression(max_iter=300)).fit(FRAME, TARGET)


@pytest.mark.parametrize("encoder", list(ENCODERS))
def test_pmml_gives_no_prediction_for_an_unknown_category(encoder: str) -> None:
    estimator = _fit(encoder)
    converted = interchange.convert(estimator, "pmml", sample=FRAME)
    known = estimator.predict(ROWS.iloc[:1])[0]
    for engine in ("reference", "auto"):
        out = interchange.load(converted.document.data, engine=engine).predict(ROWS)
        assert out["label"][0] == known
        assert out["label"][1] is None, engine  # invalid: no prediction, never a made-up one
        assert np.isnan(out["probability_0"][1])


@pytest.mark.parametrize("encoder", list(ENCODERS))
def test_pfa_fails_the_record_with_an_unknown_category(encoder: str) -> None:
    converted = interchange.convert(_fit(encoder), "pfa", sample=FRAME)
    model = interchange.load(converted.document.data)
    assert model.predict(ROWS.iloc[:1])["label"][0] == _fit(encoder).predict(ROWS.iloc[:1])[0]
    with pytest.raises(RecordError, match="unknown category"):
        model.predict(ROWS.iloc[1:])


@pytest.mark.parametrize("encoder", ["onehot", "imputed-onehot"])
def test_onnx_fails_the_record_with_an_unknown_category(encoder: str) -> None:
    import onnx

    converted = interchange.convert(_fit(encoder), "onnx", sample=FRAME)
    meta = {p.key: p.value for p in onnx.load_model_from_string(converted.document.data).metadata_props}
    assert meta["interchange.writer"] == "interchange IR, double precision"
    model = interchange.load(converted.document.data)
    assert model.predict(ROWS.iloc[:1])["label"][0] == _fit(encoder).predict(ROWS.iloc[:1])[0]
    with pytest.raises(RecordError, match="unknown category"):
        model.predict(ROWS.iloc[1:])
    scored = model.score(ROWS)
    assert list(scored.refused) == [1] and scored.outputs["label"][0] == _fit(encoder).predict(ROWS.iloc[:1])[0]


def test_onnx_refuses_an_ordinal_encoder_that_would_hide_unknown_categories() -> None:
    from interchange.errors import UnsupportedModelError

    with pytest.raises(UnsupportedModelError, match="use_encoded_value") as err:
        interchange.convert(_fit("ordinal"), "onnx", sample=FRAME)
    assert err.value.context["estimator"] == "OrdinalEncoder"
    assert set(err.value.context["supported_formats"]) == {"pmml", "pfa"}


@pytest.mark.parametrize("encoder", ["onehot", "imputed-onehot"])
def test_onnx_one_hot_fails_the_record_with_an_unknown_category(encoder: str) -> None:
    model = interchange.load(interchange.convert(_fit(encoder), "onnx", sample=FRAME).document.data)
    with pytest.raises(RecordError, match="Unknown Category"):
        model.predict(ROWS.iloc[1:])
