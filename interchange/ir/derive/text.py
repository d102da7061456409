"""Text functions over columns: PFA's ``s.*`` library (case, slices, search, replace, translate), and
PMML's regular-expression replace / matches and TextIndex term counts.

:data:`TEXT_FUNCTIONS` holds each function once, per value, with titus2's semantics
(``titus/lib/pfastring.py``): ``substr`` slices like Python, ``substrto`` normalises its indices
like titus's ``startEnd``, ``count`` of an empty needle is 0, ``index`` / ``rindex`` give -1
when absent. The PFA fast path broadcasts the same functions over its batches
(``formats/pfa/fast/library/strings.py``); the IR applies them in a :class:`TextDerive` step.
A missing argument gives a missing result (None for text, NaN for numbers and truth values).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from interchange.batch import missing_mask
from interchange.errors import ModelError
from interchange.ir.derive.expressions import Expr, evaluate_expr, references
from interchange.ir.derive.number_format import format_number
from interchange.ir.graph import Env, Step

__all__ = ["TEXT_FUNCTIONS", "TextDerive", "normalized", "words"]

Result = Literal["string", "int", "boolean"]


def _start_end(length: int, start: int, end: int) -> tuple[int, int]:
    """titus.util.startEnd: Python-style negative indices, clamped to [0, length], end >= start."""
    s = start if start >= 0 else length + start
    s = min(max(s, 0), length)
    e = end if end >= 0 else length + end
    e = min(max(e, 0), length)
    return s, max(e, s)


def _substrto(s: str, start: int, end: int, replacement: str) -> str:
    a, b = _start_end(len(s), start, end)
    return s[:a] + replacement + s[b:]


def _count(haystack: str, needle: str) -> int:
    return 0 if len(haystack) == 0 or len(needle) == 0 else haystack.count(needle)


def _replacefirst(s: str, original: str, replacement: str) -> str:
    return s.replace(original, replacement, 1) if len(s) > 0 else s.replace(original, replacement)


def _replacelast(s: str, original: str, replacement: str) -> str:
    backward = s[::-1]
    if len(s) > 0:
        replaced = backward.replace(original[::-1], replacement[::-1], 1)
    else:
        replaced = backward.replace(original[::-1], replacement[::-1])
    return replaced[::-1]


def _translate(s: str, oldchars: str, newchars: str) -> str:
    out = []
    for c in s:
        i = oldchars.find(c)
        if i < 0:
            out.append(c)
        elif i < len(newchars):
            out.append(newchars[i])
    return "".join(out)


def words(text: str, separator: str, sensitive: bool) -> list[str]:
    """PMML 4.4 §TextIndex's words: ``text`` split at the regular expression ``separator``, each
    word without leading and trailing ASCII punctuation (JPMML-Evaluator's tokens, measured: "good,"
    is "good", "good-good" one word), empty words dropped, lower-cased unless ``sensitive``."""
    parts = (w.strip(string.punctuation) for w in re.split(separator, text))
    return [w if sensitive else w.lower() for w in parts if w]


@lru_cache(maxsize=64)
def _rules(table: str, sensitive: int) -> tuple[tuple[re.Pattern[str], str], ...]:
    flags = re.ASCII if sensitive else re.ASCII | re.IGNORECASE  # Java's default: ASCII case folding
    return tuple((re.compile(pattern, flags), stem) for pattern, stem in json.loads(table))


def normalized(text: str, table: str, sensitive: int) -> str:
    """PMML 4.4 §TextIndexNormalization: each rule of ``table`` (a JSON list of [regular expression,
    replacement], literal strings already escaped) replaces every match in the text, in order, before
    the text is split into words (JPMML-Evaluator, measured: matches inside words too, the term itself
    is not normalized, case folded unless ``sensitive``)."""
    for pattern, stem in _rules(table, sensitive):
        text = pattern.sub(stem.replace("\\", "\\\\"), text)  # the replacement taken literally
    return text


def _term_count(text: str, term: str, separator: str, sensitive: int) -> int:
    """How often the one-word ``term`` (already tokenized) occurs among ``text``'s words."""
    return words(text, separator, bool(sensitive)).count(term)


