"""PFA ``model.tree.simpleTest`` / ``missingTest`` on whole batches, as titus2 implements them.

titus2 (``titus/lib/model/tree.py``, ``simpleComparison``): ``alwaysTrue``/``alwaysFalse``;
``isMissing``/``notMissing`` (simpleTest only); ``in``/``notIn`` against an array value; and
``<= < >= > == !=`` between the datum field and the node's value, numbers as numbers and strings
as strings. A value type that does not accept the field's type fails the record with "bad value
type", an operator it does not know with "invalid comparison operator"; missingTest returns null
where the field is null (after the type check, before the operator check). Types are seen as
titus2 sees them: simpleTest keeps a nullable field's union (so only the always/missing
operators work on it), missingTest drops the null.

Rows are grouped by the field and operator of their node, and by the node's value where titus2
holds it as JSON (unions, arrays: a :class:`RawColumn`), so each group is one numpy operation.
Values titus2 compares in odd ways (a union's members of different types, ``in`` on a number)
raise Defer: titus2 evaluates that batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY
from interchange.formats.pfa.fast.trees.walk import RawColumn
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    NULL,
    STRING,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Nullable,
    Opaque,
    Opt,
    Prim,
    Rec,
    is_num,
)

__all__ = ["LIBRARY"]

COMPARE = {"<=": np.less_equal, "<": np.less, ">=": np.greater_equal, ">": np.greater, "==": np.equal, "!=": np.not_equal}
NUMBERS = ("int", "long", "float", "double")
WIDENS = {t: NUMBERS[: i + 1] for i, t in enumerate(NUMBERS)}  # what each numeric type accepts
EXACT = 2**53  # ints beyond this compare differently as Python ints and as doubles


def _members(t: Any) -> list[Any] | None:
    if isinstance(t, Opt):
        return [NULL, t.inner]
    if isinstance(t, Opaque) and t.kind == "union":
        return list(t.members)
    return None


def accepts(a: Any, b: Any) -> bool:
    """titus ``AvroType.accepts`` (would a value of type ``b`` do where ``a`` is expected?) on our types."""
    am, bm = _members(a), _members(b)
    if am is not None and bm is not None:
        return all(any(accepts(x, y) for x in am) for y in bm)
    if am is not None:
        return any(accepts(x, b) for x in am)
    if bm is not None:
        return all(accepts(a, y) for y in bm)
    if isinstance(a, Prim) and isinstance(b, Prim):
        return b.name in WIDENS[a.name] if a.name in WIDENS else a == b
    if isinstance(a, Arr) and isinstance(b, Arr):
        return accepts(a.items, b.items)
    return False


def _plain(t: Any) -> bool:
    return is_num(t) or t == STRING or (isinstance(t, Arr) and (is_num(t.items) or t.items == STRING))


@dataclass(frozen=True)
class _Field:
    """One datum field a node may test, with titus2's static verdicts for ``in`` and comparisons."""

    nullable: bool
    numeric: bool  # compared as numbers (else as strings)
    in_ok: bool  # the value type has an array of items accepting the field
    compare_ok: bool  # the value type accepts the field (or both are numbers)


def _fields(dt: Rec, ft: EnumT, vt: Any, missing: bool) -> dict[str, _Field]:
    out = {}
    arrays = [m for m in (_members(vt) or [vt]) if isinstance(m, Arr)]
    for k in ft.symbols:
        t = dt.fields.get(k)
        if t is None:
            raise NotCovered(f"tree test field {k} not in the datum")
        base = t.inner if isinstance(t, Opt) else t
        if not (is_num(base) or base == STRING):
            raise NotCovered(f"tree test on a {t} field")
        seen = base if missing else t  # missingTest drops the null from the field's union
        out[k] = _Field(
            nullable=isinstance(t, Opt),
            numeric=is_num(seen),
            in_ok=any(accepts(m.items, seen) for m in arrays),
            compare_ok=accepts(vt, seen) or (is_num(vt) and is_num(seen)),
        )
    return out


