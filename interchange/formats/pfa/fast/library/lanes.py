"""Functions of functions on the fast path: a user or inline function compiled one lane deeper.

``a.map`` and friends bind a function's parameters to arrays whose items are lanes, so the
function body runs once over every item of every row (``map_fcn`` / ``run_lanes``);
``loop_fcn`` binds at the caller's depth; ``elements`` splits an array value into its items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiler, Run, Scope, convert
from interchange.formats.pfa.fast.types import (
    Arr,
    lane_axis,
    length,
)

__all__ = ["map_fcn", "run_lanes", "loop_fcn", "elements"]


# --- functions of functions: lanes ------------------------------------------------------------


def map_fcn(c: Compiler, fcn_raw: Any, scope: Scope, elem_types: list[Any]) -> tuple[list[Any], Callable[[Run], Any], Any]:
    """Compile ``fcn_raw`` one lane deeper (an element of each array per lane)."""
    fcn = c.fcn(fcn_raw, scope)
    slots, body, ret = fcn.bind(elem_types, scope.depth + 1)
    return slots, body, ret


def run_lanes(
    rt: Run,
    slots: list[Any],
    values: list[Any],
    types: list[Any],
    body: Callable[[Run], Any],
    ret: Any,
    k: int,
    mask: Any = None,
) -> Any:
    """Evaluate a lane-compiled body with each slot bound to an array (as elements), one lane of length k.

    ``mask`` (rows x lanes): the lanes that hold an item (a map's padded items do not), the only
    ones whose errors count."""
    for s, v, t in zip(slots, values, types, strict=True):
        rt.env[s.id] = convert(v, t, s.type) if t != s.type else v
    before = rt.active
    if before is not None:
        rt.active = np.asarray(before)[..., None]
    if mask is not None:
        rt.active = mask if rt.active is None else (rt.active & mask)
    try:
        out = body(rt)
    finally:
        rt.active = before
    from interchange.formats.pfa.fast.types import lmap

    return lmap(lambda x, r: lane_axis(x, r, k), out, ret)


def loop_fcn(c: Compiler, fcn_raw: Any, scope: Scope, types: list[Any]) -> tuple[list[Any], Callable[[Run], Any], Any]:
    fcn = c.fcn(fcn_raw, scope)
    return fcn.bind(types, scope.depth)


def elements(a: Any, t: Arr) -> list[Any]:
    """The elements of an array value, in order; one contiguous copy with the array axis first."""
    from interchange.formats.pfa.fast.types import lmap

    k = length(a, t)
    moved = lmap(lambda x, r: np.ascontiguousarray(np.moveaxis(np.asarray(x), np.ndim(x) - r - 1, 0)), a, t.items)
    return [lmap(_element(i), moved, t.items) for i in range(k)]


def _element(i: int) -> Callable[[np.ndarray, int], Any]:
    return lambda x, r: x[i]
