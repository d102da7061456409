"""PFA's ``m.*`` and ``m.link.*`` on whole batches, with titus2's semantics (``titus/lib/pfamath.py``, ``link.py``).

Where Python's ``math`` raises (``math.exp`` of a finite x past EXP_MAX) titus2 fails the
record, so these rows fail here too (``exp_checked``); ``math.exp(inf)`` is inf, not an error.
The links are the IR's kernels (``interchange.ir.links``) with titus2's choices.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import (
    EXP_MAX,
    LIBRARY,
    LONG_MIN,
    args_of,
    as_float,
    fn,
    seqsum,
)
from interchange.formats.pfa.fast.types import (
    DOUBLE,
    INT,
    LONG,
    Arr,
    NotCovered,
    is_num,
)
from interchange.ir import links

__all__ = ["exp_checked", "checked_exp"]


# --- m.* --------------------------------------------------------------------------------------


def _unary(fn_: Callable[[Run, np.ndarray, int], np.ndarray], ret: Any = DOUBLE) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if not is_num(at):
            raise NotCovered("math on a non-number")
        depth = scope.depth
        return (lambda rt: fn_(rt, as_float(af(rt)), depth)), ret

    return compile_


def exp_checked(rt: Run, x: np.ndarray, depth: int) -> np.ndarray:
    """``math.exp`` on a batch: a finite x above EXP_MAX overflows (the record fails); exp(+inf) is
    inf, exp(-inf) 0 and exp(NaN) NaN, as Python's ``math.exp`` gives them."""
    overflow = np.isfinite(x) & (x > EXP_MAX)
    rt.fail(overflow, depth, "math range error (exp overflow)")
    return np.exp(np.where(overflow, EXP_MAX, x))


def _keep_special(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[Run, np.ndarray, int], np.ndarray]:
    return lambda rt, x, d: np.where(np.isfinite(x), f(np.where(np.isfinite(x), x, 0.0)), x)


LIBRARY["m.exp"] = _unary(exp_checked)
LIBRARY["m.expm1"] = _unary(lambda rt, x, d: exp_checked(rt, x, d) - 1.0)
LIBRARY["m.ln"] = _unary(lambda rt, x, d: np.where(x < 0, np.nan, np.where(x == 0, -np.inf, np.log(np.where(x > 0, x, 1.0)))))
LIBRARY["m.log10"] = _unary(
    lambda rt, x, d: np.where(x < 0, np.nan, np.where(x == 0, -np.inf, np.log10(np.where(x > 0, x, 1.0))))
)
LIBRARY["m.ln1p"] = _unary(
    lambda rt, x, d: np.where(x < -1, np.nan, np.where(x == -1, -np.inf, np.log(1 + np.where(x > -1, x, 0.0))))
)
LIBRARY["m.sqrt"] = _unary(lambda rt, x, d: np.where(x < 0, np.nan, np.sqrt(np.abs(x))))
LIBRARY["m.floor"] = _unary(_keep_special(np.floor))
LIBRARY["m.ceil"] = _unary(_keep_special(np.ceil))
LIBRARY["m.sin"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.sin(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.cos"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.cos(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.tan"] = _unary(lambda rt, x, d: np.where(np.isfinite(x), np.tan(np.where(np.isfinite(x), x, 0.0)), np.nan))
LIBRARY["m.atan"] = _unary(lambda rt, x, d: np.arctan(x))
LIBRARY["m.tanh"] = _unary(lambda rt, x, d: np.tanh(x))
LIBRARY["m.signum"] = _unary(lambda rt, x, d: np.where(np.isnan(x), 0, np.sign(np.nan_to_num(x))).astype(np.int64), INT)


@fn("m.round")
def _round(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at != DOUBLE:
        raise NotCovered("m.round on a non-double")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x = as_float(af(rt))
        out = np.floor(x + 0.5)
        bad = ~np.isfinite(out) | (out < LONG_MIN) | (out >= 2.0**63)
        rt.fail(bad, depth, "long overflow")
        return np.where(bad, 0, out).astype(np.int64)

    return run, LONG


LIBRARY["m.pi"] = lambda c, a, s: ((lambda rt: np.array(math.pi)), DOUBLE)
LIBRARY["m.e"] = lambda c, a, s: ((lambda rt: np.array(math.e)), DOUBLE)


# --- m.link.* ---------------------------------------------------------------------------------


def _link(f: Callable[[Run, np.ndarray, int], np.ndarray]) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        ((af, at),) = args_of(c, args, scope, 1)
        if at not in (DOUBLE, Arr(DOUBLE)):
            raise NotCovered(f"link on {at}")
        depth = scope.depth
        if at == DOUBLE:
            return (lambda rt: f(rt, as_float(af(rt)), depth)), DOUBLE
        return (lambda rt: f(rt, as_float(af(rt)), depth + 1)), at

    return compile_


def checked_exp(rt: Run, depth: int) -> Callable[[np.ndarray], np.ndarray]:
    """``exp`` that fails the records where titus2's ``math.exp`` overflows."""
    return lambda x: exp_checked(rt, x, depth)


# the shared kernels (interchange.ir.links) with titus2's choices: checked exp, erf probit,
# loglog = exp(-exp(y)) as PFA 0.8.1 defines it
LIBRARY["m.link.logit"] = _link(lambda rt, y, d: links.logistic(y, checked_exp(rt, d)))
LIBRARY["m.link.probit"] = _link(lambda rt, y, d: links.probit(y, tails=False))
LIBRARY["m.link.cloglog"] = _link(lambda rt, y, d: links.cloglog(y, checked_exp(rt, d)))
LIBRARY["m.link.loglog"] = _link(lambda rt, y, d: links.loglog(y, checked_exp(rt, d), negate=False))
LIBRARY["m.link.cauchit"] = _link(lambda rt, y, d: links.cauchit(y))
LIBRARY["m.link.softplus"] = _link(lambda rt, y, d: links.softplus(y, checked_exp(rt, d)))
LIBRARY["m.link.relu"] = _link(lambda rt, y, d: links.relu(y))
LIBRARY["m.link.tanh"] = _link(lambda rt, y, d: np.tanh(y))


@fn("m.link.softmax")
def _softmax(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((af, at),) = args_of(c, args, scope, 1)
    if at != Arr(DOUBLE):
        raise NotCovered(f"m.link.softmax on {at}")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x = as_float(af(rt))
        if x.shape[-1] == 0:
            rt.fail(np.array(True), depth, "empty input")
            return x
        if np.isnan(x).any():
            from interchange.formats.pfa.fast.types import Defer

            raise Defer("m.link.softmax of NaN")
        # an overflow in any element fails the record: the mask has the array's axis (depth + 1)
        return links.softmax(x, checked_exp(rt, depth + 1), shift="largest", total=seqsum)

    return run, at