def _tree_test(missing: bool) -> Callable[..., Compiled]:
    name = "model.tree.missingTest" if missing else "model.tree.simpleTest"

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2:
            raise NotCovered(f"{name} arity")
        (df, dt), (nf, nt) = c.expr(args[0], scope), c.expr(args[1], scope)
        if not (isinstance(dt, Rec) and isinstance(nt, Rec)) or dt.recursive:
            raise NotCovered("tree test arguments")
        ft, vt = nt.fields.get("field"), nt.fields.get("value")
        if not isinstance(ft, EnumT) or nt.fields.get("operator") != STRING:
            raise NotCovered("tree test node fields")
        if not all(_plain(m) for m in (_members(vt) or [vt])):  # a null member is not plain either
            raise NotCovered(f"tree test value of type {vt}")
        if isinstance(vt, Arr) and not nt.recursive:  # laid out as numpy arrays there, not as titus's lists
            raise NotCovered("tree test with an array value in a non-recursive record")
        fields = _fields(dt, ft, vt, missing)
        depth = scope.depth

        def run(rt: Run) -> Any:
            d, node = df(rt), nf(rt)
            parts = [_part(node, "field", None), _part(node, "operator", None), _part(node, "value", vt)]
            value = parts[2]
            shape = np.broadcast_shapes(*(np.shape(p.codes if isinstance(p, RawColumn) else p) for p in parts))
            columns = {k: (d[k].value, d[k].missing) if f.nullable else (d[k], None) for k, f in fields.items()}
            for x, m in columns.values():
                shape = np.broadcast_shapes(shape, np.shape(x), np.shape(m) if m is not None else ())
            if rt.active is not None:
                shape = np.broadcast_shapes(shape, np.shape(rt.active))
            flat = [_flat(p if not isinstance(p, RawColumn) else p.codes, shape) for p in parts]
            g = _Group(shape, value.values if isinstance(value, RawColumn) else None)
            live = np.ones(g.size, dtype=bool) if rt.active is None else _flat(np.asarray(rt.active, dtype=bool), shape)
            for k, f in fields.items():
                at = np.flatnonzero(live & (flat[0] == k))
                if not at.size:
                    continue
                x, m = columns[k]
                xs = _flat(x, shape)
                ms = _flat(m, shape) if m is not None else None
                ops = flat[1][at]
                for op in set(ops.tolist()):
                    g.evaluate(f, op, at[ops == op], xs, ms, flat[2], missing)
            rt.fail(g.bad_value.reshape(shape), depth, "bad value type")
            rt.fail(g.bad_operator.reshape(shape), depth, "invalid comparison operator")
            out = g.out.reshape(shape)
            return Nullable(out, g.null.reshape(shape)) if missing else out

        return run, Opt(BOOLEAN) if missing else BOOLEAN

    return compile_


