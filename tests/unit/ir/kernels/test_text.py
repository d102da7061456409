"""The text kernels: per-value functions with titus2's semantics, PMML's tokenizer, column application."""

from __future__ import annotations

import numpy as np

from interchange.ir.kernels.text import TEXT_FUNCTIONS, text_column, words


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
