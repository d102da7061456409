"""PMML 4.4 built-in functions on the fast path (pmml.read.functions): numpy by hand, pypmml."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.unit.formats.pmml.lift.models._pmml import fast_outputs

from ._derived import expression_document

X = np.array([-2.5, -0.5, 0.25, 1.0, 3.7])
POSITIVE = {"sqrt"}
CASES = [
    ("abs", lambda x: np.abs(x)),
    ("exp", lambda x: np.exp(x)),
    ("floor", lambda x: np.floor(x)),
    ("ceil", lambda x: np.ceil(x)),
    ("round", lambda x: np.floor(x + 0.5)),  # PMML 4.4: round half up (Java's Math.round)
    ("sqrt", lambda x: np.sqrt(np.abs(x))),
]


@pytest.mark.parametrize(("function", "reference"), CASES, ids=[c[0] for c in CASES])
def test_unary_against_numpy(function: str, reference: object) -> None:
    x = X[X > 0] if function in POSITIVE else X
    got = fast_outputs(expression_document(f'<Apply function="{function}"><FieldRef field="x"/></Apply>'), {"x": x})["e"]
    np.testing.assert_allclose(got, reference(x), rtol=1e-15)  # type: ignore[operator]


def test_log_of_non_positive_is_missing_by_hand() -> None:
    """log10(x): invalid below 0 (missing), 0.25 -> log10(1/4), 1 -> 0."""
    got = fast_outputs(expression_document('<Apply function="log10"><FieldRef field="x"/></Apply>'), {"x": X[2:]})["e"]
    np.testing.assert_allclose(got, [math.log10(0.25), 0.0, math.log10(3.7)], rtol=1e-15)


def test_min_max_sum_avg_by_hand() -> None:
    for function, want in (
        ("min", [-2.5, -0.5, 0.25, 1.0, 2.0]),
        ("max", [2.0, 2.0, 2.0, 2.0, 3.7]),
        ("sum", X + 2.0),
        ("avg", (X + 2.0) / 2),
    ):  # noqa: E501
        expr = f'<Apply function="{function}"><FieldRef field="x"/><Constant>2</Constant></Apply>'
        np.testing.assert_allclose(fast_outputs(expression_document(expr), {"x": X})["e"], want, rtol=1e-15)
