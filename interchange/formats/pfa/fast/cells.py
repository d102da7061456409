"""Writes to cells that nothing reads, dropped before compiling (what titus's chain producer adds).

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
    """``doc`` without statements that only write cells nothing reads (a shallow copy if any went)."""
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
