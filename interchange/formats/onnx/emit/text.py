"""The IR's text functions (TextDerive) in double ONNX: what ai.onnx (opset 21) computes exactly.

Written: ``s.concat`` (StringConcat, opset 20) and ``s.contains`` / ``s.startswith`` /
``s.endswith`` of a Constant (RegexFullMatch, opset 20, over ``(?s).*needle.*``, ``(?s)needle.*``,
``(?s).*needle``, each character of the needle escaped so that RE2 reads it as itself). A missing
text is "" in these graphs (what the runtime feeds for it, emit/expressions.py): where an argument
may be missing (a field, not a constant or the PMML lift's blank ``if(isMissing(x), "", x)``), the
result is missing where it is "" (the empty text, NaN for a truth value), as the IR's is where the
argument is missing.

Refused, each with why: case changes (StringNormalizer maps one character at a time in a locale,
where Python's str.upper maps "ß" to "SS"), strips, lengths, slices and positions, counts, repeat,
replace and translate (no ai.onnx operator edits or measures a text), PMML's regular expressions
(RegexFullMatch is RE2's dialect, not Java's; no operator replaces), and TextIndex term counts
(StringSplit splits at a literal delimiter, not a regular expression, and nothing strips
punctuation from words).
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.expressions import _rows, emit_expr
from interchange.formats.onnx.emit.registry import emitter
from interchange.formats.onnx.emit.validity import never_missing as present
from interchange.ir.derive.expressions import Const, Expr
from interchange.ir.derive.text import TextDerive, never_missing

__all__ = ["re2_literal"]

_WHY = {
    "s.upper": "StringNormalizer changes case one character at a time in a locale, where the IR (Python's str.upper) "
    "maps 'ß' to 'SS'",
    "s.lower": "StringNormalizer changes case one character at a time in a locale, where the IR (Python's str.lower) "
    "maps 'İ' to 'i̇'",
    "pmml:replace": "ai.onnx has no operator replacing matches of a regular expression",
    "pmml:matches": "RegexFullMatch reads RE2's dialect, not Java's (the PMML pattern's '$', classes and "
    "lookarounds mean other things there)",
    "pmml:termcount": "StringSplit splits at a literal delimiter, not TextIndex's regular expression, and no "
    "operator strips punctuation from words",
}
_WHY["pmml:termbinary"] = _WHY["pmml:termcount"]
_WHY["pmml:stringLength"] = "ai.onnx has no operator measuring a text's length (in UTF-16 code units or otherwise)"
_PATTERNS = {"s.contains": "(?s).*{}.*", "s.startswith": "(?s){}.*", "s.endswith": "(?s).*{}"}


def re2_literal(text: str) -> str:
    """An RE2 pattern matching ``text`` itself: ASCII punctuation behind a backslash, blanks and control
    characters as ``\\x{...}``, letters, digits and other characters as they are."""
    out = []
    for c in text:
        if c.isascii() and c.isalnum():
            out.append(c)
        elif c.isascii() and c.isprintable() and c != " ":
            out.append("\\" + c)
        elif c.isspace() or not c.isprintable():
            out.append(f"\\x{{{ord(c):x}}}")
        else:
            out.append(c)
    return "".join(out)


def _given(e: Expr, b: Builder) -> bool:
    """``e`` has a value in every row (the IR's rule, or a column the writer knows is never missing)."""
    return never_missing(e) or present(e, b.present)


def _blank_where_missing(b: Builder, step: TextDerive, x: str, elem: int, args: list[tuple[str, int]]) -> str:
    """``x`` missing ("" or NaN) where a text argument (of ``args``, the first of the step's) that may be missing is ""."""
    maybe = [t for t, a in zip(args, step.arguments, strict=False) if t[1] == STRING and not _given(a, b)]
    if not maybe:
        return x
    empty = b.const(np.array([[""]], dtype=object), object, "empty")
    gone = b.op("Equal", [maybe[0][0], empty])
    for t, _ in maybe[1:]:
        gone = b.op("Or", [gone, b.op("Equal", [t, empty])])
    blank = empty if elem == STRING else b.const(np.array([[np.nan]]))
    return b.op("Where", [gone, blank, x], "text")


def _text_args(b: Builder, step: TextDerive, args: tuple[Expr, ...]) -> list[tuple[str, int]]:
    found = [emit_expr(b, a) for a in args]
    if any(elem != STRING for _, elem in found):
        raise refuse(f"the text function {step.function} (TextDerive) of a number (Python's str of it)")
    return found


@emitter(TextDerive)
def text_derive(step: TextDerive, b: Builder) -> None:
    if step.function == "s.concat":
        args = _text_args(b, step, step.arguments)
        x, elem = b.op("StringConcat", [args[0][0], args[1][0]], "concat"), STRING
    elif step.function in _PATTERNS:
        needle = step.arguments[1]
        if not isinstance(needle, Const) or not isinstance(needle.value, str):
            what = f"the text function {step.function} (TextDerive) of a computed needle"
            raise refuse(f"{what} (RegexFullMatch takes a constant pattern)")
        args = _text_args(b, step, step.arguments[:1])
        match = b.op("RegexFullMatch", [args[0][0]], "match", pattern=_PATTERNS[step.function].format(re2_literal(needle.value)))
        x, elem = b.op("Cast", [match], to=DOUBLE), DOUBLE
    else:
        why = _WHY.get(step.function, "ai.onnx has no operator measuring, slicing or editing a text")
        raise refuse(f"the text function {step.function} (TextDerive): {why}; convert to PFA or generate code")
    x = _blank_where_missing(b, step, x, elem, args)
    if all(_given(a, b) for a in step.arguments):
        b.present.add(step.outputs[0])
    b.define(step.outputs, b.op("Expand", [x, _rows(b)], "text"), elem)  # (a constant's [1, 1] as one value per row)
