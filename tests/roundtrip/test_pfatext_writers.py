"""The IR's text functions (TextDerive) written as PFA, replayed by titus2 and the PFA fast path against the IR.

The golden tx_strings, the foreign TextIndex regression and the PFA strings document convert to PFA,
the conversion's own verification passing (rtol 1e-9 / atol 1e-12, texts equal). Graphs with every
text function swapped in (tests/roundtrip/test_wtext_writers.py's) are written to PFA and run by
titus2 and by the fast path on texts made to trip them: blanks and line breaks, regular-expression
metacharacters, Unicode case mappings (ß, the Turkish dotted and dotless i, a combining accent,
ligatures), non-ASCII spaces, missing values. What titus2 cannot compute as the IR does is
refused by name.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.crossformat import convert_document
from interchange.document import Document
from interchange.formats.pfa.emit.document import write_graph
from interchange.ir.derive.expressions import Const, Expr, Ref
from interchange.ir.graph import Graph, evaluate
from interchange.model import get_format
from tests.roundtrip.test_wtext_writers import (
    STRINGS_PFA,
    SWAPS,
    TEXTINDEX,
    TEXTS,
    TX_STRINGS,
    _blank,
    _cases,
    _lifted,
    any_text,
    same_outputs,
    swapped,
    text_rows,
)

UNICODE = ["straße", "İstanbul ı", "cafe\u0301", "ﬁne ǅ", "a\u00a0b\u2003c  d", "ΣΑΣ ς", "x\U0001f600y", "e.e\n"]
ROWS = TEXTS + UNICODE


def _engines(graph: Graph, rows: dict[str, np.ndarray], fast: bool = True) -> None:
    """titus2 and the fast path (which must cover the document when ``fast``) agree with the IR on ``rows``."""
    data = write_graph(graph)
    want = evaluate(graph, rows)
    doc = Document("pfa", data, get_format("pfa").media_type)
    same_outputs(graph, want, interchange.load(doc, engine="reference").predict(rows), "titus2", ROWS)
    model = interchange.load(doc)
    if fast:
        assert model.info.engine == "interchange-fast", model.info.reason
    same_outputs(graph, want, model.predict(rows), "fast path", ROWS)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", [TX_STRINGS, TEXTINDEX, STRINGS_PFA], ids=lambda p: p.stem)
def test_text_documents_convert_to_pfa_and_verify(path: Path) -> None:
    converted = convert_document(interchange.load(path.read_bytes()), "pfa")
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", [TX_STRINGS, TEXTINDEX, STRINGS_PFA], ids=lambda p: p.stem)
def test_written_text_documents_agree_on_odd_texts(path: Path) -> None:
    """The lifted graph (any text, not only the listed ones) written to PFA, on texts with punctuation, blanks,
    non-ASCII letters and spaces, an astral character and missing values. TextIndex's re.split is titus2's."""
    lifted = _lifted(path)
    assert lifted.graph is not None
    graph = any_text(lifted.graph)
    rows = _cases(lifted)
    for col in rows.values():
        if col.dtype == object:
            col[: len(UNICODE)] = UNICODE
    _engines(graph, rows, fast=path != TEXTINDEX)


# every s.* function, PMML's regular expressions in the subset titus2 shares, and the lift's blanks
MORE: dict[str, list[tuple[str, tuple[Expr, ...]]]] = {
    "slices": [
        ("s.substr", (Ref("s"), Const(1), Const(-1))),
        ("s.substrto", (Ref("s"), Const(-3), Const(2), Const("<>"))),
        ("s.repeat", (Ref("s"), Const(2))),
        ("s.replacefirst", (Ref("s"), Const("a"), Const("ß"))),
        ("s.translate", (Ref("s"), Const("aeı"), Const("AE"))),
        ("s.endswith", (Ref("s"), Const("\n"))),
        ("s.concat", (Ref("s"), Const("ǅ"))),
    ],
    "edits": [
        ("s.replacelast", (Ref("s"), Const("a"), Const("-"))),
        ("s.lstrip", (_blank(Ref("s")), Const(" \t("))),
        ("s.rstrip", (Ref("s"), Const(""))),
        ("s.substr", (_blank(Ref("s")), Const(-2), Const(10))),
        ("s.substrto", (Ref("s"), Const(4), Const(1), Const(""))),
        ("s.startswith", (_blank(Ref("s")), Const("x"))),
        ("s.concat", (Ref("s"), Ref("s"))),
    ],
    # integer arguments read from a number column (truncated towards zero as the IR's int)
    "ints": [
        ("s.substr", (Ref("s"), Ref("a"), Const(5))),
        ("s.repeat", (Ref("s"), Ref("a"))),
        ("s.substrto", (Ref("s"), Ref("a"), Const(-1), Const("|"))),
        ("s.substr", (Ref("s"), Const(0), Ref("a"))),
        ("s.lower", (Ref("s"),)),
        ("s.contains", (Ref("s"), Const(" "))),
        ("s.concat", (Ref("s"), Const("."))),
    ],
    "regex": [
        ("pmml:replace", (Ref("s"), Const("[a-z]+"), Const("Q"))),
        ("pmml:replace", (Ref("s"), Const(r"\s+"), Const("_"))),
        ("pmml:replace", (_blank(Ref("s")), Const(r"\.b"), Const("$"))),
        ("pmml:replace", (Ref("s"), Const("é"), Const("e"))),
        ("pmml:replace", (Ref("s"), Const("x{1,2}"), Const("#"))),
        ("pmml:matches", (Ref("s"), Const("^y+$"))),
        ("s.concat", (Ref("s"), Const("|"))),
    ],
    "matches": [
        ("s.upper", (Ref("s"),)),
        ("s.lower", (Ref("s"),)),
        ("s.strip", (Ref("s"), Const(" \n"))),
        ("s.rstrip", (Ref("s"), Const("d "))),
        ("pmml:replace", (Ref("s"), Const("[(.*]"), Const(""))),
        ("pmml:matches", (_blank(Ref("s")), Const("b*"))),
        ("s.concat", (Ref("s"), Const("!"))),
    ],
}


# functions giving a number, each in tx_strings' truth-valued step (its result held as the IR holds it)
NUMBERS: list[tuple[str, tuple[Expr, ...]]] = [
    ("s.len", (Ref("s"),)),
    ("s.index", (Ref("s"), Const("e"))),
    ("s.rindex", (Ref("s"), Const("b"))),
    ("s.count", (Ref("s"), Const("a"))),
    ("s.count", (Ref("s"), Const(""))),
    ("s.contains", (_blank(Ref("s")), Const("ß"))),
    ("pmml:termcount", (Ref("s"), Const("b"), Const("[ ,.]+"), Const(1))),
    ("pmml:termcount", (Ref("s"), Const("A"), Const("[ ,.]+"), Const(0))),
    ("pmml:termcount", (Ref("s"), Const("red"), Const(r"\s+"), Const(0))),
    ("pmml:termbinary", (Ref("s"), Const("good"), Const(r"\s"), Const(1))),
]
# PMML's 1-based substring of constant start and length, in tx_strings' text steps
SUBSTRINGS = [(Const(2), Const(3)), (Const(0), Const(2)), (Const(-1), Const(4)), (Const(5), Const(-1)), (Const(1), Const(2**40))]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["strip", "starts", "empty", "onnx", *MORE])
def test_text_functions_written_to_pfa_agree_with_titus2_and_the_fast_path(name: str) -> None:
    graph = swapped(MORE[name] if name in MORE else name)
    _engines(graph, text_rows(ROWS))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("function,args", NUMBERS, ids=[f"{f}-{a[-1]!r}" for f, a in NUMBERS])
def test_text_functions_giving_numbers_agree(function: str, args: tuple[Expr, ...]) -> None:
    import dataclasses

    swaps = list(MORE["regex"])
    swaps[5] = (function, args)
    graph = swapped(swaps)
    outputs = tuple(dataclasses.replace(f, type="double") if f.name == "match" else f for f in graph.signature.outputs)
    graph = Graph(dataclasses.replace(graph.signature, outputs=outputs), graph.steps, graph.model)
    _engines(graph, text_rows(ROWS), fast=not function.startswith("pmml:term"))  # (re.split's arrays: titus2 alone)


def test_unicode_case_mappings_are_the_irs() -> None:
    """titus2's s.upper / s.lower are Python's full case mappings, as the IR's: ß -> SS, İ -> i̇, ǅ -> ǆ."""
    graph = swapped(MORE["matches"])
    rows = text_rows(ROWS)
    got = interchange.load(Document("pfa", write_graph(graph), get_format("pfa").media_type), engine="reference").predict(rows)
    assert "STRASSE" in got["up"].tolist() and "i\u0307stanbul ı" in got["low"].tolist()


