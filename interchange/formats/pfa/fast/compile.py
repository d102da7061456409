"""PFA expressions to vectorised closures: special forms, scopes, user functions.

``Compiler.expr`` turns one expression into ``(fn, type)``; ``fn(run)`` evaluates it for every
row of the batch. Branches (``if``, ``cond``, ``ifnotnull``, ``&&``, ``||``) evaluate both sides
under row masks (``Run.active``): values are merged with ``where``, and errors only count on the
rows where titus2 would have evaluated the expression (``fast.values`` holds ``Run``, the type
conversions and the branch helpers). Library functions live in
``fast.library`` (core, m.*, cast, impute), ``fast.arrays`` (a.*), ``fast.linalg`` (la.*,
m.kernel.*, metric.*), ``fast.models``, ``fast.reg``, ``fast.scores`` and ``fast.neighbours``
(model.*), ``fast.trees``, ``fast.tree_tests`` and ``fast.tree_logic`` (model.tree.*); anything
else raises NotCovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    DOUBLE,
    INT,
    LONG,
    NULL,
    STRING,
    Arr,
    EnumT,
    NotCovered,
    Opaque,
    Opt,
    Prim,
    RaggedConstant,
    Rec,
    Types,
    const_of,
    is_int,
    length,
    lift,
    take,
    take_rows,
    where,
)
from interchange.formats.pfa.fast.values import (
    Compiled,
    Run,
    accepts,
    choose,
    coerce,
    const,
    convert,
    filler,
    map_get,
    masked_only,
    merge_types,
    opaque_field,
)

__all__ = ["Compiler", "Run", "Fcn", "Compiled", "convert", "coerce", "accepts", "merge_types"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LOOP_KEYS = {"while", "until", "for", "foreach", "forkey"}  # PFA 0.8.1 "Loops" (fast.loops)
UNSUPPORTED_FORMS = {
    "log": "log",
    "emit": "emit",
    "cast": "union cast",
    "call": "dynamic call",
    "try": "try",
    "unpack": "unpack",
    "pack": "pack",
    "fcn": "function references outside function arguments",
    "params": "function values outside function arguments",
}


@dataclass
class Slot:
    id: int
    type: Any
    depth: int


class Scope:
    def __init__(self, parent: Scope | None, depth: int) -> None:
        self.parent, self.depth = parent, depth
        self.vars: dict[str, Slot] = {}

    def find(self, name: str) -> Slot | None:
        s: Scope | None = self
        while s is not None:
            if name in s.vars:
                return s.vars[name]
            s = s.parent
        return None

    def child(self, depth: int | None = None) -> Scope:
        return Scope(self, self.depth if depth is None else depth)


class Fcn:
    """A function argument (inline, user ``u.*`` or library reference), compiled per call site."""

    def __init__(self, compiler: Compiler, raw: Any, scope: Scope) -> None:
        self.compiler, self.scope = compiler, scope
        if isinstance(raw, dict) and "fcn" in raw:
            if "fill" in raw:
                raise NotCovered("partially applied function references")
            name = raw["fcn"]
            if name.startswith("u."):
                spec = (compiler.doc.get("fcns") or {}).get(name[2:])
                if spec is None:
                    raise NotCovered(f"unknown user function {name}")
                self.name, self.spec, self.closure = name, spec, None
            else:
                self.name, self.spec, self.closure = name, None, None
        elif isinstance(raw, dict) and "params" in raw and "do" in raw:
            self.name, self.spec, self.closure = "inline", raw, scope
        else:
            raise NotCovered(f"function argument {str(raw)[:80]}")
        self.types = compiler.types
        if self.spec is not None:
            self.params = [(k, self.types.parse(v)) for p in self.spec["params"] for k, v in p.items()]
            self.ret = self.types.parse(self.spec["ret"])
        else:
            self.params, self.ret = [], None

    def bind(self, arg_types: list[Any], depth: int) -> tuple[list[Slot], Callable[[Run], Any], Any]:
        """Slots for the arguments and the body's closure at lane ``depth``; the body returns the result."""
        c = self.compiler
        if self.spec is None:  # a library function: call it on parameter variables
            scope = Scope(None, depth)
            names = [f"__arg{i}" for i in range(len(arg_types))]
            for nm, t in zip(names, arg_types, strict=True):
                scope.vars[nm] = c.slot(t, depth)
            fn, ret = c.call(self.name, names, scope)
            return [scope.vars[nm] for nm in names], fn, ret
        if len(arg_types) != len(self.params):
            raise NotCovered(f"{self.name} called with {len(arg_types)} arguments")
        key = self.name if self.name != "inline" else f"inline@{id(self.spec)}"
        if key in c.inlining:
            raise NotCovered(f"recursive function {self.name}")
        scope = Scope(self.closure, depth)
        slots = []
        for (nm, t), at in zip(self.params, arg_types, strict=True):
            if not accepts(t, at):
                raise NotCovered(f"{self.name}: parameter {nm} is {t}, argument is {at}")
            slots.append(c.slot(t, depth))
            scope.vars[nm] = slots[-1]
        c.inlining.append(key)
        try:
            body, bt = c.block(self.spec["do"] if isinstance(self.spec["do"], list) else [self.spec["do"]], scope)
        finally:
            c.inlining.pop()
        return slots, coerce(body, bt, self.ret), self.ret

    def inputs(self, arg_types: list[Any]) -> list[Any]:
        """Parameter types values must be converted to before binding."""
        return [t for _, t in self.params] if self.spec is not None else arg_types


