"""Python regular expressions (the IR's, from PMML) as titus2's POSIX ones, where both find the same.

titus2 runs ``re.*`` through the C library's ``regcomp`` / ``regexec`` (POSIX extended syntax,
leftmost-longest, on UTF-8 bytes; ``titus/lib/regex.py``), each next search on the rest of the text
as a new string (so ``^`` matches there again) and none on an empty text. Python's ``re`` is
leftmost-first over characters. A pattern is translated only from a subset whose meaning is the
same in both, otherwise refused naming what differs:

- atoms: ASCII letters and digits, escaped ASCII punctuation, other printable characters but the
  special ones, non-negated bracket classes of printable ASCII characters, ``\\s`` (Python's
  whitespace, each character spelled out, as the C library's ``\\s`` knows six bytes only);
- quantifiers ``*``, ``+``, ``?``, ``{m}``, ``{m,}``, ``{m,n}`` on one atom (greedy only);
- a whole pattern ``a|b|[c-d]`` choosing one character (as one class);
- ``^`` first and ``$`` last, where only whether a match exists is read (``$`` as ``(\\n)?$``:
  Python's ``$`` also matches before a final line break).

Refused: ``.`` and negated classes (one byte in titus2, one character in Python), ``\\d`` / ``\\w``
(Unicode digits and letters in Python), groups and ``|`` (leftmost-longest and leftmost-first choose
other matches), lazy quantifiers, look-arounds and back references (no POSIX form). Where matches
are replaced or split at (:func:`posix_matches`), the pattern must not match the empty text (titus2
loops forever on an empty match) and each quantified atom's characters must be none of a later
atom's: then every match has one extent, the longest, and both engines find the same ones.
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import dataclass
from functools import cache

__all__ = ["PatternRefused", "posix_contains", "posix_matches"]

_SPECIAL = set(".[]()|*+?{}^$\\")


@cache
def _whitespace() -> frozenset[str]:
    """Python's ``\\s`` on text: the characters ``str.isspace`` holds."""
    return frozenset(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


class PatternRefused(ValueError):
    """The pattern has no POSIX form finding what Python's re finds; the message says why."""


@dataclass(frozen=True)
class _Atom:
    posix: str  # one POSIX atom (a character, a bracket expression or a group of alternatives)
    chars: frozenset[str]  # the characters it matches
    quantifier: str = ""


def _literal(c: str) -> _Atom:
    if c in _SPECIAL:
        return _Atom("\\" + c, frozenset(c))
    if c.isascii():
        return _Atom(c, frozenset(c))
    return _Atom(f"({c})", frozenset(c))  # a quantifier applies to the whole UTF-8 sequence


def _bracket(chars: frozenset[str]) -> str:
    """A POSIX bracket expression of ``chars`` (printable ASCII): ``]`` first, ``[`` and ``-`` last."""
    plain = sorted(chars - set("]^[-"))
    if "^" in chars:
        plain.append("^")  # (not first: there it would negate)
    body = ("]" if "]" in chars else "") + "".join(plain) + ("[" if "[" in chars else "") + ("-" if "-" in chars else "")
    return f"[{body}]"


def _class(pattern: str, i: int) -> tuple[_Atom, int]:
    end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] == "]" else i + 1)
    if pattern[i + 1 : i + 2] == "^":
        raise PatternRefused("a negated class matches one byte in titus2 and one character in Python")
    if end < 0:
        raise PatternRefused("an unterminated class")
    inner = pattern[i : end + 1]
    body = inner[1:-1]
    if not all(c.isascii() and c.isprintable() for c in body) or re.search(r"\\[A-Za-z]|\[:", body):
        raise PatternRefused(f"the class {inner} (only printable ASCII characters, ranges and escaped punctuation)")
    try:
        chars = frozenset(c for c in map(chr, range(128)) if re.fullmatch(inner, c))
    except re.error:
        raise PatternRefused(f"the class {inner} (a ']' escaped inside a class)") from None
    if not chars:
        raise PatternRefused(f"the class {inner} matches nothing")
    return _Atom(_bracket(chars), chars), end + 1


