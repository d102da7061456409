"""TextDerive: PFA's s.* functions over columns, titus2's semantics, one copy shared with the PFA fast path."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.derive.expressions import Const, Ref
from interchange.ir.derive.text import TEXT_FUNCTIONS, TextDerive


def _run(function: str, *args: object) -> np.ndarray:
    env = {"t": np.array(["Green", None, "blue"], dtype=object), "n": np.array([2.0, 1.0, np.nan])}
    TextDerive(("out",), function, tuple(Ref(a) if a in env else Const(a) for a in args)).apply(env)  # type: ignore[arg-type]
    return env["out"]


def test_text_int_and_truth_results_with_missing_arguments_missing() -> None:
    assert _run("s.lower", "t").tolist() == ["green", None, "blue"]
    assert _run("s.substrto", "t", -3, "n", "**").tolist() == ["Gr**een", None, None]
    np.testing.assert_array_equal(_run("s.len", "t"), [5.0, np.nan, 4.0])
    np.testing.assert_array_equal(_run("s.contains", "t", "e"), [1.0, np.nan, 1.0])
    assert _run("s.translate", "t", "aeiou", "AE").tolist() == ["GrEEn", None, "blE"]
    assert _run("s.repeat", "t", "n").tolist() == ["GreenGreen", None, None]


def test_the_fast_path_uses_the_same_functions() -> None:
    from interchange.formats.pfa.fast.library.strings import STRING_FUNCTIONS

    assert set(STRING_FUNCTIONS) == set(TEXT_FUNCTIONS)
    assert all(STRING_FUNCTIONS[n][0] is TEXT_FUNCTIONS[n][0] for n in TEXT_FUNCTIONS)


def test_an_unknown_function_or_arity_is_refused() -> None:
    with pytest.raises(ModelError, match="unknown IR text function"):
        TextDerive(("o",), "s.reverse", (Ref("t"),))
    with pytest.raises(ModelError, match="takes 2 arguments"):
        TextDerive(("o",), "s.concat", (Ref("t"),))
