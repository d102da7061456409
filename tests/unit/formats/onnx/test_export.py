"""The lineage of an ONNX document names the writer that really wrote it."""

from __future__ import annotations

import json
import warnings

import numpy as np
import onnx
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.naive_bayes import MultinomialNB

import interchange
from interchange.formats.onnx.meta import IR_WRITER, SKL2ONNX_WRITER


def _converted(est: object) -> interchange.Converted:
    X = np.abs(np.random.default_rng(0).normal(size=(60, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return interchange.convert(est.fit(X, (X[:, 0] > 0.5).astype(int)), "onnx", sample=X)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "est,writer,packages",
    [
        (RandomForestClassifier(3, max_depth=3, random_state=0), IR_WRITER, {"interchange", "onnx"}),
        (MultinomialNB(), SKL2ONNX_WRITER, {"skl2onnx", "onnxmltools", "onnx"}),  # the IR holds no MultinomialNB
    ],
    ids=["ir-writer", "skl2onnx"],
)
def test_converter_names_the_real_writer(est: object, writer: str, packages: set[str]) -> None:
    converted = _converted(est)
    assert interchange.load(converted.document).info.details.get("writer") == writer
    assert converted.lineage["writer"] == writer and set(converted.lineage["converter"]) == packages
    props = {p.key: p.value for p in onnx.load_model_from_string(converted.document.data).metadata_props}
    assert json.loads(props["interchange.signature"])["meta"]["lineage"]["converter"] == converted.lineage["converter"]
