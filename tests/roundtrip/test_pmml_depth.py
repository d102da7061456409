"""A PMML document stays within lxml's nesting limit (256 levels) however many support vectors a machine sums."""

from __future__ import annotations

import warnings

import pandas as pd
from lxml import etree
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import interchange
from interchange.formats.pmml.emit.models.families import MAX_CHAIN


def _depth(el: etree._Element) -> int:
    return 1 + max((_depth(c) for c in el), default=0)


def test_an_svc_summing_hundreds_of_support_vectors_is_written_flat_and_verifies() -> None:
    X, y = make_classification(1200, 6, n_informative=4, flip_y=0.3, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SVC().fit(frame.iloc[:1000], y[:1000])
    assert len(model.support_) > MAX_CHAIN + 56  # (a single chained sum of these nested deeper than 256)
    converted = interchange.convert(model, "pmml", sample=frame.iloc[:1000])  # pypmml replays it: verified
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    root = etree.fromstring(converted.document.data)
    assert _depth(root) < 256
    assert root.xpath("//*[local-name()='DerivedField'][contains(@name, '_part0')]")  # the sum was split
