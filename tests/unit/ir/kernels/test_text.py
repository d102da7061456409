"""The text kernels: per-value functions with titus2's semantics, PMML's tokenizer, column application,
and PMML formatNumber's Java String.format patterns against values JPMML-Evaluator 1.x wrote for them
(measured; the module docstring states the wider comparison)."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.kernels.text import TEXT_FUNCTIONS, format_number, format_pattern, text_column, words


def test_titus_index_rules_and_pmml_words() -> None:
    f = {name: fn for name, (fn, _, _) in TEXT_FUNCTIONS.items()}
    assert f["s.substrto"]("abcdef", -3, 99, "*") == "abc*"
    assert f["s.count"]("aaa", "") == 0 and f["s.count"]("aaaa", "aa") == 2
    assert f["s.replacelast"]("a-b-c", "-", "+") == "a-b+c" and f["s.replacefirst"]("a-b-c", "-", "+") == "a+b-c"
    assert f["s.translate"]("hello", "lo", "L") == "heLL"
    assert words("Good, good-good. BAD!", r"\s+", False) == ["good", "good-good", "bad"]
    assert f["pmml:termcount"]("Good, good-good. good", "good", r"\s+", 0.0) == 2


def test_a_column_is_missing_where_an_argument_is() -> None:
    t = np.array(["Ab", None, "c"], dtype=object)
    assert text_column("s.concat", [t, np.array(["-"] * 3, dtype=object)], 3).tolist() == ["Ab-", None, "c-"]
    np.testing.assert_array_equal(text_column("s.index", [t, np.array(["b"] * 3, dtype=object)], 3), [1.0, np.nan, -1.0])
    np.testing.assert_array_equal(
        text_column("s.substr", [t, np.array([0.0, 0.0, np.nan]), np.ones(3)], 3).tolist(), ["A", None, None]
    )


@pytest.mark.parametrize(
    "x,pattern,expected",
    [
        (3.14159, "%.3f", "3.142"),
        (-2.5, "%08.2f", "-0002.50"),
        (1234567.891, "%e", "1.234568e+06"),
        (0.0005, "%e", "5.000000e-04"),
        (1234567.891, "%.3f", "1234567.891"),
        (0.0005, "%08.2f", "00000.00"),
        (2.675, "%.2f", "2.68"),  # half up on the shortest decimal (Python's "%.2f" gives 2.67)
        (-0.0, "%.1f", "0.0"),
    ],
)
def test_a_number_is_written_as_java_writes_it(x: float, pattern: str, expected: str) -> None:
    assert format_number(x, pattern) == expected


@pytest.mark.parametrize(
    "pattern,covered", [("%.2f", True), ("a=%-9.1f|", True), ("%d", False), ("%s", False), ("%f %f", False), ("%,.2f", False)]
)
def test_only_one_f_or_e_conversion_is_covered(pattern: str, covered: bool) -> None:
    assert format_pattern(pattern) is covered
