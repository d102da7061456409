"""Rounding a double to float32 in PFA (the IR's ``Derive(type="float")``, an ONNX Cast to float).

PFA has no float32 arithmetic that rounds: titus2's ``cast.float`` keeps the Python float. So the
written document holds one function, ``u.f32``, that rounds in double arithmetic exactly as
numpy's ``astype(np.float32)`` does (round to nearest, ties to even), for every double:

* the binade exponent ``e`` of ``|x|`` (``floor(ln|x| / ln 2)``, corrected by exact comparisons
  with ``2 ** e``), never below float32's smallest normal exponent -126;
* ``C = 1.5 * 2 ** (e + 29)``, whose double ulp is float32's quantum ``2 ** (e - 23)`` at ``|x|``:
  ``(|x| + C) - C`` is ``|x|`` rounded to that quantum by the double addition itself (ties to
  even), and the subtraction is exact. Below 2 ** -126 the quantum stays 2 ** -149, so float32's
  subnormals (and underflow to zero) come out as numpy gives them;
* a result of 2 ** 128 or more (``|x|`` at or past float32's largest value plus half its ulp) is
  +-infinity, as numpy's overflow; NaN and zero are returned as they are (-0.0 keeps its sign).

Veltkamp splitting (``c = x * (2 ** 29 + 1); hi = c - (c - x)``) needs a tie correction and a
separate subnormal branch; the addition above is exact rounding in one step. Only ``**`` of 2.0
to an integer, ``m.ln``, ``m.floor``, comparisons, ``+`` and ``-`` are used, which titus2 and the
PFA fast path compute identically (powers of two and IEEE sums are exact; the logarithm only
guesses ``e``, and the comparisons settle it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["FCN", "rounded", "round_fcn"]

FCN = "f32"
_TWO_128 = 2.0**128
_LN2 = float(np.log(2.0))


def round_fcn() -> dict[str, Any]:
    """The PFA function ``u.f32``: double -> the double value of its float32 rounding."""
    two = {"**": [2.0, "e0"]}
    exponent = {
        "if": {">": [two, "a"]},
        "then": {"-": ["e0", 1.0]},
        "else": {"if": {"<=": [{"*": [2.0, two]}, "a"]}, "then": {"+": ["e0", 1.0]}, "else": "e0"},
    }
    body = [
        {"let": {"e0": {"m.floor": {"/": [{"m.ln": "a"}, _LN2]}}}},
        {"let": {"e": {"max": [exponent, -126.0]}}},
        {"let": {"c": {"*": [1.5, {"**": [2.0, {"+": ["e", 29.0]}]}]}}},
        {"let": {"r": {"-": [{"+": ["a", "c"]}, "c"]}}},
        {
            "if": {">=": ["r", _TWO_128]},
            "then": {"/": ["x", 0.0]},
            "else": {"if": {"<": ["x", 0.0]}, "then": {"u-": "r"}, "else": "r"},
        },
    ]
    return {
        "params": [{"x": "double"}],
        "ret": "double",
        "do": [
            {"let": {"a": {"m.abs": "x"}}},
            {
                "if": {"||": [{"impute.isnan": "x"}, {"==": ["a", 0.0]}]},
                "then": "x",
                "else": {"if": {">=": ["a", _TWO_128]}, "then": {"/": ["x", 0.0]}, "else": {"do": body}},
            },
        ],
    }


def rounded(w: _Writer, value: Any) -> Any:
    """``value`` (a double expression) rounded to float32; a constant is rounded here."""
    if isinstance(value, float):
        with np.errstate(over="ignore"):
            single = np.float32(value)
        if np.isfinite(single):  # (an infinity has no JSON literal: the function makes it)
            return float(single)
    w.fcns.setdefault(FCN, round_fcn())
    return {f"u.{FCN}": [value]}
