"""PFA ``model.tree.compoundTest`` and ``surrogateTest`` on whole batches, as titus2 runs them.

Both call a test function on the datum and each record of an array, in order, and stop early:
titus2 (``titus/lib/model/tree.py``) returns from ``and`` at the first False, from ``or`` at the
first True, counts all Trues for ``xor`` and fails the record on any other operator
("unrecognized logical operator"); ``surrogateTest`` returns the first non-null result of a
missing-aware test and fails the record when all are null ("no successful surrogate"). Here each
comparison runs once for the whole batch, under the mask of the rows still undecided, so a test
that would fail a record only counts on rows titus2 would still have evaluated it for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, fn
from interchange.formats.pfa.fast.types import BOOLEAN, STRING, Arr, NotCovered, Opt, Rec, length, take

__all__ = ["LIBRARY"]


def _comparisons(c: Compiler, name: str, datum: Any, items: Any, test_raw: Any, scope: Scope, ret: Any) -> tuple[Any, Any, Any]:
    """The compiled datum, comparisons and test function (bound at this depth) of one call."""
    (df, dt), (cf, ct) = c.expr(datum, scope), c.expr(items, scope)
    if not (isinstance(dt, Rec) and isinstance(ct, Arr) and isinstance(ct.items, Rec)):
        raise NotCovered(f"{name} on {dt} and {ct}")
    slots, body, got = c.fcn(test_raw, scope).bind([dt, ct.items], scope.depth)
    if got != ret:
        raise NotCovered(f"{name} with a test returning {got}")
    return (df, cf, ct), slots, body


def _call(rt: Run, slots: list[Any], body: Any, d: Any, item: Any, live: Any) -> Any:
    """The test on every row, counting (errors) only where ``live``."""
    rt.env[slots[0].id], rt.env[slots[1].id] = d, item
    before = rt.masked(live)
    try:
        return body(rt)
    finally:
        rt.active = before


@fn("model.tree.compoundTest")
def _compound(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 4:
        raise NotCovered("model.tree.compoundTest arity")
    opf, opt = c.expr(args[1], scope)
    if opt != STRING:
        raise NotCovered("model.tree.compoundTest operator that is not a string")
    (df, cf, ct), slots, body = _comparisons(c, "model.tree.compoundTest", args[0], args[2], args[3], scope, BOOLEAN)
    depth = scope.depth

    def run(rt: Run) -> Any:
        d, op, cb = df(rt), np.asarray(opf(rt), dtype=object), cf(rt)
        is_and, is_or, is_xor = (np.asarray(op == k, dtype=bool) for k in ("and", "or", "xor"))
        rt.fail(~(is_and | is_or | is_xor), depth, "unrecognized logical operator")
        all_true, any_true, odd = np.array(True), np.array(False), np.array(False)
        for j in range(length(cb, ct)):
            live_and, live_or = is_and & all_true, is_or & ~any_true  # titus has returned on the others
            live = live_and | live_or | is_xor
            if not live.any():
                break
            r = np.asarray(_call(rt, slots, body, d, take(cb, ct, j), live), dtype=bool)
            all_true = all_true & ~(live_and & ~r)
            any_true = any_true | (live_or & r)
            odd = odd ^ (is_xor & r)
        return np.where(is_and, all_true, np.where(is_or, any_true, odd))

    return run, BOOLEAN


@fn("model.tree.surrogateTest")
def _surrogate(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 3:
        raise NotCovered("model.tree.surrogateTest arity")
    (df, cf, ct), slots, body = _comparisons(c, "model.tree.surrogateTest", args[0], args[1], args[2], scope, Opt(BOOLEAN))
    depth = scope.depth

    def run(rt: Run) -> Any:
        d, cb = df(rt), cf(rt)
        out, open_ = np.array(False), np.array(True)
        for j in range(length(cb, ct)):
            if not open_.any():
                break
            r = _call(rt, slots, body, d, take(cb, ct, j), open_)
            found = open_ & ~np.asarray(r.missing, dtype=bool)
            out = np.where(found, np.asarray(r.value, dtype=bool), out)
            open_ = open_ & ~found
        rt.fail(open_, depth, "no successful surrogate")
        return out

    return run, BOOLEAN
