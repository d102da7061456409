"""PFA loops on the fast path: ``while``, ``do``/``until``, ``for``, ``foreach``, ``forkey``/``forval``.

PFA 0.8.1, "Loops": a loop is an expression of type null that repeats its body. Here every row
(and lane) runs the loop at once under a mask: a row leaves the loop when its own condition
fails, and the body's ``set`` statements only change the rows still looping (``Run.active``),
so each row sees exactly the iterations titus2 runs for it. ``foreach`` walks the items of an
array (every row holds the same number in this layout), ``forkey``/``forval`` the entries of a
map the document holds as a constant.

Endless loops: titus2 stops an action after its time budget (``reference.RECORD_SECONDS``, checked
once per iteration, ``state.checkTime()``). A loop here that runs longer than the same budget
raises ``Defer``: titus2 then evaluates that batch record by record under its own budget, so a
record it would finish is finished and an endless one is refused with titus2's timeout error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.collections.boxed import layout, objects
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    NULL,
    STRING,
    Arr,
    Defer,
    NotCovered,
    Opaque,
    lmap,
)

__all__ = ["LOOP_FORMS", "compile_loop", "BUDGET_SECONDS"]

LOOP_FORMS = ("while", "until", "for", "foreach", "forkey")


def _budget() -> float:
    from interchange.formats.pfa.reference import RECORD_SECONDS

    return RECORD_SECONDS


BUDGET_SECONDS = _budget()


def compile_loop(c: Compiler, e: dict[str, Any], keys: set[str], scope: Scope) -> Compiled:
    """The loop form ``e`` (keys without ``@`` annotations) as a closure of type null."""
    if "foreach" in keys and keys <= {"foreach", "in", "do", "seq"}:
        return _foreach(c, e, scope)
    if "forkey" in keys and keys == {"forkey", "forval", "in", "do"}:
        return _forkeyval(c, e, scope)
    if "for" in keys and keys == {"for", "while", "step", "do"}:
        return _for(c, e, scope)
    if keys == {"while", "do"}:
        inner = scope.child()
        cond = _condition(c, e["while"], inner)
        body, _ = c.branch(e["do"], inner)
        return _repeat(cond, body, None, pretest=True), NULL
    if keys == {"do", "until"}:
        inner = scope.child()
        body, _ = c.branch(e["do"], inner)
        cond = _condition(c, e["until"], inner)
        return _repeat(cond, body, None, pretest=False), NULL
    raise NotCovered(f"loop form with keys {sorted(keys)}")


def _condition(c: Compiler, raw: Any, scope: Scope) -> Callable[[Run], Any]:
    fn, t = c.expr(raw, scope)
    if t != BOOLEAN:
        raise NotCovered("loop condition that is not a boolean")
    return fn


def _repeat(
    cond: Callable[[Run], Any], body: Callable[[Run], Any], step: Callable[[Run], Any] | None, *, pretest: bool
) -> Callable[[Run], Any]:
    """Run ``body`` (then ``step``) while ``cond`` holds, each row on its own, under row masks.

    ``pretest``: ``while`` / ``for`` test before each pass; ``do``/``until`` runs the body once
    and stops a row when its condition becomes true."""

    def run(rt: Run) -> Any:
        before = rt.active
        live: Any = np.array(True) if before is None else np.asarray(before)
        start = time.monotonic()
        try:
            while True:
                if pretest:
                    rt.active = live
                    live = live & np.asarray(cond(rt), dtype=bool)
                    if not live.any():
                        break
                rt.active = live
                since = len(rt.errors)
                body(rt)
                if step is not None:
                    step(rt)
                live = live & ~_failed(rt, since, live)  # titus2 stops a record at its error
                if not pretest:
                    rt.active = live
                    live = live & ~np.asarray(cond(rt), dtype=bool)
                    if not live.any():
                        break
                if time.monotonic() - start > BUDGET_SECONDS:
                    raise Defer(f"a loop ran past the {BUDGET_SECONDS:g} s time budget of a record")
        finally:
            rt.active = before
        return None

    return run


def _failed(rt: Run, since: int, live: Any) -> Any:
    """Rows (lanes) of ``live``'s shape that raised an error after ``rt.errors[since]``."""
    out: Any = np.zeros(np.shape(live), dtype=bool)
    for mask, *_ in rt.errors[since:]:
        m = np.asarray(mask)
        while m.ndim > out.ndim:  # errors in lanes one level deeper (a function applied per item)
            m = np.asarray(m.any(axis=-1))
        out = out | m
    return out


