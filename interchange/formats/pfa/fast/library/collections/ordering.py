"""PFA's ``cmp`` (-1, 0 or 1) on whole batches, with titus2's order (``titus.util.compare``).

Numbers compare after promotion, a double NaN above every number and equal to itself (the same
rule as ``<`` and friends in ``fast.library.core``); strings by code point; false before true.
Enums (by symbol position in titus2) and structures stay with titus2. ``compare_of`` is
titus2's ``compare`` on Python items, for functions computed item by item (map.argmax, a.mode).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.core import compare
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of
from interchange.formats.pfa.fast.types import BOOLEAN, INT, STRING, EnumT, NotCovered, Prim, is_int, is_num, promote

__all__ = ["compare_of"]


def _cmp(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    if is_num(at) and is_num(bt):
        t: Any = promote(at, bt)
    elif at == bt and at in (STRING, BOOLEAN):
        t = at
    else:
        raise NotCovered(f"cmp on {at} and {bt}")

    def run(rt: Run) -> Any:
        a, b = af(rt), bf(rt)
        if is_int(t):
            a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        return compare(">", a, b, t).astype(np.int64) - compare("<", a, b, t).astype(np.int64)

    return run, INT


LIBRARY["cmp"] = _cmp


def compare_of(t: Any) -> Callable[[Any, Any], int]:
    """titus2's ``compare`` for values of ``t`` (``titus.datatype.compare``): for double, NaN above
    everything; for float, the plain comparison (NaN equal to everything, as titus2 has it)."""
    if isinstance(t, Prim) and t.name == "double":

        def double(x: float, y: float) -> int:
            if math.isnan(x):
                return 0 if math.isnan(y) else 1
            if math.isnan(y):
                return -1
            return (x > y) - (x < y)

        return double
    if isinstance(t, Prim) and t.name in ("float", "int", "long", "string", "boolean"):
        return lambda x, y: (x > y) - (x < y)
    if isinstance(t, EnumT):
        index = {s: i for i, s in enumerate(t.symbols)}
        return lambda x, y: (index[x] > index[y]) - (index[x] < index[y])
    raise NotCovered(f"comparing map values of {t}")
