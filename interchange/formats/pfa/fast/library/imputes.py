"""PFA's ``impute.*`` and ``cast.*`` of numbers on whole batches, with titus2's semantics (``map.*``: ``collections.maps``).

A null where ``impute.errorOnNull`` finds one fails the record; ``cast.int`` / ``cast.long``
round half up and fail the record outside the type's range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import (
    INT_MAX,
    INT_MIN,
    LIBRARY,
    LONG_MAX,
    LONG_MIN,
    args_of,
    as_float,
    fn,
)
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    DOUBLE,
    Arr,
    NotCovered,
    Opaque,
    Opt,
    Prim,
    is_int,
    is_num,
)

__all__: list[str] = []


# --- impute.* / cast.* ------------------------------------------------------------------------


def _field_name(arg: Any) -> str | None:
    if isinstance(arg, str) and arg.startswith("input."):
        return arg[len("input.") :]
    return None


@fn("impute.errorOnNull")
def _error_on_null(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if not isinstance(at, Opt):
        raise NotCovered(f"impute.errorOnNull on {at}")
    depth, field = scope.depth, _field_name(args[0])
    message = "encountered null" + (f" in field {field!r}" if field else "")

    def run(rt: Run) -> Any:
        v = af(rt)
        rt.fail(np.asarray(v.missing), depth, message, field)
        return v.value

    return run, at.inner


@fn("impute.defaultOnNull")
def _default_on_null(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (df, dt) = args_of(c, args, scope, 2)
    if not isinstance(at, Opt) or at.inner != dt or isinstance(dt, (Arr, Opaque)):
        raise NotCovered(f"impute.defaultOnNull on {at}")

    def run(rt: Run) -> Any:
        v = af(rt)
        return np.where(v.missing, df(rt), v.value)

    return run, dt


LIBRARY["impute.isnan"] = lambda c, a, s: _num_test(c, a, s, np.isnan)
LIBRARY["impute.isinf"] = lambda c, a, s: _num_test(c, a, s, np.isinf)
LIBRARY["impute.isnum"] = lambda c, a, s: _num_test(c, a, s, np.isfinite)


def _num_test(c: Compiler, args: list[Any], scope: Scope, f: Callable[[np.ndarray], np.ndarray]) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at not in (DOUBLE, Prim("float")):
        raise NotCovered("impute test on a non-float")
    return (lambda rt: f(as_float(af(rt)))), BOOLEAN


def _cast(target: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if not is_num(at):
            raise NotCovered(f"cast.{target} on {at}")
        depth = scope.depth
        if target in ("double", "float"):
            return (lambda rt: as_float(af(rt))), Prim(target)

        def run(rt: Run) -> Any:
            x = af(rt)
            lo, hi = (INT_MIN, INT_MAX) if target == "int" else (LONG_MIN, LONG_MAX)
            if is_int(at):
                out = np.asarray(x, dtype=np.int64)
                bad = (out < lo) | (out > hi)
            else:
                xf = np.floor(as_float(x) + 0.5)
                bad = ~np.isfinite(xf) | (xf < lo) | (xf > hi) | (xf >= 2.0**63)
                out = np.where(bad, 0, xf).astype(np.int64)
            rt.fail(bad, depth, f"{target} overflow")
            return np.where(bad, 0, out)

        return run, Prim(target)

    return compile_


for _t in ("double", "float", "int", "long"):
    LIBRARY[f"cast.{_t}"] = _cast(_t)
