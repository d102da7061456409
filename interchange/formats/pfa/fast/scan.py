"""Cells and pools written while scoring, on whole batches: running sums as prefix sums.

PFA 0.8.1, "Cells" / "Pools": a record sees what the records before it wrote. When every write
is a statement of the action itself (not inside a branch, loop or function) that adds a value
computed from the record to the old one (``{"cell": c, "to": {"params": [{"x": T}], "do": {"+":
["x", e]}}}``, and the pool form with ``path: [key]`` and ``init``), the value a record sees is
the state before the batch plus a prefix sum of ``e`` over the batch (per key for pools), in
record order: ``np.cumsum`` adds left to right, as titus2 does record after record, so the sums
are the same numbers. Every other statement then runs over the whole batch at once.

Refused (``NotCovered``: the document keeps the record-by-record mode, ``fast.sequential``):
writes anywhere but as statements of the action, a cell or pool written twice, reads before the
write, reads inside functions applied per item, state of other than int / long / double. A batch
where something would raise for a record, an int sum leaving its range or a pool entry read
before it exists raises ``ScanFallback``: the caller restores the state and runs that batch
record by record (titus2's order of errors and writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.state import State
from interchange.formats.pfa.fast.types import DOUBLE, INT, LONG, STRING, NotCovered

__all__ = ["Scan", "ScanFallback", "scan_forms"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class ScanFallback(Exception):
    """This batch has no prefix-sum form (an error, an overflow, a missing entry): run it record by record."""


class Scan:
    """The compiler's state while compiling the prefix-sum form; per batch, the sums it computed."""

    def __init__(self, state: State, doc: dict[str, Any]) -> None:
        self.state = state
        self.top = {id(e) for e in (doc["action"] if isinstance(doc["action"], list) else [doc["action"]])}
        self.written: set[tuple[str, str]] = set()
        self.writes = _written_cells(doc)
        self.cells: dict[str, np.ndarray] = {}  # per batch: the value each record sees after its write
        self.pools: dict[str, tuple[dict[str, tuple[np.ndarray, np.ndarray, bool]], Any]] = {}
        self.pending: dict[str, Any] = {}  # per batch: the state after the batch, committed by ``commit``

    def commit(self) -> None:
        for key, value in self.pending.items():
            kind, name = key.split(":", 1)
            if kind == "cell":
                self.state.cells[name] = value
            else:
                self.state.pools[name].update(value)
        self.pending.clear()


def scan_forms(c: Compiler, e: dict[str, Any], keys: set[str], scope: Scope) -> Compiled | None:
    """A cell or pool form compiled for the prefix-sum mode (``c.state`` is a :class:`Scan`);
    None for a read of a cell nothing writes (a constant, read as usual)."""
    scan: Scan = c.state
    what = "cell" if "cell" in keys else "pool"
    name = e[what]
    if what == "cell" and "to" not in keys and name not in scan.writes:
        return None
    if scope.depth != 0:
        raise NotCovered(f"{what} {name} inside a function applied per item")
    if "to" in keys:
        if id(e) not in scan.top:
            raise NotCovered(f"{what} {name} written inside an expression (not a statement of the action)")
        if (what, name) in scan.written:
            raise NotCovered(f"{what} {name} written twice")
        scan.written.add((what, name))
        return _cell_sum(c, e, scope) if what == "cell" else _pool_sum(c, e, keys, scope)
    if (what, name) not in scan.written:
        raise NotCovered(f"{what} {name} read before the statement that writes it")
    if what == "cell":
        if e.get("path"):
            raise NotCovered(f"a path into cell {name}")
        return (lambda rt: scan.cells[name]), scan.state.cell_types[name]
    return _pool_read(c, e, keys, scope)


def _written_cells(expr: Any) -> set[str]:
    if isinstance(expr, list):
        return {n for x in expr for n in _written_cells(x)}
    if isinstance(expr, dict):
        own = {expr["cell"]} if "cell" in expr and "to" in expr and isinstance(expr["cell"], str) else set()
        return own | {n for v in expr.values() for n in _written_cells(v)}
    return set()


def _increment(c: Compiler, raw: Any, t: Any, scope: Scope, what: str) -> Callable[[Run], Any]:
    """``e`` of an updater ``x -> x + e`` (either order) whose ``e`` does not use ``x``."""
    if t not in (DOUBLE, INT, LONG):
        raise NotCovered(f"{what} of type {t} (prefix sums of numbers only)")
    if not (isinstance(raw, dict) and isinstance(raw.get("params"), list) and len(raw["params"]) == 1):
        raise NotCovered(f"{what} updated by other than an inline function of one parameter")
    ((x, xt),) = raw["params"][0].items()
    body = raw.get("do")
    body = body[0] if isinstance(body, list) and len(body) == 1 else body
    if c.types.parse(xt) != t or c.types.parse(raw.get("ret")) != t:
        raise NotCovered(f"{what} updated with other types")
    if not (isinstance(body, dict) and list(body) == ["+"] and isinstance(body["+"], list) and x in body["+"]):
        raise NotCovered(f"{what} updated by other than adding to the old value")
    rest = [a for a in body["+"] if a != x]
    if len(rest) != 1 or _mentions(rest[0], x):
        raise NotCovered(f"{what} updated by other than adding a value to the old one")
    f, ft = c.expr(rest[0], scope)
    if ft not in (DOUBLE, INT, LONG) or (t != DOUBLE and ft == DOUBLE):
        raise NotCovered(f"{what} plus a {ft}")
    return f


