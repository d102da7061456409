"""PFA's ``s.*`` string functions on whole batches, with titus2's semantics (``titus/lib/pfastring.py``).

Each function is titus2's per-value Python (``interchange.ir.derive.text``, shared with the IR's
TextDerive step) applied over the batch (``np.frompyfunc`` broadcasts a
constant argument against a column), so the results are titus2's to the character: ``s.substr``
slices like Python, ``s.substrto`` normalises its indices like titus's ``startEnd``, ``s.count`` of
an empty needle is 0, ``s.index`` / ``s.rindex`` give -1 when absent. ``s.int`` / ``s.number`` /
``s.hex`` (format strings, errors on negative widths) and ``s.split`` (arrays of a length per row)
stay with titus2; ``s.join`` joins each row's array (``sep.join``, as titus2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of
from interchange.formats.pfa.fast.types import BOOLEAN, INT, STRING, Arr, NotCovered, is_int
from interchange.ir.derive.text import TEXT_FUNCTIONS

__all__ = ["STRING_FUNCTIONS"]


# name -> (per-value function, parameter kinds "s" string / "i" int, result type): the IR's text
# functions (one copy, ``interchange.ir.derive.text``) with the fast path's types
_TYPES = {"string": STRING, "int": INT, "boolean": BOOLEAN}
STRING_FUNCTIONS: dict[str, tuple[Callable[..., Any], str, Any]] = {
    name: (f, kinds, _TYPES[result]) for name, (f, kinds, result) in TEXT_FUNCTIONS.items()
}


def _compile(name: str) -> Callable[[Compiler, list[Any], Scope], Compiled]:
    f, kinds, result = STRING_FUNCTIONS[name]
    idle = None if result is STRING else 0  # (a row the branch does not take may hold null: ifnotnull's then)
    ufunc = np.frompyfunc(lambda *a: idle if any(v is None for v in a) else f(*a), len(kinds), 1)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        compiled = args_of(c, args, scope, len(kinds))
        for (_, t), kind in zip(compiled, kinds, strict=True):
            if (kind == "s" and t != STRING) or (kind == "i" and not is_int(t)):
                raise NotCovered(f"{name} on a {t}")
        fns = [fn_ for fn_, _ in compiled]

        def run(rt: Run) -> Any:
            values = [np.asarray(fn_(rt), dtype=object if k == "s" else np.int64) for fn_, k in zip(fns, kinds, strict=True)]
            out = ufunc(*[v.astype(object) for v in values])
            if result is INT:
                return np.asarray(out, dtype=np.int64)
            if result is BOOLEAN:
                return np.asarray(out, dtype=bool)
            return np.asarray(out, dtype=object)

        return run, result

    return compile_


for _name in STRING_FUNCTIONS:
    LIBRARY[_name] = _compile(_name)


def _s_join(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (sf, st) = args_of(c, args, scope, 2)
    if at != Arr(STRING) or st != STRING:
        raise NotCovered(f"s.join of a {at} with a {st}")

    def run(rt: Run) -> Any:
        x, sep = np.asarray(af(rt), dtype=object), np.asarray(sf(rt), dtype=object)
        k = x.shape[-1]
        lead = np.broadcast_shapes(x.shape[:-1], sep.shape)
        rows = np.broadcast_to(x, lead + (k,)).reshape(-1, k).tolist()
        seps = np.broadcast_to(sep, lead).reshape(-1).tolist()
        out = np.empty(len(seps), dtype=object)
        out[:] = [s.join(r) for r, s in zip(rows, seps, strict=True)]
        return out.reshape(lead)

    return run, STRING


LIBRARY["s.join"] = _s_join
