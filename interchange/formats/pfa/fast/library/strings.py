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


def _compile(
    name: str, function: tuple[Callable[..., Any], str, Any] | None = None
) -> Callable[[Compiler, list[Any], Scope], Compiled]:
    """The compiler of ``name`` (``function``: its per-value function, kinds and result, else STRING_FUNCTIONS')."""
    f, kinds, result = function or STRING_FUNCTIONS[name]
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


# --- re.contains / re.replaceall: titus2's own functions (titus/lib/regex.py: the C library's POSIX regexec
# on UTF-8 bytes, with titus2's search loop) applied per value, so the answers are titus2's by construction


def _titus_regex(name: str) -> Callable[..., Any]:
    from interchange.formats.pfa.titus import engine_class

    engine_class()  # (its shims let titus2 import under NumPy 2)
    from titus.lib.regex import provides

    f = provides[name]
    return lambda *args: f(None, None, None, ["string"] * len(args), *args)


def _pattern_of(node: Any) -> str | None:
    if isinstance(node, dict) and {k for k in node if not k.startswith("@")} == {"string"}:
        return str(node["string"])
    return None


def _matches_empty(pattern: str) -> bool:
    """Whether titus2's search could find an empty match (its replace loop would then never end): a POSIX
    extended pattern without GNU zero-width escapes matches the empty text where it matches empty anywhere."""
    import ctypes
    import re

    _titus_regex("re.contains")  # (imports titus2)
    from titus.lib.regex import Regexer

    if re.search(r"\\[A-Za-z`']", pattern):
        return True  # (\b, \<, \` ...: zero-width in the C library; not told apart here)
    try:
        r = Regexer(b"", pattern.encode(), 0, "re.replaceall", None)
    except Exception:
        return True  # (a bad pattern: left to titus2, which reports it)
    try:
        return int(Regexer.libc.regexec(ctypes.byref(r.regex_t), b"", r.numGroups, r.groupArray, 0)) == 0
    finally:
        r.free()


def _regex(name: str, kinds: str, result: Any) -> Callable[[Compiler, list[Any], Scope], Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        pattern = _pattern_of(args[1]) if len(args) == len(kinds) else None
        if pattern is None:
            raise NotCovered(f"function {name}: the fast path runs titus2's regular expressions on a constant pattern only")
        if name != "re.contains" and _matches_empty(pattern):
            raise NotCovered(f"function {name}: the pattern {pattern!r} may match the empty text (titus2's loop never ends)")
        return _compile(name, (_titus_regex(name), kinds, result))(c, args, scope)

    return compile_


LIBRARY["re.contains"] = _regex("re.contains", "ss", BOOLEAN)
LIBRARY["re.replaceall"] = _regex("re.replaceall", "sss", STRING)
