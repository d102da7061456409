"""The IR's text kernels: PFA's ``s.*`` library, PMML's regular-expression replace / matches,
substring, formatNumber, §TextIndex term counts and §TextIndexNormalization, per value and over columns
(the operations of interchange.ir.derive.text).

:data:`TEXT_FUNCTIONS` holds each function once, per value, with titus2's semantics
(``titus/lib/pfastring.py``): ``substr`` slices like Python, ``substrto`` normalises its indices
like titus's ``startEnd``, ``count`` of an empty needle is 0, ``index`` / ``rindex`` give -1
when absent. :func:`words` is PMML §TextIndex's tokenizer, shared by the IR and the PMML fast
path. :func:`text_column` applies one function over argument columns (a missing argument gives a
missing result: None for text, NaN for numbers and truth values). Plain: generated Python copies
this module's source (interchange.codegen.python.kernels).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from interchange.batch import missing_mask

__all__ = ["TEXT_FUNCTIONS", "words", "text_column", "normalized", "format_number", "format_pattern"]


def start_end(length: int, start: int, end: int) -> tuple[int, int]:
    """titus.util.startEnd: Python-style negative indices, clamped to [0, length], end >= start."""
    s = start if start >= 0 else length + start
    s = min(max(s, 0), length)
    e = end if end >= 0 else length + end
    e = min(max(e, 0), length)
    return s, max(e, s)


def substrto(s: str, start: int, end: int, replacement: str) -> str:
    a, b = start_end(len(s), start, end)
    return s[:a] + replacement + s[b:]


def count_of(haystack: str, needle: str) -> int:
    return 0 if len(haystack) == 0 or len(needle) == 0 else haystack.count(needle)


def replace_first(s: str, original: str, replacement: str) -> str:
    return s.replace(original, replacement, 1) if len(s) > 0 else s.replace(original, replacement)


def replace_last(s: str, original: str, replacement: str) -> str:
    backward = s[::-1]
    if len(s) > 0:
        replaced = backward.replace(original[::-1], replacement[::-1], 1)
    else:
        replaced = backward.replace(original[::-1], replacement[::-1])
    return replaced[::-1]


def translate(s: str, oldchars: str, newchars: str) -> str:
    out: list[str] = []
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


def term_count(text: str, term: str, separator: str, sensitive: float) -> int:
    """How often the one-word ``term`` (already tokenized) occurs among ``text``'s words."""
    return words(text, separator, bool(sensitive)).count(term)


@lru_cache(maxsize=64)
def _normalization_rules(table: str, sensitive: float) -> tuple[tuple[re.Pattern[str], str], ...]:
    flags = re.ASCII if sensitive else re.ASCII | re.IGNORECASE  # Java's default: ASCII case folding
    return tuple((re.compile(pattern, flags), stem) for pattern, stem in json.loads(table))


def normalized(text: str, table: str, sensitive: float) -> str:
    """PMML 4.4 §TextIndexNormalization: each rule of ``table`` (a JSON list of [regular expression,
    replacement], literal strings already escaped) replaces every match in the text, in order, before
    the text is split into words (JPMML-Evaluator, measured: matches inside words too, the term itself
    is not normalized, case folded unless ``sensitive``)."""
    for pattern, stem in _normalization_rules(table, sensitive):
        text = pattern.sub(stem.replace("\\", "\\\\"), text)  # the replacement taken literally
    return text


# PMML 4.4 formatNumber: a number written by a Java String.format pattern, as JPMML-Evaluator does.
# One conversion %[flags][width][.precision] of f or e (flags -, +, space, 0) with literal text around
# it; anything else (%d, %s, grouping, several conversions) is not covered (format_pattern refuses it).
# Java's Formatter rounds half up on the shortest decimal form of the double (Double.toString's
# digits), not on its binary value: 2.675 with %.2f is "2.68" (Python's % gives "2.67"). Measured
# against JPMML-Evaluator 1.x on 19,150 values x patterns, equal everywhere (-0.0 prints as 0, as
# JPMML reads it). pypmml 1.5.8 fails on every f / e pattern (it hands Java its own value object).
_FORMAT_SPEC = re.compile(r"%([-+ 0]*)([1-9]\d*)?(?:\.(\d+))?([fe])")


def format_pattern(pattern: str) -> bool:
    """Whether ``pattern`` holds exactly one f / e conversion this module writes, and no other ``%``."""
    found = list(_FORMAT_SPEC.finditer(pattern))
    if len(found) != 1:
        return False
    rest = pattern[: found[0].start()] + pattern[found[0].end() :]
    return "%" not in rest and not ("-" in found[0].group(1) and "0" in found[0].group(1))


