"""``model.svm.score`` and ``model.naive.multinomial`` / ``bernoulli`` on the fast path (fast.models.scores)."""

from __future__ import annotations

import math

import numpy as np

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import DOUBLES, constant, document, fast, not_covered, vector

FIELDS = {"a": "double", "b": "double"}
ROWS = {"a": np.array([1.0, -2.0, 0.5]), "b": np.array([0.0, 2.0, 3.0])}
SV = {
    "type": "array",
    "items": {
        "type": "record",
        "name": "SV",
        "fields": [{"name": "supVec", "type": DOUBLES}, {"name": "coeff", "type": "double"}],
    },
}  # noqa: E501
SVM = {
    "type": "record",
    "name": "SVM",
    "fields": [
        {"name": "const", "type": "double"},
        {"name": "posClass", "type": SV},
        {"name": "negClass", "type": {"type": "array", "items": "SV"}},
    ],
}  # noqa: E501
MODEL = {
    "const": 0.25,
    "posClass": [{"supVec": [1.0, 0.0], "coeff": 0.5}, {"supVec": [0.0, 1.0], "coeff": 1.5}],
    "negClass": [{"supVec": [-1.0, -1.0], "coeff": -2.0}],
}


def test_svm_linear_kernel_by_hand() -> None:
    """score = const + sum coeff K(sv, x); linear K: 0.25 + 0.5 a + 1.5 b - 2 (-a - b) = 0.25 + 2.5 a + 3.5 b."""
    doc = document(
        {"model.svm.score": [vector("input.a", "input.b"), constant(MODEL, SVM), {"fcn": "m.kernel.linear"}]}, fields=FIELDS
    )  # noqa: E501
    values, _ = fast(doc, ROWS)
    np.testing.assert_allclose(values, 0.25 + 2.5 * ROWS["a"] + 3.5 * ROWS["b"], rtol=1e-15)
    _compare(doc, ROWS)


def test_svm_rbf_kernel_agrees_with_titus2() -> None:
    kernel = {"params": [{"x": DOUBLES}, {"y": DOUBLES}], "ret": "double", "do": {"m.kernel.rbf": ["x", "y", 0.7]}}
    _compare(document({"model.svm.score": [vector("input.a", "input.b"), constant(MODEL, SVM), kernel]}, fields=FIELDS), ROWS)


def test_multinomial_on_maps_is_left_to_titus2_by_name() -> None:
    dmap = {"type": "map", "values": "double"}
    doc = document(
        {"model.naive.multinomial": [{"new": {"a": "input.a"}, "type": dmap}, constant({"a": 1.0}, dmap)]}, fields=FIELDS
    )  # noqa: E501
    assert "model.naive.multinomial on maps" in not_covered(doc)


def test_multinomial_by_hand() -> None:
    """ll = sum x_j log(p_j / sum p + tiny); p = (1, 3): log(1/4) a + log(3/4) b, up to titus2's tiny."""
    doc = document({"model.naive.multinomial": [vector("input.a", "input.b"), constant([1.0, 3.0], DOUBLES)]}, fields=FIELDS)
    values, _ = fast(doc, ROWS)
    np.testing.assert_allclose(values, math.log(0.25) * ROWS["a"] + math.log(0.75) * ROWS["b"], rtol=1e-12)
    _compare(doc, ROWS)


def test_multinomial_non_positive_model_fails_the_records() -> None:
    doc = document({"model.naive.multinomial": [vector("input.a", "input.b"), constant([1.0, 0.0], DOUBLES)]}, fields=FIELDS)
    assert fast(doc, ROWS)[1] == {0, 1, 2}
    _compare(doc, ROWS)


def test_bernoulli_by_hand() -> None:
    """ll = sum log(1 - p) over the model, plus log(p / (1 - p)) per word present; unknown words add nothing."""
    words = {"type": "array", "items": "string"}
    table = constant({"spam": 0.8, "ham": 0.25}, {"type": "map", "values": "double"})
    fields = {"w": "string"}
    rows = {"w": np.array(["spam", "ham", "eggs"], dtype=object)}
    doc = document({"model.naive.bernoulli": [{"new": ["input.w"], "type": words}, table]}, fields=fields)
    base = math.log(0.2) + math.log(0.75)
    expected = [base + math.log(0.8 / 0.2), base + math.log(0.25 / 0.75), base]
    np.testing.assert_allclose(fast(doc, rows)[0], expected, rtol=1e-15)
    _compare(doc, rows)
