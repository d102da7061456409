"""The fast path's PFA library registry: name -> compiler of a library call, and what every entry shares.

``LIBRARY`` maps a PFA function name to the function compiling a call of it over whole batches
(``fn`` registers one; registering is what importing a library module does, ``engine._library``
imports them all). The helpers here are the ones every module uses: argument compilation,
float views, the int range check and titus2's left-to-right sum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.types import (
    NotCovered,
    Prim,
)

__all__ = ["LIBRARY", "fn", "args_of", "as_float", "check_range", "seqsum", "EXP_MAX", "F64"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
EXP_MAX = 709.782712893384  # math.exp raises OverflowError above this
LIBRARY: dict[str, Callable[[Compiler, list[Any], Scope], Compiled]] = {}
F64 = np.float64


def fn(*names: str) -> Callable[[Callable[..., Compiled]], Callable[..., Compiled]]:
    def deco(f: Callable[..., Compiled]) -> Callable[..., Compiled]:
        for n in names:
            LIBRARY[n] = f
        return f

    return deco


def args_of(c: Compiler, args: list[Any], scope: Scope, count: int | None = None) -> list[Compiled]:
    if count is not None and len(args) != count:
        raise NotCovered(f"{len(args)} arguments where {count} are expected")
    return [c.expr(a, scope) for a in args]


def as_float(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=F64)


def check_range(rt: Run, out: np.ndarray, t: Prim, depth: int) -> np.ndarray:
    if t.name == "int":
        rt.fail((out < INT_MIN) | (out > INT_MAX), depth, "int overflow")
    return out


def seqsum(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Left-to-right sum along ``axis`` (Python's ``sum``), the order titus2 adds in."""
    x = np.asarray(x)
    k = x.shape[axis]
    if k == 0:
        return np.zeros(x.shape[:axis] + x.shape[axis + 1 :] if axis != -1 else x.shape[:-1])
    moved = np.moveaxis(x, axis, -1)
    total = moved[..., 0] + 0.0 if moved.dtype.kind == "f" else moved[..., 0]
    for j in range(1, k):
        total = total + moved[..., j]
    return total
