"""Writes to cells (and pools) that nothing reads, dropped before compiling (what titus's chain producer adds).

``titus.producer.chain`` keeps bookkeeping cells (``name``, ``instance``, ``metadata``,
``actionsStarted``, ``actionsFinished``) written from ``begin``, ``action`` and ``end`` with the
engine's own symbols, and never read. A write-only cell cannot change an output, so a statement
that writes one can go, provided the written expression cannot fail a record either: an engine
symbol of the cell's type, or a literal. Anything else (an updater function, a path, a cell
that is also read) is left in place, and the compiler declines it as before.
"""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.fast.types import INT, LONG, STRING, NotCovered, Opaque, Prim, Types

__all__ = ["drop_write_only"]

# PFA symbols the engine defines (PFA 0.8.1, "Symbols"), by the sections they exist in
_BEGIN = {"name": STRING, "instance": INT, "metadata": "map"}
_ACTION = {**_BEGIN, "actionsStarted": LONG, "actionsFinished": LONG}


def drop_write_only(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` without statements that only write cells or pools nothing reads (a shallow copy if any went)."""
    doc = _drop_pool_writes(doc)
    cells = doc.get("cells") or {}
    if not isinstance(cells, dict) or not cells:
        return doc
    sections = [doc.get(k) for k in ("action", "begin", "end")] + [doc.get("fcns")]
    read = set().union(*(_reads(s) for s in sections))
    unread = {name for name in cells if name not in read}
    if not unread:
        return doc
    types = Types(doc)
    version = {"version": INT} if doc.get("version") is not None else {}
    out = dict(doc)
    for key, symbols, keep_last in (("begin", _BEGIN, False), ("action", _ACTION, True), ("end", _ACTION, False)):
        block = doc.get(key)
        if block is None:
            continue
        kept = _strip(block if isinstance(block, list) else [block], unread, cells, types, {**symbols, **version}, keep_last)
        if kept:
            out[key] = kept
        else:
            out.pop(key)
    return out


def _strip(
    block: list[Any], unread: set[str], cells: dict[str, Any], types: Types, symbols: dict[str, Any], keep_last: bool
) -> list[Any]:
    last = len(block) - 1
    return [e for i, e in enumerate(block) if (keep_last and i == last) or not _harmless_write(e, unread, cells, types, symbols)]


def _harmless_write(e: Any, unread: set[str], cells: dict[str, Any], types: Types, symbols: dict[str, Any]) -> bool:
    if not isinstance(e, dict) or {k for k in e if not k.startswith("@")} != {"cell", "to"} or e["cell"] not in unread:
        return False
    spec = cells[e["cell"]]
    try:
        t = types.parse(spec["type"]) if isinstance(spec, dict) else None
    except NotCovered:
        return False
    to = e["to"]
    if isinstance(to, str):  # an engine symbol of the cell's own type
        want = symbols.get(to)
        if want == "map":
            return isinstance(t, Opaque) and t.kind == "map" and t.members == (STRING,)
        return want is not None and want == t
    literal = _literal_type(to)
    return literal is not None and literal == t


def _literal_type(e: Any) -> Any:
    if isinstance(e, bool):
        return Prim("boolean")
    if isinstance(e, int):
        return INT if -(2**31) <= e < 2**31 else LONG
    if isinstance(e, float):
        return Prim("double")
    if e is None:
        return Prim("null")
    if isinstance(e, dict) and {k for k in e if not k.startswith("@")} == {"string"} and isinstance(e["string"], str):
        return STRING
    return None


def _reads(e: Any) -> set[str]:
    """Cells read anywhere in ``e`` (``{"cell": c}`` without ``to``; an updater function reads too)."""
    found: set[str] = set()
    if isinstance(e, list):
        for x in e:
            found |= _reads(x)
    elif isinstance(e, dict):
        to = e.get("to")
        if isinstance(e.get("cell"), str) and ("to" not in e or (isinstance(to, dict) and ("params" in to or "fcn" in to))):
            found.add(e["cell"])
        for v in e.values():
            found |= _reads(v)
    return found


def _drop_pool_writes(doc: dict[str, Any]) -> dict[str, Any]:
    """The action without ``pool-to`` statements on pools nothing reads, when the write cannot fail a
    record: one literal string key, a literal ``init`` of the pool's type and, as the new value, a
    literal or the ``input`` symbol of the pool's type (PFA 0.8.1 "Pools"). Such a pool can change no
    output; a pool left with no statement at all is dropped too."""
    pools = doc.get("pools") or {}
    action = doc.get("action")
    if not isinstance(pools, dict) or not pools or not isinstance(action, list):
        return doc
    sections = [doc.get(k) for k in ("action", "begin", "end")] + [doc.get("fcns")]
    read = set().union(*(_pool_reads(s) for s in sections))
    types = Types(doc)
    last = len(action) - 1
    kept = [e for i, e in enumerate(action) if i == last or not _harmless_pool_write(e, pools, read, types, doc)]
    if len(kept) == len(action):
        return doc
    out = {**doc, "action": kept}
    left = set().union(*(_pools_named(s) for s in [kept, doc.get("begin"), doc.get("end"), doc.get("fcns")]))
    out["pools"] = {k: v for k, v in pools.items() if k in left}
    if not out["pools"]:
        out.pop("pools")
    return out


def _harmless_pool_write(e: Any, pools: dict[str, Any], read: set[str], types: Types, doc: dict[str, Any]) -> bool:
    if not isinstance(e, dict) or {k for k in e if not k.startswith("@")} != {"pool", "path", "to", "init"}:
        return False
    name = e["pool"]
    if name in read or name not in pools or not isinstance(pools[name], dict):
        return False
    try:
        t = types.parse(pools[name]["type"])
        input_t = types.parse(doc["input"])
    except (NotCovered, KeyError):
        return False
    path = e["path"]
    if not (isinstance(path, list) and len(path) == 1 and _literal_type(path[0]) == STRING):
        return False
    if _literal_type(e["init"]) != t:
        return False
    to = e["to"]
    return (to == "input" and input_t == t) or (not isinstance(to, str) and _literal_type(to) == t)


def _pool_reads(e: Any) -> set[str]:
    """Pools read anywhere in ``e`` (``{"pool": p}`` without ``to``; an updater function reads too)."""
    found: set[str] = set()
    if isinstance(e, list):
        for x in e:
            found |= _pool_reads(x)
    elif isinstance(e, dict):
        to = e.get("to")
        if isinstance(e.get("pool"), str) and ("to" not in e or (isinstance(to, dict) and ("params" in to or "fcn" in to))):
            found.add(e["pool"])
        for v in e.values():
            found |= _pool_reads(v)
    return found


def _pools_named(e: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(e, list):
        for x in e:
            found |= _pools_named(x)
    elif isinstance(e, dict):
        if isinstance(e.get("pool"), str):
            found.add(e["pool"])
        for v in e.values():
            found |= _pools_named(v)
    return found