def _mentions(e: Any, name: str) -> bool:
    if isinstance(e, str):
        return e == name or e.startswith(name + ".")
    if isinstance(e, list):
        return any(_mentions(x, name) for x in e)
    if isinstance(e, dict):
        return any(_mentions(v, name) for v in e.values())
    return False


def _sums(start: Any, e: np.ndarray, t: Any) -> np.ndarray:
    """``start``, then ``start + e[0]``, then ``+ e[1]``... left to right (titus2's record order)."""
    if t == DOUBLE:
        return np.cumsum(np.concatenate([np.asarray(start, dtype=np.float64).reshape(1), e.astype(np.float64)]))
    whole = np.concatenate([np.asarray(start, dtype=np.int64).reshape(1), e.astype(np.int64)])
    approx = np.cumsum(whole.astype(np.float64))
    lo, hi = (INT_MIN, INT_MAX) if t == INT else (-(2.0**62), 2.0**62)
    if (approx < lo).any() or (approx > hi).any():
        raise ScanFallback(f"a running {t.name} sum near its range")
    out = np.cumsum(whole)
    if t == INT and ((out < INT_MIN) | (out > INT_MAX)).any():
        raise ScanFallback("int overflow in a running sum")
    return out


def _rows(v: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(v), (n,))


def _cell_sum(c: Compiler, e: dict[str, Any], scope: Scope) -> Compiled:
    scan: Scan = c.state
    name = e["cell"]
    if e.get("path") or name not in scan.state.cells:
        raise NotCovered(f"cell-to of {name} with a path or of an unknown cell")
    t = scan.state.cell_types[name]
    inc = _increment(c, e["to"], t, scope, f"cell {name}")

    def run(rt: Run) -> Any:
        sums = _sums(scan.state.cells[name], _rows(inc(rt), rt.n), t)
        scan.cells[name] = sums[1:]
        scan.pending[f"cell:{name}"] = np.asarray(sums[-1])
        return sums[1:]

    return run, t


def _pool_sum(c: Compiler, e: dict[str, Any], keys: set[str], scope: Scope) -> Compiled:
    scan: Scan = c.state
    name = e["pool"]
    path = e.get("path") or []
    if keys != {"pool", "path", "to", "init"} or len(path) != 1 or name not in scan.state.pools:
        raise NotCovered(f"pool-to of {name} with keys {sorted(keys)} / a path longer than the key")
    t = scan.state.pool_types[name]
    kf, kt = c.expr(path[0], scope)
    if kt != STRING:
        raise NotCovered(f"pool {name} keyed by {kt}")
    inc = _increment(c, e["to"], t, scope, f"pool {name}")
    init_f, init_t = c.expr(e["init"], scope)
    if init_t not in (DOUBLE, INT, LONG) or (t != DOUBLE and init_t == DOUBLE):
        raise NotCovered(f"pool {name} initialised with a {init_t}")

    def run(rt: Run) -> Any:
        n = rt.n
        es, init = _rows(inc(rt), n), _rows(init_f(rt), n)
        groups = _groups(_rows(kf(rt), n))
        entries = scan.state.pools[name]
        seen = np.empty(n, dtype=np.float64 if t == DOUBLE else np.int64)
        table: dict[str, tuple[np.ndarray, np.ndarray, bool]] = {}
        final: dict[str, Any] = {}
        for k, idx in groups.items():
            old = entries.get(k)
            sums = _sums(init[idx[0]] if old is None else old, es[idx], t)
            seen[idx] = sums[1:]
            table[k] = (idx, sums, old is None)
            final[k] = np.asarray(sums[-1])
        scan.pools[name] = (table, None)
        scan.pending[f"pool:{name}"] = final
        return seen

    return run, t


def _pool_read(c: Compiler, e: dict[str, Any], keys: set[str], scope: Scope) -> Compiled:
    scan: Scan = c.state
    name = e["pool"]
    path = e.get("path") or []
    if keys != {"pool", "path"} or len(path) != 1:
        raise NotCovered(f"a read of pool {name} with keys {sorted(keys)} / a path longer than the key")
    kf, kt = c.expr(path[0], scope)
    if kt != STRING:
        raise NotCovered(f"pool {name} keyed by {kt}")
    t = scan.state.pool_types[name]

    def run(rt: Run) -> Any:
        n = rt.n
        table = scan.pools[name][0]
        entries = scan.state.pools[name]
        out = np.empty(n, dtype=np.float64 if t == DOUBLE else np.int64)
        for k, rows in _groups(_rows(kf(rt), n)).items():
            found = table.get(k)
            if found is None:
                if k not in entries:
                    raise ScanFallback(f"pool {name} read at a key it does not hold")
                out[rows] = np.asarray(entries[k])
                continue
            idx, sums, new = found
            at = np.searchsorted(idx, rows, side="right")  # how many of the key's writes each row has seen
            if new and (at == 0).any():
                raise ScanFallback(f"pool {name} read at a key before its first write")
            out[rows] = sums[at]
        return out

    return run, t


def _groups(keys: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of each key, keys in order of first appearance (the order titus2 adds pool entries in)."""
    values = np.asarray(keys, dtype=object)
    uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    return {uniq[j]: np.flatnonzero(inverse == j) for j in np.argsort(first, kind="stable").tolist()}