def _for(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled:
    """PFA ``for``: loop variables declared by ``for`` (a ``let``), tested by ``while``, updated by
    ``step`` (a ``set``) after each pass of the body."""
    inner = scope.child()
    init, _ = c.let(e["for"], inner)
    cond = _condition(c, e["while"], inner)
    body, _ = c.branch(e["do"], inner)
    step, _ = c.set(e["step"], inner)
    loop = _repeat(cond, body, step, pretest=True)

    def run(rt: Run) -> Any:
        init(rt)
        return loop(rt)

    return run, NULL


def _foreach(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled:
    af, at = c.expr(e["in"], scope)
    if not isinstance(at, Arr):
        raise NotCovered("foreach over a non-array")
    if not isinstance(e["foreach"], str):
        raise NotCovered("foreach variable that is not a name")
    from interchange.formats.pfa.fast.library.lanes import elements

    inner = scope.child()
    slot = c.slot(at.items, scope.depth)
    inner.vars[e["foreach"]] = slot
    body, _ = c.branch(e["do"], inner)

    def run(rt: Run) -> Any:
        start = time.monotonic()
        for item in elements(af(rt), at):
            rt.env[slot.id] = item
            body(rt)
            if time.monotonic() - start > BUDGET_SECONDS:
                raise Defer(f"a loop ran past the {BUDGET_SECONDS:g} s time budget of a record")
        return None

    return run, NULL


def _forkeyval(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled:
    mf, mt = c.expr(e["in"], scope)
    if not (isinstance(mt, Opaque) and mt.kind == "map"):
        raise NotCovered("forkey/forval over a non-map")
    vt = mt.members[0]
    inner = scope.child()
    kslot, vslot = c.slot(STRING, scope.depth), c.slot(vt, scope.depth)
    inner.vars[e["forkey"]], inner.vars[e["forval"]] = kslot, vslot
    body, _ = c.branch(e["do"], inner)

    def run(rt: Run) -> Any:
        m = np.asarray(mf(rt), dtype=object)
        if m.ndim != 0:
            return _per_row_items(rt, m, kslot.id, vslot.id, vt, body)
        start = time.monotonic()
        for k, v in m.item().items():  # titus2 walks the dict in its insertion order
            rt.env[kslot.id] = np.array(k, dtype=object)
            rt.env[vslot.id] = layout(objects((), [v]), np.array(True), vt)
            body(rt)
            if time.monotonic() - start > BUDGET_SECONDS:
                raise Defer(f"a loop ran past the {BUDGET_SECONDS:g} s time budget of a record")
        return None

    return run, NULL


def _per_row_items(rt: Run, m: np.ndarray, key: int, value: int, vt: Any, body: Callable[[Run], Any]) -> None:
    """forkey/forval over a map per row: item ``j`` of every row at once, under the mask of the rows
    holding ``j`` items or more (titus2 walks each row's dict in its insertion order)."""
    from interchange.formats.pfa.fast.library.collections.mapfcns import spread

    keys, values, valid = spread(m)
    laid = layout(values, valid, vt)
    start = time.monotonic()
    for j in range(keys.shape[-1]):
        before = rt.masked(valid[..., j])
        try:
            rt.env[key] = keys[..., j]
            rt.env[value] = lmap(_item(j), laid, vt)
            body(rt)
        finally:
            rt.active = before
        if time.monotonic() - start > BUDGET_SECONDS:
            raise Defer(f"a loop ran past the {BUDGET_SECONDS:g} s time budget of a record")


def _item(j: int) -> Callable[[np.ndarray, int], np.ndarray]:
    return lambda x, r: np.asarray(x)[..., j]