def _atom(pattern: str, i: int) -> tuple[_Atom, int]:
    c = pattern[i]
    if c == "\\":
        e = pattern[i + 1 : i + 2]
        if e == "s":
            return _Atom("(" + "|".join(sorted(_whitespace())) + ")", _whitespace()), i + 2
        if e and e.isascii() and e in string.punctuation:
            return _literal(e), i + 2
        raise PatternRefused(f"the escape \\{e} (Python's \\d and \\w hold Unicode digits and letters; no POSIX form)")
    if c == "[":
        return _class(pattern, i)
    if c == ".":
        raise PatternRefused("'.' matches one byte in titus2, one character (not a line break) in Python")
    if c in "()|":
        raise PatternRefused("groups and '|' (titus2's leftmost-longest and Python's leftmost-first choose other matches)")
    if c in _SPECIAL:
        raise PatternRefused(f"{c!r} here")
    if not c.isprintable():
        raise PatternRefused(f"the control character {c!r}")
    return _literal(c), i + 1


def _quantifier(pattern: str, i: int) -> tuple[str, int]:
    if i < len(pattern) and pattern[i] in "*+?":
        q, i = pattern[i], i + 1
    else:
        m = re.match(r"\{\d+(,\d*)?\}", pattern[i:])
        if not m:
            return "", i
        q, i = m.group(), i + m.end()
    if i < len(pattern) and pattern[i] in "?+*{":
        raise PatternRefused(f"the quantifier {q}{pattern[i]} (lazy, possessive or repeated: no POSIX form)")
    return q, i


def _one_of(pattern: str) -> _Atom | None:
    """``a|b|c`` of single characters or classes: one atom (a choice of one character is the same in both)."""
    if "|" not in pattern or "(" in pattern or ")" in pattern or "\\|" in pattern:
        return None
    chars: frozenset[str] = frozenset()
    for alternative in pattern.split("|"):
        if not alternative:
            return None
        atom, i = _atom(alternative, 0)
        if i != len(alternative):
            return None
        chars |= atom.chars
    if all(c.isascii() and c.isprintable() for c in chars):
        return _Atom(_bracket(chars), chars)
    return _Atom("(" + "|".join(_literal(c).posix for c in sorted(chars)) + ")", chars)


def _parse(pattern: str) -> tuple[bool, list[_Atom], bool]:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise PatternRefused(f"not a regular expression ({exc})") from None
    choice = _one_of(pattern)
    if choice is not None:
        return False, [choice], False
    start = pattern.startswith("^")
    end = pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[int(start) : len(pattern) - int(end)]
    atoms: list[_Atom] = []
    i = 0
    while i < len(body):
        atom, i = _atom(body, i)
        q, i = _quantifier(body, i)
        atoms.append(_Atom(atom.posix, atom.chars, q))
    if not atoms:
        raise PatternRefused("it matches no character (an empty pattern or bare anchors)")
    return start, atoms, end


def posix_contains(pattern: str) -> str:
    """The POSIX pattern finding a match in a non-empty text exactly where Python's ``re.search(pattern)`` does."""
    start, atoms, end = _parse(pattern)
    return ("^" if start else "") + "".join(a.posix + a.quantifier for a in atoms) + ("(\n)?$" if end else "")


def posix_matches(pattern: str) -> str:
    """The POSIX pattern whose matches in any text are Python's ``re.finditer(pattern)`` ones (replace, split)."""
    start, atoms, end = _parse(pattern)
    if start or end:
        raise PatternRefused("an anchor where matches are replaced or split at (titus2 searches the rest of the text anew)")
    if re.fullmatch(pattern, ""):
        raise PatternRefused("it matches the empty text (titus2 loops forever on an empty match)")
    for k, a in enumerate(atoms):
        later = frozenset().union(*(b.chars for b in atoms[k + 1 :]))
        if a.quantifier and a.chars & later:
            raise PatternRefused(
                f"the repeated {a.posix} shares characters with what follows (the longest match and Python's may differ)"
            )
    return "".join(a.posix + a.quantifier for a in atoms)
