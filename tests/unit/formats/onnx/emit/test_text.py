"""TextDerive in ONNX: RE2 literals, and refusals naming the function and why."""

from __future__ import annotations

import re

from interchange.formats.onnx.emit.text import re2_literal


def test_re2_literals_match_themselves() -> None:
    for text in ["a.b*c", "(x$", "]^-\\", "ü😀"]:  # (Python reads these RE2 escapes alike)
        assert re.fullmatch(re2_literal(text), text), text
    assert re2_literal("\t ") == "\\x{9}\\x{20}"  # (RE2's hex escape; Python spells it \x09)
