"""Cells and pools the action writes: model state carried from record to record, in input order.

PFA 0.8.1, "Cells" and "Pools": ``{"cell": c, "to": x}`` replaces a cell (``x`` a value, or a
function of the old value) and returns the new value; ``{"pool": p, "path": [k], "to": x, "init":
i}`` does the same for the entry ``k`` of pool ``p`` (starting from ``i`` when the entry is new);
``{"pool": p, "path": [k, ...]}`` reads an entry ("map key not found" when it is absent). A later
record sees what earlier records wrote, so such a document has no batch form in general (running
sums do: ``fast.scan``): the fast path then runs its compiled action once per record in order
(``fast.sequential``), each record a batch of one, with the values held here between records and
batches. A record that fails stops where
titus2 stops (``Run.strict``): writes before the failure stay, as titus2 keeps them (cells that
roll back are refused at compile time).

Writes inside a function applied per array item (``a.map``...), cell paths and ``pool-del`` are
refused by name; titus2 takes those documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope, coerce
from interchange.formats.pfa.fast.types import (
    STRING,
    Arr,
    EnumT,
    NotCovered,
    Nullable,
    Opt,
    Prim,
    Rec,
    const_of,
    lmap,
)

__all__ = ["State", "cell_read", "cell_to", "pool", "plain", "writes_state"]


class State:
    """The cells and pools a document writes, as constants (no row axis) between records."""

    def __init__(self) -> None:
        self.cells: dict[str, Any] = {}
        self.pools: dict[str, dict[str, Any]] = {}
        self.cell_types: dict[str, Any] = {}
        self.pool_types: dict[str, Any] = {}

    def snapshot(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        return dict(self.cells), {k: dict(v) for k, v in self.pools.items()}

    def restore(self, saved: tuple[dict[str, Any], dict[str, dict[str, Any]]]) -> None:
        self.cells, self.pools = dict(saved[0]), {k: dict(v) for k, v in saved[1].items()}


def writes_state(doc: dict[str, Any]) -> bool:
    """Whether the action or a function writes a cell or a pool."""
    return _writes(doc.get("action")) or _writes(doc.get("fcns"))


def _writes(expr: Any) -> bool:
    if isinstance(expr, list):
        return any(_writes(x) for x in expr)
    if isinstance(expr, dict):
        if ("cell" in expr or "pool" in expr) and "to" in expr:
            return True
        return any(_writes(v) for v in expr.values())
    return False


def load_pools(c: Compiler, state: State) -> None:
    for name, spec in (c.doc.get("pools") or {}).items():
        if not isinstance(spec, dict) or spec.get("shared") or spec.get("rollback"):
            raise NotCovered(f"pool {name} is shared or rolls back")
        t = c.types.parse(spec["type"])
        init = spec.get("init", {})
        if not isinstance(init, dict):
            raise NotCovered(f"pool {name} whose init is not a map")
        state.pool_types[name] = t
        state.pools[name] = {k: const_of(v, t) for k, v in init.items()}


def row_constant(v: Any, t: Any) -> Any:
    """A value of a batch of one row as a constant (the row axis dropped where it is there)."""
    return lmap(lambda x, r: np.asarray(x)[0] if np.ndim(x) > r else np.asarray(x), v, t)


def _live(rt: Run) -> bool:
    """Whether the one record of a sequential batch takes the branch being evaluated."""
    return rt.active is None or bool(np.asarray(rt.active).any())


def _updater(c: Compiler, raw: Any, t: Any, scope: Scope, what: str) -> Callable[[Run, Any], Any]:
    """``to``: a function of the old value (inline or a reference), or an expression."""
    if isinstance(raw, dict) and ("params" in raw or "fcn" in raw):
        slots, body, ret = c.fcn(raw, scope).bind([t], scope.depth)
        if len(slots) != 1:
            raise NotCovered(f"{what} updated by a function of {len(slots)} parameters")
        fn = coerce(body, ret, t)
        sid = slots[0].id

        def apply(rt: Run, old: Any) -> Any:
            rt.env[sid] = old
            return fn(rt)

        return apply
    f, ft = c.expr(raw, scope)
    value = coerce(f, ft, t)
    return lambda rt, old: value(rt)


def _writable(c: Compiler, scope: Scope, what: str) -> State:
    state: State | None = getattr(c, "state", None)
    if state is None:
        raise NotCovered(f"{what} outside a document evaluated record by record")
    if scope.depth != 0:
        raise NotCovered(f"{what} inside a function applied per array item (titus2 writes once per item)")
    return state


def cell_read(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled | None:
    """A read of a cell the action writes (its current value), or None for a read-only cell."""
    state: State | None = getattr(c, "state", None)
    if state is None or e["cell"] not in state.cells:
        return None
    name, t = e["cell"], state.cell_types[e["cell"]]
    return c.path(lambda rt: state.cells[name], t, e.get("path", []), scope)


def cell_to(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled:
    name = e["cell"]
    state = _writable(c, scope, f"cell-to of {name}")
    if e.get("path"):
        raise NotCovered(f"cell-to of {name} with a path")
    if name not in state.cells:
        raise NotCovered(f"cell-to of unknown cell {name}")
    t = state.cell_types[name]
    update = _updater(c, e["to"], t, scope, f"cell {name}")

    def run(rt: Run) -> Any:
        if not _live(rt):
            return state.cells[name]
        state.cells[name] = row_constant(update(rt, state.cells[name]), t)
        return state.cells[name]

    return run, t


def pool(c: Compiler, e: dict[str, Any], keys: set[str], scope: Scope) -> Compiled:
    """``pool`` reads (``path``) and ``pool-to`` writes (``path``, ``to``, ``init``)."""
    name = e["pool"]
    if "del" in keys:
        raise NotCovered(f"pool-del of pool {name} (entries removed from a pool)")
    state = _writable(c, scope, f"pool {name}")
    if name not in state.pools:
        raise NotCovered(f"unknown pool {name}")
    t, path = state.pool_types[name], e.get("path") or []
    if not path:
        raise NotCovered(f"pool {name} without a path")
    kf, kt = c.expr(path[0], scope)
    if kt != STRING:
        raise NotCovered(f"pool {name} keyed by {kt}")
    entries = state.pools

    def key(rt: Run) -> str:
        return str(np.asarray(kf(rt), dtype=object).reshape(-1)[0])

    depth = scope.depth
    if keys == {"pool", "path"}:

        def get(rt: Run) -> Any:
            k = key(rt)
            found = entries[name].get(k)
            if found is None:
                if _live(rt):
                    rt.fail(np.array(True), depth, "map key not found")
                return const_of(_filler(t), t)
            return found

        return c.path(get, t, path[1:], scope)
    if keys != {"pool", "path", "to", "init"} or len(path) != 1:
        raise NotCovered(f"pool-to of {name} with keys {sorted(keys)} / a path longer than the key")
    update = _updater(c, e["to"], t, scope, f"pool {name}")
    init_f, init_t = c.expr(e["init"], scope)
    init = coerce(init_f, init_t, t)

    def put(rt: Run) -> Any:
        k = key(rt)
        if not _live(rt):
            return entries[name].get(k, const_of(_filler(t), t))
        old = entries[name].get(k)
        if old is None:
            old = row_constant(init(rt), t)
        entries[name][k] = row_constant(update(rt, old), t)
        return entries[name][k]

    return put, t


def _filler(t: Any) -> Any:
    if isinstance(t, Prim):
        return {"boolean": False, "string": "", "null": None}.get(t.name, 0)
    raise NotCovered(f"pool of {t} values read without a key check")


def plain(v: Any, t: Any) -> Any:
    """A constant in the fast layout as the Python value titus2 keeps (for handing state over)."""
    if isinstance(t, Prim) or isinstance(t, EnumT):
        return np.asarray(v).item()
    if isinstance(t, Arr):
        from interchange.formats.pfa.fast.library.lanes import elements

        return [plain(x, t.items) for x in elements(v, t)]
    if isinstance(t, Opt):
        assert isinstance(v, Nullable)
        return None if bool(np.asarray(v.missing)) else plain(v.value, t.inner)
    if isinstance(t, Rec) and not t.recursive:
        return {k: plain(v[k], ft) for k, ft in t.fields.items()}
    return np.asarray(v, dtype=object).item()
