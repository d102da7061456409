"""The extracted IR is checked against its estimator (interchange.extract.verify) before documents are trusted."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from interchange.batch import to_columns
from interchange.convert import infer_signature
from interchange.errors import VerificationError
from interchange.extract import to_graph
from interchange.extract.verify import check_graph
from interchange.source import reference_outputs
from interchange.verification import Tolerance


def _case() -> tuple[object, object, dict, dict]:
    X, y = make_classification(120, 4, n_informative=2, random_state=0)
    est = LogisticRegression(max_iter=500).fit(X, y)
    sig = infer_signature(est, X)
    columns = to_columns(X, sig)
    return est, sig, columns, reference_outputs(est, columns, sig)


def test_the_extracted_graph_reproduces_the_estimator() -> None:
    est, sig, columns, expected = _case()
    result = check_graph(to_graph(est, sig), columns, expected, Tolerance(1e-9, 1e-12), source="LogisticRegression")
    assert result.rows == 120 and result.max_diff < 1e-12


def test_a_wrong_extraction_is_named_before_any_document_is_written() -> None:
    est, sig, columns, expected = _case()
    graph = to_graph(est, sig)
    model = dataclasses.replace(graph.model, intercept=np.asarray(graph.model.intercept) + 1e-3)  # an extractor slip
    bad = dataclasses.replace(graph, model=model)
    with pytest.raises(VerificationError, match="IR extracted from LogisticRegression disagrees") as caught:
        check_graph(bad, columns, expected, Tolerance(1e-9, 1e-12), source="LogisticRegression")
    assert caught.value.context["format"] == "IR"
