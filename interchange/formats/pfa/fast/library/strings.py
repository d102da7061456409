"""PFA's ``s.*`` string functions on whole batches, with titus2's semantics (``titus/lib/pfastring.py``).

Each function is titus2's per-value Python applied over the batch (``np.frompyfunc`` broadcasts a
constant argument against a column), so the results are titus2's to the character: ``s.substr``
slices like Python, ``s.substrto`` normalises its indices like titus's ``startEnd``, ``s.count`` of
an empty needle is 0, ``s.index`` / ``s.rindex`` give -1 when absent. ``s.int`` / ``s.number`` /
``s.hex`` (format strings, errors on negative widths) and ``s.join`` / ``s.split`` (arrays of
strings) stay with titus2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.core import LIBRARY, args_of
from interchange.formats.pfa.fast.types import BOOLEAN, INT, STRING, NotCovered, is_int

__all__ = ["STRING_FUNCTIONS"]


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


def _index(haystack: str, needle: str) -> int:
    return haystack.find(needle)


def _rindex(haystack: str, needle: str) -> int:
    return haystack.rfind(needle)


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


# name -> (per-value function, parameter kinds "s" string / "i" int, result type)
STRING_FUNCTIONS: dict[str, tuple[Callable[..., Any], str, Any]] = {
    "s.len": (len, "s", INT),
    "s.substr": (lambda s, a, b: s[a:b], "sii", STRING),
    "s.substrto": (_substrto, "siis", STRING),
    "s.contains": (lambda h, n: n in h, "ss", BOOLEAN),
    "s.count": (_count, "ss", INT),
    "s.index": (_index, "ss", INT),
    "s.rindex": (_rindex, "ss", INT),
    "s.startswith": (lambda h, n: h.startswith(n), "ss", BOOLEAN),
    "s.endswith": (lambda h, n: h.endswith(n), "ss", BOOLEAN),
    "s.concat": (lambda x, y: x + y, "ss", STRING),
    "s.repeat": (lambda s, n: s * n, "si", STRING),
    "s.lower": (lambda s: s.lower(), "s", STRING),
    "s.upper": (lambda s: s.upper(), "s", STRING),
    "s.lstrip": (lambda s, c: s.lstrip(c), "ss", STRING),
    "s.rstrip": (lambda s, c: s.rstrip(c), "ss", STRING),
    "s.strip": (lambda s, c: s.strip(c), "ss", STRING),
    "s.replaceall": (lambda s, o, r: s.replace(o, r), "sss", STRING),
    "s.replacefirst": (_replacefirst, "sss", STRING),
    "s.replacelast": (_replacelast, "sss", STRING),
    "s.translate": (_translate, "sss", STRING),
}


def _compile(name: str) -> Callable[[Compiler, list[Any], Scope], Compiled]:
    f, kinds, result = STRING_FUNCTIONS[name]
    ufunc = np.frompyfunc(f, len(kinds), 1)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        compiled = args_of(c, args, scope, len(kinds))
        for (_, t), kind in zip(compiled, kinds, strict=True):
            if (kind == "s" and t != STRING) or (kind == "i" and not is_int(t)):
                raise NotCovered(f"{name} on a {t}")
        fns = [fn_ for fn_, _ in compiled]

        def run(rt: Run) -> Any:
            values = [np.asarray(fn_(rt), dtype=object if k == "s" else np.int64) for fn_, k in zip(fns, kinds, strict=True)]
            out = ufunc(*[v.astype(object) for v in values])
            if result is INT:
                return np.asarray(out, dtype=np.int64)
            if result is BOOLEAN:
                return np.asarray(out, dtype=bool)
            return np.asarray(out, dtype=object)

        return run, result

    return compile_


for _name in STRING_FUNCTIONS:
    LIBRARY[_name] = _compile(_name)
