"""``la.*``, ``m.kernel.*`` and ``metric.*`` on the fast path (fast.library.numeric.linalg): numpy and titus2."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import document, fast

FIELDS = {"a": "double", "b": "double"}
ROWS = {"a": np.array([0.0, 1.5, -2.0, 3.0]), "b": np.array([1.0, -0.5, 4.0, 3.0])}
VEC = {"new": ["input.a", "input.b", 2.0], "type": {"type": "array", "items": "double"}}
OTHER = {"value": [0.5, -1.0, 1.0], "type": {"type": "array", "items": "double"}}
DOUBLES: dict[str, Any] = {
    "la.dot": {
        "la.dot": [
            {
                "value": [[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]],
                "type": {"type": "array", "items": {"type": "array", "items": "double"}},
            },
            VEC,
        ]
    },  # noqa: E501
    "m.kernel.linear": {"m.kernel.linear": [VEC, OTHER]},
    "m.kernel.rbf": {"m.kernel.rbf": [VEC, OTHER, 0.3]},
    "m.kernel.poly": {"m.kernel.poly": [VEC, OTHER, 0.5, 1.0, 3.0]},
    "m.kernel.sigmoid": {"m.kernel.sigmoid": [VEC, OTHER, 0.2, -0.5]},
    "metric.euclidean": {"metric.euclidean": [{"fcn": "metric.absDiff"}, VEC, OTHER]},
    "metric.squaredEuclidean": {"metric.squaredEuclidean": [{"fcn": "metric.absDiff"}, VEC, OTHER]},
    "metric.simpleEuclidean": {"metric.simpleEuclidean": [VEC, OTHER]},
    "metric.gaussianSimilarity": {"metric.gaussianSimilarity": ["input.a", "input.b", 2.0]},
}


def _array_out(expr: Any) -> Any:
    return {"a.sum": expr}  # one double per record, so every element is compared through the sum


@pytest.mark.parametrize("name", sorted(DOUBLES))
def test_agrees_with_titus2(name: str) -> None:
    expr = DOUBLES[name]
    if name == "la.dot":
        expr = _array_out(expr)
    _compare(document(expr, fields=FIELDS), ROWS)


@pytest.mark.parametrize("op", ["la.add", "la.sub", "la.scale"])
def test_elementwise_agree_with_titus2(op: str) -> None:
    args = [VEC, 2.5] if op == "la.scale" else [VEC, OTHER]
    _compare(document(_array_out({op: args}), fields=FIELDS), ROWS)


def test_kernels_and_metrics_against_numpy() -> None:
    v = np.column_stack([ROWS["a"], ROWS["b"], np.full(4, 2.0)])
    w = np.array([0.5, -1.0, 1.0])

    def run(name: str) -> np.ndarray:
        return fast(document(DOUBLES[name], fields=FIELDS), ROWS)[0]

    np.testing.assert_allclose(run("m.kernel.linear"), v @ w, rtol=1e-12)
    np.testing.assert_allclose(run("m.kernel.rbf"), np.exp(-0.3 * ((v - w) ** 2).sum(1)), rtol=1e-12)
    np.testing.assert_allclose(run("m.kernel.poly"), (0.5 * (v @ w) + 1.0) ** 3, rtol=1e-12)
    np.testing.assert_allclose(run("m.kernel.sigmoid"), np.tanh(0.2 * (v @ w) - 0.5), rtol=1e-12)
    np.testing.assert_allclose(run("metric.euclidean"), np.sqrt(((v - w) ** 2).sum(1)), rtol=1e-12)
    np.testing.assert_allclose(run("metric.simpleEuclidean"), np.sqrt(((v - w) ** 2).sum(1)), rtol=1e-12)


def test_dot_by_hand() -> None:
    """[[1, 2, 0], [0, -1, 3]] . (a, b, 2) summed = a + b + 6, for a = 1.5, b = -0.5: 7."""
    values, _ = fast(document(_array_out(DOUBLES["la.dot"]), fields=FIELDS), ROWS)
    assert values[1] == 7.0


def test_vectors_of_different_lengths_fail_the_record_on_both_engines() -> None:
    short = {"new": ["input.a"], "type": {"type": "array", "items": "double"}}
    _compare(document({"m.kernel.linear": [short, OTHER]}, fields=FIELDS), ROWS)
