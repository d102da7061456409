"""The IR's text functions (TextDerive) as PFA let-bindings, computing what titus2 computes.

- PFA's ``s.*`` functions (``s.upper``, ``s.lower``, ``s.strip``, ``s.concat``, ``s.replaceall``,
  ``s.len``, ``s.substr``...) are the IR's own (``ir/kernels/text.py`` holds titus2's semantics):
  each is written as itself; an integer argument must be a constant (PFA has no exact cast of the
  IR's per-row number to an int).
- ``pmml:matches`` / ``pmml:replace`` (PMML's Java regular expressions, as Python's re in the IR):
  ``re.contains`` / ``re.replaceall`` of the POSIX pattern finding the same (``emit/regex.py``;
  others are refused naming what differs); an empty text is answered at writing time, as titus2
  searches none. The replacement is used literally by both.
- ``pmml:substring`` (PMML's 1-based substring of constant start and length): ``s.substr`` of the IR's slice;
  ``pmml:stringLength`` (Java's String.length, UTF-16 code units): half the ``bytes.len`` of ``bytes.encodeUtf16le``
  (``s.len`` counts code points, so a character outside the Basic Multilingual Plane would count 1, not 2);
  ``pmml:formatNumber`` (Java's String.format) and ``pmml:normalize`` (TextIndexNormalization) are refused.
- ``pmml:termcount`` / ``pmml:termbinary`` (PMML §TextIndex): the text ``re.split`` at the word
  separator, each word without ASCII punctuation (``s.strip``) and lower-cased unless case
  sensitive (``s.lower``), and ``a.count`` of the term among them.

A missing argument gives a missing result, as in the IR: the arguments that may be missing are
read with ``ifnotnull``, the result null (text) or NaN (numbers, truth values 1.0 / 0.0) without
them. Integers and truth values are held as doubles, as the IR holds them.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit import functions as fn
from interchange.formats.pfa.emit.expressions import _is_text, _text, _text_nullable
from interchange.formats.pfa.emit.regex import PatternRefused, posix_contains, posix_matches
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.derive.text import TEXT_FUNCTIONS, TextDerive

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["write_text_derive"]

_INT_MAX = 2**31 - 1
_MISSING = object()  # an argument that is always missing (a null constant)


def _refuse(step: TextDerive, why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the text function {step.function} (TextDerive) is not written to PFA: {why}", format="pfa")


def _blank_of(e: Expr) -> Expr | None:
    """``x`` of the PMML lift's blank ``if(isMissing(x), "", x)`` (a missing text read as the empty one), else None."""
    if isinstance(e, Call) and e.function == "if" and len(e.args) == 3 and e.fill is None and e.default is None:
        test, then, other = e.args
        if isinstance(test, Call) and test.function == "isMissing" and test.args == (other,) and then == Const(""):
            return other
    return None


def _integer(w: _Writer, step: TextDerive, e: Expr) -> tuple[Any, bool, Any]:
    """An integer argument: a constant, or a number column truncated towards zero as the IR's ``int``
    (missing where it is null or NaN), clamped to PFA's int (an index or a count beyond any text's length)."""
    if isinstance(e, Const) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
        return int(e.value), False, None
    if isinstance(e, Ref) and w.cols[e.name][1] == "integer":
        expr, _, nullable = w.cols[e.name]
        return expr, nullable, lambda x: {"cast.int": {"max": [{"min": [x, _INT_MAX]}, -_INT_MAX - 1]}}
    if isinstance(e, Ref) and w.cols[e.name][1] == "double":
        x = fn.tmp(w, fn.number_ref(w, e.name))
        whole = {"if": {"<": ["x", 0.0]}, "then": {"m.ceil": "x"}, "else": {"m.floor": "x"}}
        clamp = {"max": [{"min": [whole, float(_INT_MAX)]}, float(-_INT_MAX - 1)]}
        return {"if": fn.isnan(x), "then": None, "else": x}, True, lambda s: {"do": [{"let": {"x": s}}, {"cast.int": clamp}]}
    raise _refuse(step, f"the integer argument {e!r} is neither a constant nor a number column")


def _argument(w: _Writer, step: TextDerive, e: Expr, kind: str) -> tuple[Any, bool, Any]:
    """A PFA expression of one argument, whether it may be null, and what makes an int of it (None: as it is)."""
    if isinstance(e, Const) and e.value is None:
        return _MISSING, False, None
    if kind == "i":
        return _integer(w, step, e)
    inner = _blank_of(e)
    if inner is not None:
        expr, nullable, _ = _argument(w, step, inner, kind)
        if expr is _MISSING:
            return {"string": ""}, False, None
        return ({"impute.defaultOnNull": [expr, {"string": ""}]} if nullable else expr), False, None
    if isinstance(e, Ref) and w.cols[e.name][1] == "string":
        expr, _, nullable = w.cols[e.name]
        return expr, nullable, None
    if isinstance(e, Const) and isinstance(e.value, str):
        return {"string": e.value}, False, None
    if _is_text(w, e):
        return _text(w, e), _text_nullable(e), None
    raise _refuse(step, f"the argument {e!r} is no text (the IR would print a number; PFA's s.number differs)")


