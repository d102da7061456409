"""``model.reg.*`` residual / pull / mahalanobis / reducedChi2 on the fast path (fast.models.reg): by hand, numpy, titus2."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import DOUBLES, MATRIX, constant, document, fast, not_covered, vector

FIELDS = {"a": "double", "b": "double"}
ROWS = {"a": np.array([1.0, -2.0, 0.5, 3.0]), "b": np.array([0.0, 2.0, 0.5, -1.0])}
PRED = constant([0.5, 1.0], DOUBLES)
COV = [[2.0, 0.5], [0.5, 1.0]]


def test_scalar_residual_and_pull_by_hand() -> None:
    """a - b; (a - b) / b, the record with b = 0 failed as titus2's ZeroDivisionError."""
    assert fast(document({"model.reg.residual": ["input.a", "input.b"]}, fields=FIELDS), ROWS)[0].tolist() == [
        1.0,
        -4.0,
        0.0,
        4.0,
    ]  # noqa: E501
    values, refused = fast(document({"model.reg.pull": ["input.a", "input.b", "input.b"]}, fields=FIELDS), ROWS)
    assert refused == {0} and values[1:].tolist() == [-2.0, 0.0, -4.0]


def test_vector_residual_is_cut_to_the_shorter_as_titus_zips() -> None:
    doc = document({"a.sum": {"model.reg.residual": [vector("input.a", "input.b", 9.0), PRED]}}, fields=FIELDS)
    values, _ = fast(doc, ROWS)
    assert values.tolist() == (ROWS["a"] - 0.5 + ROWS["b"] - 1.0).tolist()
    _compare(doc, ROWS)


def test_mahalanobis_against_numpy() -> None:
    doc = document({"model.reg.mahalanobis": [vector("input.a", "input.b"), PRED, constant(COV, MATRIX)]}, fields=FIELDS)
    d = np.column_stack([ROWS["a"] - 0.5, ROWS["b"] - 1.0])
    expected = np.sqrt(np.einsum("ij,ij->i", d, np.linalg.solve(np.array(COV), d.T).T))
    np.testing.assert_allclose(fast(doc, ROWS)[0], expected, rtol=1e-12)
    _compare(doc, ROWS)


def test_singular_covariance_fails_the_records_on_both_engines() -> None:
    cov = constant([[1.0, 1.0], [1.0, 1.0]], MATRIX)
    _compare(document({"model.reg.mahalanobis": [vector("input.a", "input.b"), PRED, cov]}, fields=FIELDS), ROWS)


def test_reduced_chi2_by_hand_and_zero_dof() -> None:
    state = {"type": "record", "name": "S", "fields": [{"name": "chi2", "type": "double"}, {"name": "DOF", "type": "int"}]}
    fields = {"c": "double", "d": "int"}
    rows = {"c": np.array([6.0, 1.0]), "d": np.array([4, 0])}
    doc = document({"model.reg.reducedChi2": {"new": {"chi2": "input.c", "DOF": "input.d"}, "type": state}}, fields=fields)
    values, refused = fast(doc, rows)
    assert values[0] == 1.5 and refused == {1}
    _compare(doc, rows)


@pytest.mark.parametrize("function", ["model.reg.pull", "model.reg.residual"])
def test_vector_forms_agree_with_titus2(function: str) -> None:
    args = [vector("input.a", "input.b"), PRED] + ([vector("input.b", 1.0)] if function == "model.reg.pull" else [])
    _compare(document({"a.sum": {function: args}}, fields=FIELDS), ROWS)


def test_linear_variance_is_left_to_titus2_by_name() -> None:
    model = {
        "type": "record",
        "name": "M",
        "fields": [{"name": "coeff", "type": DOUBLES}, {"name": "const", "type": "double"}, {"name": "covar", "type": MATRIX}],
    }  # noqa: E501
    value = {"coeff": [1.0], "const": 0.0, "covar": [[1.0, 0.0], [0.0, 1.0]]}
    reason = not_covered(document({"model.reg.linearVariance": [vector("input.a"), constant(value, model)]}, fields=FIELDS))
    assert "model.reg.linearVariance" in reason