class Compiler:
    """Compiles one PFA document's action (see module docstring)."""

    def __init__(self, doc: dict[str, Any], types: Types, library: dict[str, Callable[..., Compiled]]) -> None:
        self.doc, self.types, self.library = doc, types, library
        self.inlining: list[Any] = []
        self.state: Any = None  # fast.state.State when the action writes cells or pools (evaluated record by record)
        self._next = 0
        self.cells: dict[str, tuple[Any, Any]] = {}
        self.ragged: dict[str, tuple[Any, Any, str]] = {}  # raw init, type, why: usable only by functions that ask
        for name, spec in (doc.get("cells") or {}).items():
            if not isinstance(spec, dict) or spec.get("shared") or spec.get("rollback"):
                raise NotCovered(f"cell {name} is shared or rolls back")
            t = types.parse(spec["type"])
            try:
                self.cells[name] = (const_of(spec["init"], t), t)
            except RaggedConstant as why:
                self.ragged[name] = (spec["init"], t, str(why))

    def ragged_cell(self, e: Any) -> tuple[Any, Any] | None:
        """``(raw init, type)`` when ``e`` reads a whole ragged cell (``{"cell": name}``), else None."""
        if not isinstance(e, dict) or {k for k in e if not k.startswith("@")} != {"cell"}:
            return None
        found = self.ragged.get(e["cell"])
        return None if found is None else (found[0], found[1])

    def slot(self, t: Any, depth: int) -> Slot:
        self._next += 1
        return Slot(self._next, t, depth)

    # --- blocks and variables ---------------------------------------------------------------
    def block(self, exprs: list[Any], scope: Scope) -> Compiled:
        inner = scope.child()
        parts = [self.expr(e, inner) for e in exprs]
        if not parts:
            raise NotCovered("empty block")
        fns = [f for f, _ in parts]
        last = fns[-1]
        if len(fns) == 1:
            return last, parts[-1][1]
        head = fns[:-1]

        def run(rt: Run) -> Any:
            for f in head:
                f(rt)
            return last(rt)

        return run, parts[-1][1]

    def ref(self, name: str, scope: Scope) -> Compiled:
        base, *path = name.split(".")
        slot = scope.find(base)
        if slot is None:
            raise NotCovered(f"unknown variable {base!r}")
        k = scope.depth - slot.depth
        sid, t = slot.id, slot.type
        slot_type = t  # t moves along the path below; the lambda keeps the slot's own type
        fn: Callable[[Run], Any] = (lambda rt: rt.env[sid]) if k == 0 else (lambda rt: lift(rt.env[sid], slot_type, k))
        for key in path:
            fn, t = self.field(fn, t, key)
        return fn, t

    def field(self, fn: Callable[[Run], Any], t: Any, key: str) -> Compiled:
        if isinstance(t, Rec) and key in t.fields:
            ft = t.fields[key]
            if not t.recursive:
                return (lambda rt: fn(rt)[key]), ft
            if not (isinstance(ft, Prim) or isinstance(ft, EnumT)):
                raise NotCovered(f"field {key} of recursive record {t.name}")
            return (lambda rt: opaque_field(fn(rt), key, ft)), ft
        raise NotCovered(f"no field {key!r} in {t}")

    def let(self, bindings: dict[str, Any], scope: Scope) -> Compiled:
        compiled = [(scope.depth, self.expr(e, scope)) for e in bindings.values()]
        slots = []
        for name, (_, (_, t)) in zip(bindings, compiled, strict=True):
            if scope.find(name) is not None:
                raise NotCovered(f"let shadows {name}")
            if t == NULL:
                raise NotCovered(f"let {name} of type null")
            slots.append(self.slot(t, scope.depth))
            scope.vars[name] = slots[-1]
        pairs = [(s.id, f) for s, (_, (f, _)) in zip(slots, compiled, strict=True)]

        def run(rt: Run) -> Any:
            values = [f(rt) for _, f in pairs]
            for (sid, _), v in zip(pairs, values, strict=True):
                rt.env[sid] = v
            return None

        return run, NULL

    def set(self, bindings: dict[str, Any], scope: Scope) -> Compiled:
        pairs = []
        for name, e in bindings.items():
            slot = scope.find(name)
            if slot is None:
                raise NotCovered(f"set of unknown variable {name}")
            if slot.depth != scope.depth:
                raise NotCovered(f"set of {name} from inside a function")
            f, t = self.expr(e, scope)
            pairs.append((slot, coerce(f, t, slot.type)))

        def run(rt: Run) -> Any:
            values = [f(rt) for _, f in pairs]
            for (slot, _), v in zip(pairs, values, strict=True):
                old = rt.env[slot.id]
                rt.env[slot.id] = v if rt.active is None else where(rt.active, v, old, slot.type)
            return None

        return run, NULL

    # --- expressions --------------------------------------------------------------------------
    def expr(self, e: Any, scope: Scope) -> Compiled:
        if e is None:
            return const(None, NULL)
        if isinstance(e, bool):
            return const(e, BOOLEAN)
        if isinstance(e, int):
            return const(e, INT if INT_MIN <= e <= INT_MAX else LONG)
        if isinstance(e, float):
            return const(e, DOUBLE)
        if isinstance(e, str):
            return self.ref(e, scope)
        if isinstance(e, list) and len(e) == 1 and isinstance(e[0], str):  # PFA 0.8.1 §string literals: ["text"]
            return const(e[0], STRING)
        if not isinstance(e, dict):
            raise NotCovered(f"expression {str(e)[:80]}")
        keys = {k for k in e if not k.startswith("@")}
        for k in keys:
            if k in UNSUPPORTED_FORMS:
                raise NotCovered(UNSUPPORTED_FORMS[k])
        if keys == {"string"}:
            return const(e["string"], STRING)
        if len(keys) == 1 and next(iter(keys)) in ("int", "long", "float", "double", "boolean"):
            k = next(iter(keys))
            return const(const_of(e[k], Prim(k)), Prim(k))
        if keys == {"type", "value"}:
            t = self.types.parse(e["type"])
            return const(const_of(e["value"], t), t)
        if keys & LOOP_KEYS:
            from interchange.formats.pfa.fast.loops import compile_loop

            return compile_loop(self, e, keys, scope)
        if "new" in keys:
            return self.new(e, scope)
        if keys == {"do"}:
            return self.block(e["do"] if isinstance(e["do"], list) else [e["do"]], scope)
        if keys == {"let"}:
            return self.let(e["let"], scope)
        if keys == {"set"}:
            return self.set(e["set"], scope)
        if keys == {"doc"}:
            return const(None, NULL)
        if "attr" in keys:
            fn, t = self.expr(e["attr"], scope)
            return self.path(fn, t, e.get("path", []), scope)
        if ("cell" in keys or "pool" in keys) and self.state is not None:
            from interchange.formats.pfa.fast.scan import Scan, scan_forms

            found = scan_forms(self, e, keys, scope) if isinstance(self.state, Scan) else None
            if found is not None:
                return found
        if "cell" in keys:
            from interchange.formats.pfa.fast import state

            if keys == {"cell", "to"} or keys == {"cell", "path", "to"}:
                return state.cell_to(self, e, scope)
            if keys - {"cell", "path"}:
                raise NotCovered(f"cell form with keys {sorted(keys)}")
            current = state.cell_read(self, e, scope)
            if current is not None:
                return current
            if e["cell"] in self.ragged:
                raise NotCovered(self.ragged[e["cell"]][2])
            if e["cell"] not in self.cells:
                raise NotCovered(f"unknown cell {e['cell']}")
            value, t = self.cells[e["cell"]]
            return self.path(lambda rt: value, t, e.get("path", []), scope)
        if "pool" in keys:
            from interchange.formats.pfa.fast.state import pool

            return pool(self, e, keys, scope)
        if "if" in keys:
            return self.if_(e, scope)
        if "cond" in keys:
            return self.cond(e, scope)
        if "ifnotnull" in keys:
            return self.ifnotnull(e, scope)
        if keys == {"error"} or keys == {"error", "code"}:
            message, depth = str(e["error"]), scope.depth

            def fail(rt: Run) -> Any:
                rt.fail(np.array(True), depth, message)
                return None

            return fail, NULL
        if "upcast" in keys:
            fn, t = self.expr(e["upcast"], scope)
            target = self.types.parse(e["as"])
            return coerce(fn, t, target), target
        if len(keys) != 1:
            raise NotCovered(f"form with keys {sorted(keys)}")
        name = next(iter(keys))
        args = e[name] if isinstance(e[name], list) else [e[name]]
        return self.call(name, args, scope)

    def call(self, name: str, args: list[Any], scope: Scope) -> Compiled:
        if name.startswith("u."):
            fcn = Fcn(self, {"fcn": name}, scope)
            compiled = [self.expr(a, scope) for a in args]
            slots, body, ret = fcn.bind([t for _, t in compiled], scope.depth)
            pairs = [(s.id, coerce(f, t, s.type)) for s, (f, t) in zip(slots, compiled, strict=True)]

            def run(rt: Run) -> Any:
                values = [f(rt) for _, f in pairs]
                for (sid, _), v in zip(pairs, values, strict=True):
                    rt.env[sid] = v
                return body(rt)

            return run, ret
        handler = self.library.get(name)
        if handler is None:
            raise NotCovered(f"function {name}")
        return handler(self, args, scope)

    def fcn(self, raw: Any, scope: Scope) -> Fcn:
        return Fcn(self, raw, scope)

    def new(self, e: dict[str, Any], scope: Scope) -> Compiled:
        t = self.types.parse(e["type"])
        body = e["new"]
        if isinstance(t, Arr) and isinstance(body, list):
            from interchange.formats.pfa.fast.types import stack

            items = [self.expr(x, scope) for x in body]
            fns = [coerce(f, it, t.items) for f, it in items]
            return (lambda rt: stack([f(rt) for f in fns], t.items)), t
        if isinstance(t, Rec) and not t.recursive and isinstance(body, dict) and set(body) == set(t.fields):
            fields = {k: coerce(*self.expr(body[k], scope), t.fields[k]) for k in t.fields}
            return (lambda rt: {k: f(rt) for k, f in fields.items()}), t
        if isinstance(t, Opaque) and t.kind == "map" and isinstance(body, dict):
            from interchange.formats.pfa.fast.library.collections.boxed import python

            vt = t.members[0]
            entries = [(k, coerce(*self.expr(x, scope), vt)) for k, x in body.items()]

            def build(rt: Run) -> Any:
                from interchange.formats.pfa.fast.library.collections.boxed import objects

                cols = [(k, python(f(rt), vt)) for k, f in entries]
                shape = np.broadcast_shapes(*(v.shape for _, v in cols)) if cols else ()
                flat = [(k, np.broadcast_to(v, shape).reshape(-1).tolist()) for k, v in cols]
                size = int(np.prod(shape)) if shape else 1
                return objects(shape, [{k: v[i] for k, v in flat} for i in range(size)])

            return build, t
        raise NotCovered(f"new of type {t}")

    def path(self, fn: Callable[[Run], Any], t: Any, path: list[Any], scope: Scope) -> Compiled:
        depth = scope.depth
        for p in path:
            if isinstance(t, Rec):
                if not (isinstance(p, dict) and {k for k in p if not k.startswith("@")} == {"string"}):  # "@": source positions
                    raise NotCovered("record path element that is not a string literal")
                fn, t = self.field(fn, t, p["string"])
            elif isinstance(t, Arr):
                fn, t = self.index(fn, t, p, scope)
            elif isinstance(t, Opaque) and t.kind == "map":
                kf, kt = self.expr(p, scope)
                if kt != STRING:
                    raise NotCovered("map key that is not a string")
                vt = t.members[0]
                fn, t = map_get(fn, kf, vt, depth), vt
            else:
                raise NotCovered(f"path into {t}")
        return fn, t

    def index(self, fn: Callable[[Run], Any], t: Arr, p: Any, scope: Scope) -> Compiled:
        depth = scope.depth
        if isinstance(p, int) and not isinstance(p, bool):

            def static(rt: Run) -> Any:
                v = fn(rt)
                k = length(v, t)
                if not -k <= p < k:
                    rt.fail(np.array(True), depth, "array index not found")
                    return take(v, t, 0) if k else filler(t.items)
                return take(v, t, p % k)

            return static, t.items
        kf, kt = self.expr(p, scope)
        if not is_int(kt):
            raise NotCovered("array index that is not an int")

        def dynamic(rt: Run) -> Any:
            v, i = fn(rt), np.asarray(kf(rt))
            k = length(v, t)
            bad = (i < -k) | (i >= k)
            rt.fail(bad, depth, "array index not found")
            if k == 0:
                return filler(t.items)
            return take_rows(v, t, np.where(bad, 0, i % k))

        return dynamic, t.items

    # --- branches ---------------------------------------------------------------------------
    def branch(self, e: Any, scope: Scope) -> Compiled:
        return self.block(e if isinstance(e, list) else [e], scope)

    def if_(self, e: dict[str, Any], scope: Scope) -> Compiled:
        cf, ct = self.expr(e["if"], scope)
        if ct != BOOLEAN:
            raise NotCovered("if on a non-boolean")
        tf, tt = self.branch(e["then"], scope)
        if "else" not in e:
            return masked_only(cf, tf), NULL
        ef, et = self.branch(e["else"], scope)
        rt_t = merge_types(tt, et)
        tf, ef = coerce(tf, tt, rt_t), coerce(ef, et, rt_t)
        return choose(cf, tf, ef, rt_t), rt_t

    def cond(self, e: dict[str, Any], scope: Scope) -> Compiled:
        clauses = []
        for c in e["cond"]:
            cf, ct = self.expr(c["if"], scope)
            if ct != BOOLEAN:
                raise NotCovered("cond on a non-boolean")
            clauses.append((cf, *self.branch(c["then"], scope)))
        if "else" not in e:
            nested: Compiled | None = None
            for cf, tf, _ in reversed(clauses):
                inner = nested
                nested = (masked_only(cf, tf, inner[0] if inner else None), NULL)
            assert nested is not None
            return nested
        ef, et = self.branch(e["else"], scope)
        rt_t = et
        for _, _, tt in clauses:
            rt_t = merge_types(rt_t, tt)
        fn = coerce(ef, et, rt_t)
        for cf, tf, tt in reversed(clauses):
            fn = choose(cf, coerce(tf, tt, rt_t), fn, rt_t)
        return fn, rt_t

    def ifnotnull(self, e: dict[str, Any], scope: Scope) -> Compiled:
        inner = scope.child()
        checks = []
        for name, x in e["ifnotnull"].items():
            f, t = self.expr(x, scope)
            if not isinstance(t, Opt):
                raise NotCovered(f"ifnotnull on {t}")
            inner.vars[name] = self.slot(t.inner, scope.depth)
            checks.append((inner.vars[name].id, f))
        tf, tt = self.branch(e["then"], inner)
        if "else" in e:
            ef, et = self.branch(e["else"], scope)
            rt_t = merge_types(tt, et)
            tf, ef = coerce(tf, tt, rt_t), coerce(ef, et, rt_t)
        else:
            ef, rt_t = None, NULL

        def cond(rt: Run) -> Any:
            ok: Any = np.array(True)
            for sid, f in checks:
                v = f(rt)
                rt.env[sid] = v.value
                ok = ok & ~np.asarray(v.missing)
            return ok

        if ef is None:
            return masked_only(cond, tf), NULL
        return choose(cond, tf, ef, rt_t), rt_t