class _Group:
    """Results of one test call over a batch (flat), filled one (field, operator) group at a time."""

    def __init__(self, shape: tuple[int, ...], raw: list[Any] | None) -> None:
        self.size = int(np.prod(shape))
        self.out = np.zeros(self.size, dtype=bool)
        self.null = np.zeros(self.size, dtype=bool)
        self.bad_value = np.zeros(self.size, dtype=bool)
        self.bad_operator = np.zeros(self.size, dtype=bool)
        self.raw = raw  # the node values titus2 holds as JSON (``value`` then holds codes into it), else None

    def evaluate(self, f: _Field, op: str, at: np.ndarray, x: np.ndarray, m: Any, value: np.ndarray, missing: bool) -> None:
        if op in ("alwaysTrue", "alwaysFalse"):
            self.out[at] = op == "alwaysTrue"
            return
        if not missing and op in ("isMissing", "notMissing"):
            absent = m[at] if m is not None else np.zeros(at.size, dtype=bool)
            self.out[at] = absent if op == "isMissing" else ~absent
            return
        if not (f.in_ok if op in ("in", "notIn") else f.compare_ok):
            self.bad_value[at] = True
            return
        if missing and m is not None:  # titus: a null field gives null (after the type check)
            self.null[at[m[at]]] = True
            at = at[~m[at]]
        if op in ("in", "notIn"):
            inside = self._contains(f, at, x, value)
            self.out[at] = inside if op == "in" else ~inside
            return
        if f.numeric:
            v, ok = self._numbers(at, value)
            self.bad_value[at[~ok]] = True
            at, v = at[ok], v[ok]
        if op not in COMPARE:
            self.bad_operator[at] = True
            return
        if f.numeric:
            xs = x[at]
            if xs.dtype.kind in "iu" and (np.abs(xs) > EXACT).any():
                raise Defer("tree test on an integer beyond 2**53")
            self.out[at] = COMPARE[op](xs, v)
        else:
            self.out[at] = np.asarray(COMPARE[op](x[at].astype(object), self._strings(at, value)), dtype=bool)

    def _per_value(self, at: np.ndarray, value: np.ndarray, convert: Callable[[Any], Any], dtype: Any) -> np.ndarray:
        """``convert`` applied once per distinct raw value of the rows ``at``."""
        assert self.raw is not None
        codes, inverse = np.unique(value[at], return_inverse=True)
        table = np.empty(codes.size, dtype=dtype)
        for i, code in enumerate(codes.tolist()):
            table[i] = convert(self.raw[code])
        return table[inverse.reshape(-1)]

    def _numbers(self, at: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Numeric values (titus unwraps ``{"double": v}``) and where the value is a number at all."""
        if self.raw is None:
            v = value[at]
            if v.dtype == object:  # a string-typed value never reaches here (compare_ok is False)
                raise Defer("tree test value that is not a number")
            return v.astype(np.float64), np.ones(at.size, dtype=bool)
        v = self._per_value(at, value, _number, np.float64)
        return v, ~np.isnan(v)

    def _strings(self, at: np.ndarray, value: np.ndarray) -> np.ndarray:
        if self.raw is None:
            v = value[at]
            if not all(isinstance(s, str) for s in set(v.tolist())):
                raise Defer("tree test value that is not a string")
            return v
        return self._per_value(at, value, _string, object)

    def _contains(self, f: _Field, at: np.ndarray, x: np.ndarray, value: np.ndarray) -> np.ndarray:
        """titus ``fieldValue in value`` (``{"array": [...]}`` unwrapped), one distinct value at a time."""
        assert self.raw is not None  # in_ok: the value type has an array member, held as JSON
        inside = np.zeros(at.size, dtype=bool)
        codes = value[at]
        for code in np.unique(codes).tolist():
            rows = codes == code
            container = self.raw[code]
            if isinstance(container, dict) and list(container) == ["array"]:
                container = container["array"]
            xs = x[at[rows]]
            if f.numeric:
                if isinstance(container, dict):  # Python's ``in`` on a dict looks at its (string) keys
                    continue
                if not isinstance(container, list):
                    raise Defer("tree test 'in' on a value that is not an array")
                numbers = [_exact(e) for e in container if isinstance(e, (int, float))]
                inside[rows] = np.isin(xs, np.array(numbers, dtype=np.float64))
            else:
                lookup: Any = container
                if isinstance(container, list):
                    try:
                        lookup = set(container)
                    except TypeError:
                        pass
                try:
                    inside[rows] = [s in lookup for s in xs.tolist()]
                except TypeError:
                    raise Defer("tree test 'in' on a value that is not an array") from None
        return inside


def _exact(v: int | float) -> float:
    if isinstance(v, int) and abs(v) > EXACT:
        raise Defer("tree test value beyond 2**53")
    return float(v)


def _number(raw: Any) -> float:
    """titus: unwrap ``{"int"|"long"|"float"|"double": v}``; anything not int/float is a bad value (NaN here)."""
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in WIDENS:
        (raw,) = raw.values()
    if isinstance(raw, (int, float)):
        value = _exact(raw)
        if value != value:
            raise Defer("tree test value that is NaN")  # NaN marks a bad value here
        return value
    return float("nan")


def _string(raw: Any) -> str:
    """A union value compared with a string field: titus compares ``{"string": s}`` as strings;
    other members it orders by their position in the union (left to titus2)."""
    if isinstance(raw, dict) and list(raw) == ["string"] and isinstance(raw["string"], str):
        return raw["string"]
    raise Defer("tree test comparing a string field with a non-string value")


def _flat(v: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.asarray(v), shape).reshape(-1)


def _part(node: Any, key: str, vt: Any) -> Any:
    """A node field: the walker's gathered table, a plain record's field, or read off opaque node values."""
    if isinstance(node, dict):
        part = node[key]
        plain = vt is None or vt == STRING or is_num(vt) or isinstance(part, RawColumn)
        return part if plain else RawColumn.of(part)  # a union / array field of a non-recursive record
    arr = np.asarray(node, dtype=object)
    out: np.ndarray = np.empty(arr.size, dtype=object)
    for i, x in enumerate(arr.reshape(-1).tolist()):
        out[i] = x[key]
    out = out.reshape(arr.shape)
    if vt is None or vt == STRING:
        return out
    if is_num(vt):
        return out.astype(np.float64)
    return RawColumn.of(out)


LIBRARY["model.tree.simpleTest"], LIBRARY["model.tree.missingTest"] = _tree_test(False), _tree_test(True)
