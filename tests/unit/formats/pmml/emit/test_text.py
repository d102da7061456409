"""TextDerive as PMML DerivedFields: the built-ins, regular-expression spellings, TextIndex, guards and refusals."""

from __future__ import annotations

import re

import pytest

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.text import WRITERS, escaped, text_derive
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.expressions import Call, Const, Ref
from interchange.ir.derive.text import TextDerive

BLANK = Call("if", (Call("isMissing", (Ref("t"),)), Const(""), Ref("t")))


def _body(function: str, *args: object) -> str:
    from lxml import etree

    (field,) = text_derive(TextDerive(("o",), function, tuple(args)))  # type: ignore[arg-type]
    return etree.tostring(field).decode()


def test_escaped_text_matches_itself_only() -> None:
    for text in ["a.b*c", "(x$ ", "tab\there\n", "ü]^-", ""]:
        assert re.fullmatch(escaped(text), text)
    assert not re.fullmatch(escaped("a.b"), "axb")


def test_functions_and_the_missing_guard() -> None:
    up = _body("s.upper", Ref("t"))
    assert 'function="uppercase"' in up and 'function="isNotMissing"' in up and 'function="if"' in up
    assert "isNotMissing" not in _body("s.upper", BLANK)  # (the PMML lift's blank is never missing)
    strip = _body("s.strip", BLANK, Const(" ."))
    assert 'function="replace"' in strip and "$1" in strip and "(?!(?s:.))" in strip
    assert "\\(x" in _body("s.startswith", Ref("t"), Const("(x"))
    index = _body("pmml:termbinary", Ref("t"), Const("good"), Const(r"\s+"), Const(0.0))
    assert "TextIndex" in index and 'localTermWeights="binary"' in index and 'isCaseSensitive="false"' in index


@pytest.mark.parametrize(
    "function,args,why",
    [
        ("s.len", (Ref("t"),), "no built-in function"),
        ("pmml:replace", (Ref("t"), Const("a"), Const("$1")), "group references"),
        ("s.contains", (Ref("t"), Ref("t")), "not a constant text"),
        ("pmml:termcount", (BLANK, Const("a"), Const(" "), Const(0.0)), "reads a field"),
    ],
)
def test_what_pmml_cannot_say_is_refused_by_name(function: str, args: tuple[object, ...], why: str) -> None:
    with pytest.raises(UnsupportedModelError, match=f"{re.escape(function)} \\(TextDerive\\).*{why}"):
        _body(function, *args)


def test_array_items_are_refused_naming_the_input() -> None:
    with pytest.raises(UnsupportedModelError, match="array input \\('v', ArrayItems\\).*no type is an array"):
        WRITERS[ArrayItems](ArrayItems(("v",), ("v[0]",)))
