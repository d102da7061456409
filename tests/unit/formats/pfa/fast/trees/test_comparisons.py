"""``model.tree.simpleTest`` / ``missingTest`` node tests (fast.trees.comparisons): truth values worked out by hand.

The rows and documents are the conformance test's (``tests/conformance/test_pfa_tree_tests.py``),
which compares with titus2; here every answer is written out from the PFA spec's rules.
"""

from __future__ import annotations

from typing import Any

import pytest

import interchange
from interchange.formats.pfa.fast.trees.comparisons import accepts
from interchange.formats.pfa.fast.types import DOUBLE, INT, STRING
from tests.conformance.test_pfa_tree_tests import ROWS, _document

# ROWS: x = [0.5, null, 0.4, 1.0, 0.5+, -3, null, 0.5]; s = [red, null, double, m, blue, "", zz, null]
#       n = [0.25, 1, -0.5, 0.25, 2, 1, 0, 0.5];       t = [green, blue, m, "", red, green, zz, mm]
SIMPLE: list[tuple[tuple[str, str, Any], str]] = [
    (("x", "isMissing", {"double": 0.0}), "FTFFFFTF"),
    (("s", "notMissing", {"double": 0.0}), "TFTTTTTF"),
    (("n", "<=", {"double": 0.25}), "TFTTFFTF"),
    (("n", ">", {"double": 0.25}), "FTFFTTFT"),
    (("t", "in", {"array": ["green", "zz"]}), "TFFFFTTF"),
    (("t", "notIn", {"array": ["green", "zz"]}), "FTTTTFFT"),
    (("t", "==", {"string": "green"}), "TFFFFTFF"),
    (("t", "<=", {"string": "m"}), "TTTTFTFF"),  # "" <= "m"; "mm" > "m"
    (("n", "alwaysFalse", {"string": "ignored"}), "FFFFFFFF"),
]
MISSING: list[tuple[tuple[str, str, Any], str]] = [
    (("x", "<=", {"double": 0.5}), "TNTFFTNT"),  # null -> N; 0.5+ (next double) is not <= 0.5
    (("x", "<", {"double": 0.5}), "FNTFFTNF"),
    (("x", "==", {"double": 0.5}), "TNFFFFNT"),
    (("x", "!=", {"double": 0.5}), "FNTTTTNF"),
    (("s", "==", {"string": "red"}), "TNFFFFFN"),
    (("s", "in", {"array": ["red", "blue", ""]}), "TNFFTTFN"),
    (("s", "notIn", {"array": ["red", "blue", ""]}), "FNTTFFTN"),
    (("x", "alwaysTrue", {"double": 0.0}), "TTTTTTTT"),
]


def _answers(tests: list[tuple[tuple[str, str, Any], str]], missing: bool, walk: bool) -> list[str]:
    model = interchange.load(_document([t for t, _ in tests], missing=missing, walk=walk))
    assert model.info.engine == "interchange-fast", model.info.reason
    out = model.predict(ROWS)
    return ["".join(out[f"t{i}"].tolist()) for i in range(len(tests))]


@pytest.mark.parametrize("walk", [False, True], ids=["direct", "walked"])
def test_simple_test_by_hand(walk: bool) -> None:
    assert _answers(SIMPLE, False, walk) == [want for _, want in SIMPLE]


@pytest.mark.parametrize("walk", [False, True], ids=["direct", "walked"])
def test_missing_test_by_hand(walk: bool) -> None:
    assert _answers(MISSING, True, walk) == [want for _, want in MISSING]


def test_accepts_follows_avro_promotion() -> None:
    """An int is accepted where a double is expected, not the other way, and a string by no number."""
    assert accepts(DOUBLE, INT) and not accepts(INT, DOUBLE) and not accepts(DOUBLE, STRING)
