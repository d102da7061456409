"""PMML's (Python's) regular expressions as titus2's POSIX ones (formats/pfa/emit/regex.py), and the PFA fast
path's re.contains / re.replaceall (titus2's own functions per value), each held to titus2."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.document import Document
from interchange.formats.pfa.emit.regex import PatternRefused, posix_contains, posix_matches
from interchange.formats.pfa.titus import engine_class
from interchange.model import get_format

TEXTS = [
    "",
    "a",
    "ab",
    "aab b",
    "xx yy\n",
    "yy\n",
    "y\ny",
    "Q.b$",
    "é e\u0301",
    "a\u00a0b\u2003c\x1cd",
    "[a-z]",
    "x\U0001f600x",
    "AxB",
]
CONTAINS = ["^y+$", "y+", "[a-z]", "[.$]", r"\.b", r"\s", "é", "^a", "b$", "x{2}", "[A-Z]?x", r"\$", "[]a-]"]
MATCHES = ["a|b", "é|x|[0-9]", r"\.|\s", "[a-z]+", r"\s+", r"\.b", "é", "x{1,2}", "[(.*]", "ab?", "[0-9]", "b", r"a\s"]


def _titus(name: str) -> Any:
    engine_class()  # (titus2's shims under NumPy 2)
    from titus.lib.regex import provides

    f = provides[name]
    return lambda *args: f(None, None, None, ["string"] * len(args), *args)


@pytest.mark.parametrize("pattern", CONTAINS)
def test_contains_finds_what_python_finds(pattern: str) -> None:
    contains = _titus("re.contains")
    posix = posix_contains(pattern)
    for text in TEXTS[1:]:  # (titus2 searches no empty text: the writer answers it at writing time)
        assert contains(text, posix) == (re.search(pattern, text) is not None), (pattern, posix, text)


@pytest.mark.parametrize("pattern", MATCHES)
def test_replace_and_split_find_pythons_matches(pattern: str) -> None:
    replace, split = _titus("re.replaceall"), _titus("re.split")
    posix = posix_matches(pattern)
    for text in TEXTS:
        assert replace(text, posix, "<$1>") == re.sub(pattern, lambda _: "<$1>", text), (pattern, text)
        assert [w for w in split(text, posix) if w] == [w for w in re.split(pattern, text) if w], (pattern, text)


REFUSED = [
    (".", "'.' matches one byte"),
    ("a|bc", "groups and '|'"),
    ("(ab)", "groups and '|'"),
    (r"\d", "Unicode digits"),
    (r"\w+", "Unicode digits"),
    ("[^a]", "a negated class"),
    ("a*?", "lazy"),
    ("[é]", "only printable ASCII"),
    (r"[\d]", "only printable ASCII"),
    ("(?=a)", "groups and '|'"),
    ("[", "not a regular expression"),
    (r"[\]a]", "escaped inside a class"),
    ("^$", "it matches no character"),
    ("", "it matches no character"),
]


@pytest.mark.parametrize("pattern,why", REFUSED)
def test_what_differs_is_refused_by_name(pattern: str, why: str) -> None:
    with pytest.raises(PatternRefused, match=re.escape(why)):
        posix_contains(pattern)


@pytest.mark.parametrize(
    "pattern,why",
    [
        ("^a", "an anchor"),
        ("a$", "an anchor"),
        ("a?", "matches the empty text"),
        ("a*ab", "shares characters"),
        (r"\s*x\s", "shares"),
    ],
)
def test_replaced_matches_need_one_extent(pattern: str, why: str) -> None:
    posix_contains(pattern)  # (fine where only whether a match exists is read)
    with pytest.raises(PatternRefused, match=re.escape(why)):
        posix_matches(pattern)


def _document(action: Any) -> Document:
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "s", "type": "string"}]},
        "output": action[0],
        "action": action[1],
    }
    return Document("pfa", json.dumps(doc).encode(), get_format("pfa").media_type)


# titus2's own answers, Python's re differing on some ("a|ab" leftmost-longest, "^x" again after a match, "." a byte)
FAST = [
    ("re.contains", "boolean", ["a|ab"]),
    ("re.contains", "boolean", [".."]),
    ("re.replaceall", "string", ["a|ab", "-"]),
    ("re.replaceall", "string", ["^x", "-"]),
    ("re.replaceall", "string", [".", "-"]),
    ("re.replaceall", "string", ["[[:space:]]+", "_"]),
]


@pytest.mark.parametrize("name,out,args", FAST, ids=[f"{n}-{a[0]}" for n, _, a in FAST])
def test_fast_path_regular_expressions_are_titus2s(name: str, out: str, args: list[str]) -> None:
    doc = _document((out, {name: ["input.s", *({"string": a} for a in args)]}))
    rows = {"s": np.array(["xxab", "abab x", "é", "", "a\u00a0b  c", "xax"], dtype=object)}
    fast, titus = interchange.load(doc), interchange.load(doc, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    assert np.asarray(fast.predict(rows)["output"]).tolist() == np.asarray(titus.predict(rows)["output"]).tolist()


def test_fast_path_leaves_an_empty_match_to_titus2() -> None:
    doc = _document(("string", {"re.replaceall": ["input.s", {"string": "a*"}, {"string": "-"}]}))
    model = interchange.load(doc)
    assert model.info.engine == "titus2" and "may match the empty text" in model.info.reason
