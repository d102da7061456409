"""Generated Java for TextDerive: one guarded statement per step over the text helpers."""

from __future__ import annotations

import pytest

from interchange.codegen.java.text import CALLS
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.expressions import Const, Ref
from interchange.ir.derive.text import TEXT_FUNCTIONS, TextDerive


def test_every_text_function_has_a_java_call() -> None:
    assert set(CALLS) == set(TEXT_FUNCTIONS)


def test_a_missing_argument_gives_a_missing_result() -> None:
    out = JavaWriter()
    out.new_text("t")
    out.new_num("n")
    step = TextDerive(("o",), "s.repeat", (Ref("t"), Ref("n")))
    lines = lookup("java", step)(step, out)
    assert "text" in out.helpers and out.is_text("o")
    assert lines[0] == "if ((s[0] == null) || Double.isNaN(v[0])) {" and "long a1 = (long) v[0];" in "\n".join(lines)
    step = TextDerive(("k",), "s.len", (Ref("t"),))
    assert any("codePointCount" in line for line in lookup("java", step)(step, out)) and not out.is_text("k")


def test_a_text_read_as_an_integer_is_refused() -> None:
    out = JavaWriter()
    out.new_text("t")
    with pytest.raises(UnsupportedModelError, match="a text where a text function takes an integer"):
        step = TextDerive(("o",), "s.repeat", (Ref("t"), Const("3")))
        lookup("java", step)(step, out)