def _format_digits(d: Decimal, conversion: str, precision: int) -> str:
    step = Decimal(1).scaleb(-precision)
    if conversion == "f":
        return f"{d.quantize(step, ROUND_HALF_UP):f}"
    e = 0 if d == 0 else d.adjusted()
    m = d.scaleb(-e).quantize(step, ROUND_HALF_UP)
    if m >= 10:  # 9.99... rounded up to the next power of ten
        e += 1
        m = d.scaleb(-e).quantize(step, ROUND_HALF_UP)
    return f"{m:f}e{'-' if e < 0 else '+'}{abs(e):02d}"


def format_number(x: float, pattern: str) -> str:
    """``String.format(pattern, x)`` for a pattern :func:`format_pattern` accepts."""
    spec = _FORMAT_SPEC.search(pattern)
    if spec is None:
        raise ValueError(f"formatNumber pattern {pattern!r} is not covered")
    flags, width, precision, conversion = spec.group(1), spec.group(2), spec.group(3), spec.group(4)
    if x != x:
        body = "NaN"
    elif x in (float("inf"), float("-inf")):
        body = "Infinity" if x > 0 else "-Infinity"
    else:
        d = Decimal(repr(float(x)))
        sign = "-" if d.is_signed() and d != 0 else "+" if "+" in flags else " " if " " in flags else ""
        digits = _format_digits(abs(d), conversion, 6 if precision is None else int(precision))
        body = sign + digits
        if width and "0" in flags and len(body) < int(width):
            body = sign + "0" * (int(width) - len(body)) + digits
    if width and len(body) < int(width):
        body = body.ljust(int(width)) if "-" in flags else body.rjust(int(width))
    return pattern[: spec.start()] + body + pattern[spec.end() :]


# name -> (per-value function, parameter kinds "s" text / "i" integer / "f" number, result "string" / "int" / "boolean")
TEXT_FUNCTIONS: dict[str, tuple[Callable[..., Any], str, str]] = {
    "s.len": (len, "s", "int"),
    "s.substr": (lambda s, a, b: s[a:b], "sii", "string"),
    "s.substrto": (substrto, "siis", "string"),
    "s.contains": (lambda h, n: n in h, "ss", "boolean"),
    "s.count": (count_of, "ss", "int"),
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
    "s.replacefirst": (replace_first, "sss", "string"),
    "s.replacelast": (replace_last, "sss", "string"),
    "s.translate": (translate, "sss", "string"),
    # PMML 4.4 §Built-in functions over regular expressions (lifted from PMML; a name no PFA function has):
    # replace substitutes every match literally, matches finds the pattern anywhere (Java Matcher.find)
    "pmml:replace": (lambda s, p, r: re.compile(p).sub(lambda _: r, s), "sss", "string"),
    "pmml:matches": (lambda s, p: re.compile(p).search(s) is not None, "ss", "boolean"),
    # PMML 4.4 §TextIndex: a term's frequency in a text, and whether it occurs (localTermWeights binary)
    "pmml:termcount": (term_count, "sssi", "int"),
    "pmml:termbinary": (lambda t, w, sep, sens: term_count(t, w, sep, sens) > 0, "sssi", "boolean"),
    # PMML 4.4 §TextIndexNormalization: a text with its InlineTable's replacements applied
    "pmml:normalize": (normalized, "ssi", "string"),
    # PMML 4.4 substring(input, startPos, length): 1-based, clipped to the text (JPMML-Evaluator, measured)
    "pmml:substring": (lambda s, start, length: s[start - 1 : start - 1 + length], "sii", "string"),
    # PMML 4.4 stringLength(input): Java String.length, in UTF-16 code units (JPMML-Evaluator, pypmml: a
    # character outside the Basic Multilingual Plane counts 2; s.len counts code points, as titus2)
    "pmml:stringLength": (lambda s: len(s.encode("utf-16-le", "surrogatepass")) // 2, "s", "int"),
    # PMML 4.4 formatNumber(input, pattern): Java's String.format (format_number)
    "pmml:formatNumber": (format_number, "fs", "string"),
}


def text_values(col: np.ndarray, kind: str) -> list[Any]:
    """Per-row Python values of an argument column: str / int / float, None where missing."""
    gone = missing_mask(col)
    if kind == "f":
        return [None if g else float(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]
    if kind == "i":
        return [None if g else int(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]
    return [None if g else v if isinstance(v, str) else str(v) for v, g in zip(col.tolist(), gone.tolist(), strict=True)]


def text_column(function: str, columns: list[np.ndarray], n: int) -> np.ndarray:
    """``function`` of :data:`TEXT_FUNCTIONS` over argument columns: an object column of text (None
    missing), or float64 integers / truth values 1.0 / 0.0 (NaN missing)."""
    f, kinds, result = TEXT_FUNCTIONS[function]
    values = [text_values(np.asarray(c), k) for c, k in zip(columns, kinds, strict=True)]
    found = [None if any(v is None for v in row) else f(*row) for row in zip(*values, strict=True)]
    if result == "string":
        out = np.empty(n, dtype=object)
        out[:] = found
        return out
    return np.array([np.nan if v is None else float(v) for v in found], dtype=np.float64)
