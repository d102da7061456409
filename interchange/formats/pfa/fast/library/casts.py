"""PFA's ``cast.fanout*``, ``cast.signed`` and ``cast.unsigned`` on whole batches (titus2's ``titus/lib/cast.py``).

``cast.fanoutBoolean|Int|Long|Float|Double`` one-hot encode an enum symbol (one slot per symbol), a
string against a dictionary, or an int against ``[minimum, maximum)``, with an optional last
"out of range" slot. The dictionary, bounds and flag are read once per batch and must be the same
for every row (constants, cells): a value that varies per row defers the batch to titus2. A
dictionary with repeated strings fails every record, as in titus2. ``cast.int`` / ``long`` /
``float`` / ``double`` live in ``fast.library.imputes``; ``cast.json`` / ``cast.avro`` (serialised
text of any value) stay with titus2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of
from interchange.formats.pfa.fast.types import BOOLEAN, DOUBLE, FLOAT, INT, LONG, STRING, Arr, Defer, EnumT, NotCovered, is_int

__all__ = ["FANOUTS"]

_ITEMS = {"Boolean": BOOLEAN, "Int": INT, "Long": LONG, "Float": FLOAT, "Double": DOUBLE}
_DTYPES = {"Boolean": bool, "Int": np.int64, "Long": np.int64, "Float": np.float64, "Double": np.float64}


def _constant(v: Any, what: str) -> Any:
    """The one value of a per-batch constant (no row axis), else Defer."""
    a = np.asarray(v)
    if a.ndim != 0:
        raise Defer(f"cast.fanout {what} that varies per row")
    return a.item()


def _fanout(kind: str) -> Any:
    item, dtype = _ITEMS[kind], _DTYPES[kind]

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        compiled = args_of(c, args, scope)
        depth = scope.depth
        xf, xt = compiled[0]
        if len(compiled) == 1:
            if not isinstance(xt, EnumT):
                raise NotCovered(f"cast.fanout{kind} of one {xt}")
            symbols = np.array(xt.symbols, dtype=object)
            return (lambda rt: (np.asarray(xf(rt), dtype=object)[..., None] == symbols).astype(dtype)), Arr(item)
        if len(compiled) == 3 and xt == STRING and compiled[1][1] == Arr(STRING) and compiled[2][1] == BOOLEAN:
            (df, _), (of, _) = compiled[1], compiled[2]

            def strings(rt: Run) -> Any:
                words = np.asarray(df(rt), dtype=object)
                if words.ndim != 1:
                    raise Defer("cast.fanout dictionary that varies per row")
                x = np.asarray(xf(rt), dtype=object)
                if len(set(words.tolist())) != len(words):
                    rt.fail(np.ones(x.shape, dtype=bool), depth, "non-distinct values in dictionary")
                hits = x[..., None] == words if len(words) else np.zeros(x.shape + (0,), dtype=bool)
                if _constant(of(rt), "flag"):
                    hits = np.concatenate([hits, ~hits.any(axis=-1, keepdims=True)], axis=-1)
                return hits.astype(dtype)

            return strings, Arr(item)
        if len(compiled) == 4 and is_int(xt) and compiled[1][1] == INT and compiled[2][1] == INT and compiled[3][1] == BOOLEAN:
            (lf, _), (hf, _), (of, _) = compiled[1], compiled[2], compiled[3]

            def ints(rt: Run) -> Any:
                lo, hi = int(_constant(lf(rt), "minimum")), int(_constant(hf(rt), "maximum"))
                x = np.asarray(xf(rt), dtype=np.int64)
                hits = x[..., None] == np.arange(lo, max(hi, lo), dtype=np.int64)
                if _constant(of(rt), "flag"):
                    hits = np.concatenate([hits, ((x < lo) | (x >= hi))[..., None]], axis=-1)
                return hits.astype(dtype)

            return ints, Arr(item)
        raise NotCovered(f"cast.fanout{kind} on {[t for _, t in compiled]}")

    return compile_


def _bits(signed: bool) -> Any:
    lowest, highest = (2, 64) if signed else (1, 63)

    def one(x: int, bits: int) -> Any:
        if bits < lowest or bits > highest:
            return None
        y = x % (2**bits)  # titus2's doUnsigned: x shifted by multiples of 2**bits into [0, 2**bits)
        if signed and y > 2 ** (bits - 1) - 1:
            y -= 2**bits
        return y

    per_value = np.frompyfunc(one, 2, 1)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (xf, xt), (bf, bt) = args_of(c, args, scope, 2)
        if not (is_int(xt) and is_int(bt)):
            raise NotCovered(f"cast.{'signed' if signed else 'unsigned'} on {xt} and {bt}")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x, b = np.asarray(xf(rt), dtype=np.int64), np.asarray(bf(rt), dtype=np.int64)
            out = np.asarray(per_value(x.astype(object), b.astype(object)), dtype=object)
            bad = np.asarray(np.frompyfunc(lambda v: v is None, 1, 1)(out), dtype=bool)
            rt.fail(bad, depth, "unrepresentable unsigned number")
            return np.where(bad, 0, out).astype(np.int64)

        return run, LONG

    return compile_


for _kind in _ITEMS:
    LIBRARY[f"cast.fanout{_kind}"] = _fanout(_kind)
LIBRARY["cast.signed"] = _bits(True)
LIBRARY["cast.unsigned"] = _bits(False)

FANOUTS = [f"cast.fanout{k}" for k in _ITEMS]
