"""``m.*`` and ``m.link.*`` on the fast path (fast.library.numeric.maths): by hand, and against titus2."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import document, fast

X = np.array([-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 3.0, 710.0, np.inf, -np.inf, np.nan])
UNARY = ["m.exp", "m.expm1", "m.ln", "m.log10", "m.ln1p", "m.sqrt", "m.floor", "m.ceil", "m.sin", "m.cos", "m.tan"]
UNARY += ["m.atan", "m.tanh", "m.signum"]
LINKS = ["logit", "probit", "cloglog", "loglog", "cauchit", "softplus", "relu", "tanh"]


@pytest.mark.parametrize("function", UNARY)
def test_unary_functions_agree_with_titus2(function: str) -> None:
    out = "int" if function == "m.signum" else "double"
    _compare(document({function: "input.x"}, output=out), {"x": X})


@pytest.mark.parametrize("function", ["m.exp", "m.expm1"])
def test_exp_of_infinity_is_infinity_as_in_titus2(function: str) -> None:
    """Python's math.exp(inf) is inf and math.exp(-inf) 0; only a finite x past EXP_MAX overflows."""
    values, refused = fast(document({function: "input.x"}), {"x": np.array([np.inf, -np.inf, 710.0])})
    assert refused == {2}
    assert values[:2].tolist() == [np.inf, 0.0 if function == "m.exp" else -1.0]
    _compare(document({function: "input.x"}), {"x": np.array([np.inf, -np.inf, 710.0])})


@pytest.mark.parametrize("link", LINKS)
def test_links_agree_with_titus2(link: str) -> None:
    _compare(document({f"m.link.{link}": "input.x"}), {"x": X})


def test_by_hand() -> None:
    rows = {"x": np.array([-1.0, 0.0, 4.0])}
    assert fast(document({"m.sqrt": "input.x"}), rows)[0][1:].tolist() == [0.0, 2.0]
    assert math.isnan(fast(document({"m.sqrt": "input.x"}), rows)[0][0])  # titus2: NaN, not a failure
    assert fast(document({"m.ln": "input.x"}), rows)[0][1] == -np.inf
    logit = fast(document({"m.link.logit": "input.x"}), rows)[0]
    np.testing.assert_allclose(logit, [1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-4.0))], rtol=1e-15)
    assert fast(document({"m.signum": "input.x"}, output="int"), rows)[0].tolist() == [-1, 0, 1]


def test_exp_overflow_fails_only_that_record() -> None:
    values, refused = fast(document({"m.exp": "input.x"}), {"x": np.array([1.0, 709.0, 710.0])})
    assert refused == {2}
    np.testing.assert_allclose(values[:2], [math.e, math.exp(709.0)], rtol=1e-15)


def test_constants() -> None:
    values, _ = fast(document({"+": [{"m.pi": []}, {"m.e": []}]}), {"x": np.zeros(1)})
    assert values.tolist() == [math.pi + math.e]
