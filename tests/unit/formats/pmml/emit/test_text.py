"""TextDerive as PMML DerivedFields: the built-ins, regular-expression spellings, TextIndex, guards and refusals."""

from __future__ import annotations

import re
from pathlib import Path

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


NORMALIZATION = Path(__file__).parents[4] / "conformance" / "pmml_foreign" / "textindex_normalization.pmml"


def test_text_index_normalization_is_written_back_into_its_text_index() -> None:
    """PMML 4.4 §TextIndexNormalization: each TextIndex holds its InlineTable again (literal rows as literal ones,
    regular-expression rows as such), reads the text field itself, and the written document lifts to the same
    answers on texts the rules rewrite (case-folded and case-sensitive)."""
    import numpy as np
    from lxml import etree

    import interchange
    from interchange.formats.pmml.emit.document import write_graph
    from interchange.ir.graph import evaluate

    lifted = interchange.lift(NORMALIZATION.read_bytes())
    assert lifted.ok and lifted.graph is not None, lifted.report()
    written = write_graph(lifted.graph)
    root = etree.fromstring(written)
    indexes = list(root.iter("{*}TextIndex"))
    assert len(indexes) == 3 and all(i.get("textField") == "review" for i in indexes)
    rows = [[c.text for c in row] for i in indexes for row in i.iter("{*}row")]
    assert rows[:3] == [["goood", "good", "false"], ["gr[e]+at", "good", "true"], ["fine", "good", "false"]]
    assert ["r[o]+se", "red", "true"] in rows and ["Crimson", "red", "false"] in rows
    assert "pmml:normalize" not in written.decode() and "interchange.TextIndexNormalization" not in written.decode()
    again = interchange.lift(written)
    assert again.ok and again.graph is not None, again.report()
    review = np.array(["Goood fine GREAT day", "awful, poor! bad", "Crimson roose red crimson", None, "gooood"], dtype=object)
    rows_in = {"review": review, "x": np.arange(5.0)}
    want, got = evaluate(lifted.graph, rows_in), evaluate(again.graph, rows_in)
    for name in want:
        np.testing.assert_array_equal(np.asarray(want[name], dtype=float), np.asarray(got[name], dtype=float))
    assert np.asarray(want["good_count"], dtype=float)[0] == 3.0  # (goood, fine and GREAT rewritten to good)


def test_a_normalized_text_read_elsewhere_is_refused_by_name() -> None:
    from interchange.formats.pmml.emit.text import fold_normalizations

    table = Const('[["a", "b"]]')
    (norm,) = text_derive(TextDerive(("n",), "pmml:normalize", (Ref("t"), table, Const(0.0))))
    (upper,) = text_derive(TextDerive(("u",), "s.upper", (Ref("n"),)))
    with pytest.raises(UnsupportedModelError, match="pmml:normalize \\(TextDerive\\).*only inside the TextIndex"):
        fold_normalizations([norm, upper])
    (index,) = text_derive(TextDerive(("c",), "pmml:termcount", (Ref("n"), Const("b"), Const(" "), Const(1.0))))
    with pytest.raises(UnsupportedModelError, match="case sensitivity"):
        fold_normalizations([norm, index])
    with pytest.raises(UnsupportedModelError, match="normalizes a field"):
        text_derive(TextDerive(("n",), "pmml:normalize", (BLANK, table, Const(0.0))))