@pytest.mark.filterwarnings("ignore")
def test_pmml_substring_agrees() -> None:
    swaps = [("pmml:substring", (Ref("s"), start, length)) for start, length in SUBSTRINGS]
    swaps += [MORE["regex"][5], ("pmml:substring", (Ref("s"), Const(3), Const(1)))]
    _engines(swapped(swaps), text_rows(ROWS))


REFUSED = [
    ("pmml:replace", (Ref("s"), Const("a|b+"), Const("-")), "groups and '|'"),
    ("pmml:replace", (Ref("s"), Const("a.b"), Const("-")), "'.' matches one byte in titus2"),
    ("pmml:matches", (Ref("s"), Const(r"\d")), "Unicode digits"),
    ("pmml:matches", (Ref("s"), Const("[^a]")), "a negated class"),
    ("pmml:replace", (Ref("s"), Const("a+?"), Const("-")), "lazy"),
    ("pmml:replace", (Ref("s"), Const("^a"), Const("-")), "an anchor"),
    ("pmml:replace", (Ref("s"), Const("a*"), Const("-")), "matches the empty text"),
    ("pmml:replace", (Ref("s"), Const("a*ab"), Const("-")), "shares characters with what follows"),
    ("pmml:replace", (Ref("s"), Ref("s"), Const("-")), "its pattern is not a constant text"),
    ("s.substr", (Ref("s"), Ref("s"), Const(1)), "is neither a constant nor a number column"),
    ("pmml:substring", (Ref("s"), Ref("a"), Const(1)), "its start and length are not constants"),
    ("pmml:formatNumber", (Ref("a"), Const("%.2f")), "Java's String.format has no PFA form"),
    ("pmml:normalize", (Ref("s"), Const("t"), Const(0)), "TextIndexNormalization"),
]


@pytest.mark.parametrize("function,args,why", REFUSED, ids=[f"{c[0]}-{c[1][1]!r}" for c in REFUSED])
def test_what_titus2_computes_otherwise_is_refused_by_name(function: str, args: tuple[Expr, ...], why: str) -> None:
    swaps = list(MORE["regex"])
    swaps[0] = (function, args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = swapped(swaps)
    with pytest.raises(interchange.UnsupportedModelError, match=f"the text function {function} \\(TextDerive\\)") as info:
        write_graph(graph)
    assert why in str(info.value)


def test_swaps_cover_every_text_function() -> None:
    from interchange.ir.derive.text import TEXT_FUNCTIONS

    used = {f for swaps in [*SWAPS.values(), *MORE.values(), NUMBERS, REFUSED] for f, *_ in swaps}
    used |= {"pmml:termcount", "pmml:termbinary", "pmml:substring", "pmml:stringLength"}  # (stringLength: test_pmml44_writers)
    assert set(TEXT_FUNCTIONS) <= used