# name -> (per-value function, parameter kinds "s" text / "i" integer / "f" number, result)
TEXT_FUNCTIONS: dict[str, tuple[Callable[..., Any], str, Result]] = {
    "s.len": (len, "s", "int"),
    "s.substr": (lambda s, a, b: s[a:b], "sii", "string"),
    "s.substrto": (_substrto, "siis", "string"),
    "s.contains": (lambda h, n: n in h, "ss", "boolean"),
    "s.count": (_count, "ss", "int"),
    "s.index": (lambda h, n: h.find(n), "ss", "int"),
    "s.rindex": (lambda h, n: h.rfind(n), "ss", "int"),
    "s.startswith": (lambda h, n: h.startswith(n), "ss", "boolean"),
    "s.endswith": (lambda h, n: h.endswith(n), "ss", "boolean"),
    "s.concat": (lambda x, y: x + y, "ss", "string"),
    "s.repeat": (lambda s, n: s * n, "si", "string"),
    "s.lower": (lambda s: s.lower(), "s", "string"),
    "s.upper": (lambda s: s.upper(), "s", "string"),
    "s.lstrip": (lambda s, c: s.lstrip(c), "ss", "string"),
    "s.rstrip": (lambda s, c: s.rstrip(c), "ss", "string"),
    "s.strip": (lambda s, c: s.strip(c), "ss", "string"),
    "s.replaceall": (lambda s, o, r: s.replace(o, r), "sss", "string"),
    "s.replacefirst": (_replacefirst, "sss", "string"),
    "s.replacelast": (_replacelast, "sss", "string"),
    "s.translate": (_translate, "sss", "string"),
    # PMML 4.4 §Built-in functions over regular expressions (lifted from PMML; a name no PFA function has):
    # replace substitutes every match literally, matches finds the pattern anywhere (Java Matcher.find)
    "pmml:replace": (lambda s, p, r: re.compile(p).sub(lambda _: r, s), "sss", "string"),
    "pmml:matches": (lambda s, p: re.compile(p).search(s) is not None, "ss", "boolean"),
    # PMML 4.4 §TextIndex: a term's frequency in a text, and whether it occurs (localTermWeights binary)
    "pmml:termcount": (_term_count, "sssi", "int"),
    "pmml:termbinary": (lambda t, w, sep, sens: _term_count(t, w, sep, sens) > 0, "sssi", "boolean"),
    # PMML 4.4 §TextIndexNormalization: a text with its InlineTable's replacements applied
    "pmml:normalize": (normalized, "ssi", "string"),
    # PMML 4.4 substring(input, startPos, length): 1-based, clipped to the text (JPMML-Evaluator, measured)
    "pmml:substring": (lambda s, start, length: s[start - 1 : start - 1 + length], "sii", "string"),
    # PMML 4.4 formatNumber(input, pattern): Java's String.format (ir.derive.number_format)
    "pmml:formatNumber": (format_number, "fs", "string"),
}


def _values(col: np.ndarray, kind: str) -> list[Any]:
    """Per-row Python values of an argument column: str / int / float, None where missing."""
    gone = missing_mask(col)
    if kind == "f":
        return [None if g else float(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]
    if kind == "i":
        return [None if g else int(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]
    return [None if g else v if isinstance(v, str) else str(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]


@dataclass(frozen=True)
class TextDerive(Step):
    """``outputs[0] = function(*arguments)``: one text function of :data:`TEXT_FUNCTIONS` over
    expression arguments. Text results are object columns (None missing); integers and truth
    values (1.0 / 0.0) float64 (NaN missing)."""

    outputs: tuple[str, ...]
    function: str
    arguments: tuple[Expr, ...]

    def __post_init__(self) -> None:
        if self.function not in TEXT_FUNCTIONS:
            raise ModelError(f"unknown IR text function {self.function!r}")
        if len(self.arguments) != len(TEXT_FUNCTIONS[self.function][1]):
            raise ModelError(f"{self.function} takes {len(TEXT_FUNCTIONS[self.function][1])} arguments")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(set().union(*(references(a) for a in self.arguments))))

    @property
    def result(self) -> Result:
        return TEXT_FUNCTIONS[self.function][2]

    def apply(self, env: Env) -> None:
        f, kinds, result = TEXT_FUNCTIONS[self.function]
        n = getattr(env, "n", None)
        if n is None:
            n = len(next(iter(env.values()))) if env else 0
        columns = [_values(evaluate_expr(a, env, n), k) for a, k in zip(self.arguments, kinds, strict=True)]
        values = [None if any(v is None for v in row) else f(*row) for row in zip(*columns, strict=True)]
        if result == "string":
            out = np.empty(n, dtype=object)
            out[:] = values
        else:
            out = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        env[self.outputs[0]] = out
