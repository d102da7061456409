"""PMML 4.4 §TextIndex on the fast path: how often a term occurs in a text field.

Covered: TextIndexNormalization InlineTables (:func:`normalization`), maxLevenshteinDistance 0, a one-word Constant term, local
term weights termFrequency / binary / logarithmic (log10(1 + frequency)). Texts are split with
wordSeparatorCharacterRE (default ``\\s``) and each word loses leading and trailing punctuation
(ir.text.words, which the lift's TextDerive steps share), as JPMML-Evaluator tokenizes
(measured: "good," and "good." are "good", "good-good" is one word); a missing text gives a
missing value. pypmml 1.5.8 computes logarithmic with the natural logarithm: the specification
(and JPMML-Evaluator) is followed. A batch holding a non-ASCII text is deferred (which characters
count as punctuation there is not measured; the lifted IR strips ASCII punctuation only).
"""

from __future__ import annotations

import json
import re

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local, row_cells
from interchange.formats.pmml.read.scope import Fn, Scope, missing
from interchange.ir.kernels.text import normalized, words

__all__ = ["text_index", "number_text_arguments", "normalization"]

_WEIGHTS = {
    "termFrequency": lambda n: n,
    "binary": lambda n: (n > 0).astype(np.float64),
    "logarithmic": lambda n: np.log10(1.0 + n),
}


def text_index(el: etree._Element) -> Fn:
    from interchange.formats.pmml.read.compile import elements, regex

    field, weights = el.get("textField"), el.get("localTermWeights", "termFrequency")
    if weights not in _WEIGHTS:
        raise NotCovered(f"TextIndex localTermWeights={weights}")
    table = normalization(el)
    if el.get("maxLevenshteinDistance", "0") != "0" or el.get("tokenize", "true") != "true":
        raise NotCovered("TextIndex maxLevenshteinDistance / tokenize")
    body = [e for e in elements(el) if local(e) != "TextIndexNormalization"]
    if len(body) != 1 or local(body[0]) != "Constant":
        raise NotCovered("TextIndex term other than a Constant")
    sensitive = el.get("isCaseSensitive", "false") == "true"
    separator = regex(el.get("wordSeparatorCharacterRE", r"\s"))
    term = words(body[0].text or "", separator.pattern, sensitive)
    if len(term) != 1:
        raise NotCovered("TextIndex term of other than one word")
    word, weigh = term[0], _WEIGHTS[weights]

    def index(s: Scope) -> np.ndarray:
        col = s[field]
        gone = missing(col)
        counts = np.zeros(s.n)
        for i, text in enumerate(col.tolist()):
            if gone[i]:
                continue
            text = str(text)
            if not text.isascii():
                raise Defer("a non-ASCII text in a TextIndex")
            if table is not None:
                text = normalized(text, table, int(sensitive))
            counts[i] = words(text, separator.pattern, sensitive).count(word)
        return np.where(gone, np.nan, weigh(counts))

    return index


def number_text_arguments(name: str, kids: list[etree._Element]) -> str:
    """The argument kinds of PMML 4.4 substring ("sii") or formatNumber ("fs") over the Apply's
    children: the positions of substring and the pattern of formatNumber must be Constants (a start
    of 1 or more, a length of 0 or more; one f / e conversion: ir.kernels.text)."""
    from interchange.ir.kernels.text import format_pattern

    kinds = "sii" if name == "substring" else "fs"
    rest = kids[1:]
    if len(kids) != len(kinds) or any(local(k) != "Constant" for k in rest):
        raise NotCovered(f"{name} whose {'positions are' if name == 'substring' else 'pattern is'} not Constants")
    if name == "substring":
        try:
            start, length = (float(k.text or "") for k in rest)
        except ValueError:
            raise NotCovered("substring with positions that are no numbers") from None
        if start != int(start) or length != int(length) or start < 1 or length < 0:
            raise NotCovered(f"substring from {start} for {length} (PMML 4.4: a start of 1 or more, a length of 0 or more)")
    elif not format_pattern(rest[0].text or ""):
        raise NotCovered(f"formatNumber pattern {rest[0].text!r} (one %f / %e conversion is covered)")
    return kinds


def normalization(el: etree._Element) -> str | None:
    """PMML 4.4 §TextIndexNormalization of a TextIndex as one table for ir.derive.text.normalized: a
    JSON list of [regular expression, replacement] over every element's InlineTable rows in order
    (a row whose regexField cell is not "true" replaces its text literally), or None without one.
    Covered: InlineTable rows, recursive="false", no isCaseSensitive / maxLevenshteinDistance of its
    own (the TextIndex's case sensitivity applies), a replacement without $ or \\ (Java's group syntax)
    and a regular expression that means the same in Python."""
    from interchange.formats.pmml.read.compile import regex

    found = children(el, "TextIndexNormalization")
    if not found:
        return None
    rules: list[list[str]] = []
    for norm in found:
        own = any(norm.get(a) is not None for a in ("isCaseSensitive", "maxLevenshteinDistance"))
        if norm.get("recursive", "false") != "false" or own:
            raise NotCovered("TextIndexNormalization recursive / isCaseSensitive / maxLevenshteinDistance")
        table = child(norm, "InlineTable")
        if table is None:
            raise NotCovered("TextIndexNormalization without an InlineTable")
        names = (norm.get("inField", "string"), norm.get("outField", "stem"), norm.get("regexField", "regex"))
        for row in children(table, "row"):
            cells = row_cells(row)
            if names[0] not in cells or names[1] not in cells:
                raise NotCovered(f"a TextIndexNormalization row without {names[0]} / {names[1]}")
            pattern, stem = cells[names[0]], cells[names[1]]
            if "$" in stem or "\\" in stem:
                raise NotCovered("a TextIndexNormalization replacement with group references")
            if cells.get(names[2], "false").strip() == "true":
                regex(pattern)
            else:
                pattern = re.escape(pattern)
            rules.append([pattern, stem])
    return json.dumps(rules)