def _constant(step: TextDerive, i: int, what: str) -> str:
    arg = step.arguments[i]
    if not isinstance(arg, Const) or not isinstance(arg.value, str):
        raise _refuse(step, f"its {what} is not a constant text")
    return arg.value


def _pattern(step: TextDerive, translate: Any, pattern: str) -> str:
    try:
        return str(translate(pattern))
    except PatternRefused as exc:
        raise _refuse(step, f"the regular expression {pattern!r}: {exc}") from None


def _regex(step: TextDerive, args: list[Any]) -> Any:
    import re

    if step.function == "pmml:matches":
        pattern = _constant(step, 1, "pattern")
        posix = _pattern(step, posix_contains, pattern)
        empty = re.search(pattern, "") is not None
        return {"if": {"==": [{"s.len": args[0]}, 0]}, "then": empty, "else": {"re.contains": [args[0], {"string": posix}]}}
    posix = _pattern(step, posix_matches, _constant(step, 1, "pattern"))
    return {"re.replaceall": [args[0], {"string": posix}, args[2]]}


def _term_count(step: TextDerive, args: list[Any]) -> Any:
    term, separator = _constant(step, 1, "term"), _constant(step, 2, "word separator")
    sensitive = step.arguments[3]
    if not isinstance(sensitive, Const) or sensitive.value is None:
        raise _refuse(step, "its case sensitivity is not a constant")
    if not term:
        return 0  # (words are never empty)
    word: Any = {"s.strip": ["x", {"string": string.punctuation}]}
    if not float(sensitive.value):
        word = {"s.lower": word}
    clean = {"params": [{"x": "string"}], "ret": "string", "do": word}
    words = {"a.map": [{"re.split": [args[0], {"string": _pattern(step, posix_matches, separator)}]}, clean]}
    return {"a.count": [words, {"string": term}]}


# IR functions titus2 has no exact form of, and why
_REFUSED = {
    "pmml:formatNumber": "Java's String.format has no PFA form (titus2's s.number pads and rounds otherwise)",
    # titus2's re.* compiles with libc regcomp(REG_EXTENDED) alone: no REG_ICASE to fold case as Java's matcher does
    "pmml:normalize": "TextIndexNormalization folds case in every rule unless its TextIndex isCaseSensitive, and "
    "titus2's re.* (POSIX extended regular expressions, no case-insensitive flag) cannot",
}


def _substring(step: TextDerive, args: list[Any]) -> Any:
    """PMML's 1-based substring(s, start, length) as ``s.substr`` of the Python slice the IR takes."""
    if not all(isinstance(a, int) for a in args[1:]):
        raise _refuse(step, "its start and length are not constants (their sum could pass PFA's int range)")
    start, length = args[1], args[2]
    a, b = (max(-_INT_MAX - 1, min(_INT_MAX, k)) for k in (start - 1, start - 1 + length))
    return {"s.substr": [args[0], a, b]}


def _body(step: TextDerive, args: list[Any]) -> Any:
    if step.function == "pmml:substring":
        return _substring(step, args)
    if step.function == "pmml:stringLength":  # UTF-16 code units: s.len counts code points
        return {"//": [{"bytes.len": [{"bytes.encodeUtf16le": args}]}, 2]}
    if step.function.startswith("s."):
        return {step.function: args}
    if step.function in ("pmml:matches", "pmml:replace"):
        return _regex(step, args)
    count = _term_count(step, args)
    return {">": [count, 0]} if step.function == "pmml:termbinary" else count


def write_text_derive(w: _Writer, step: TextDerive) -> None:
    """Bind ``step``'s output column: text (null where an argument is missing) or a double (NaN there)."""
    if step.function in _REFUSED:
        raise _refuse(step, _REFUSED[step.function])
    _, kinds, result = TEXT_FUNCTIONS[step.function]
    read = [_argument(w, step, e, k) for e, k in zip(step.arguments, kinds, strict=True)]
    gone: Any = None if result == "string" else fn.NAN
    if any(expr is _MISSING for expr, _, _ in read):
        w.bind(step.outputs[0], gone, "string" if result == "string" else "double", result == "string")
        return
    guarded = {f"t{i}": expr for i, (expr, nullable, _) in enumerate(read) if nullable}
    args = [f"t{i}" if nullable else expr for i, (expr, nullable, _) in enumerate(read)]
    args = [a if cast is None else cast(a) for a, (_, _, cast) in zip(args, read, strict=True)]
    value = _body(step, args)
    if result == "int":
        value = {"+": [value, 0.0]}  # (an int as the IR's double)
    elif result == "boolean":
        value = {"if": value, "then": 1.0, "else": 0.0}
    if guarded:
        value = {"ifnotnull": guarded, "then": value, "else": gone}
    w.bind(step.outputs[0], value, "string" if result == "string" else "double", bool(guarded) and result == "string")
