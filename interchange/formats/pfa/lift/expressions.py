"""PFA's core expressions read into IR expressions: symbols, let / set, arithmetic, comparisons,
if / cond / ifnotnull, casts, impute, literals, records and arrays, user functions inlined.

The action is run symbolically once: each ``let`` of a per-row value becomes a Derive step (an
imputed input an Impute step, as the writers emit it), ``set`` inside ``if`` branches becomes a
conditional expression, a user function is inlined where it is called. PFA's semantics match
the IR's where a value is present; where PFA fails a record (``impute.errorOnNull`` on a missing
value) the IR computes with a missing value instead (the target formats' rule for missing).
Anything else raises :class:`Unliftable` with the element's JSON pointer.
"""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.lift.loops import Loops
from interchange.formats.pfa.lift.operators import (
    _ARITH,
    _COMPARE,
    _LITERALS,
    _NUMERIC,
    _UNARY,
    _constant,
    _kind,
    _num_type,
    operator,
)
from interchange.formats.pfa.lift.values import Constant, Fcn, Record, Scalar, Vector
from interchange.ir.derive.expressions import Call, Const, Derive, Expr, Indicator, Ref, evaluate_expr, references
from interchange.ir.derive.transforms import Impute
from interchange.ir.graph import Step
from interchange.ir.lifted import Unliftable

__all__ = ["Core", "Scope"]

Scope = dict[str, Any]


NO_IR_FORM = {  # library functions whose refusal says why
    "a.mode": (
        "a.mode (titus2's vote: items counted by their JSON text, a tie broken by the median of the tied items, "
        "two tied doubles averaged) has no IR form: the IR's majorityVote gives a tie to the first category in "
        "the target's order, which differs once three items tie or the items are numbers"
    ),
}


class Core(Loops):
    """The expression layer of the lifter: one instance per document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.steps: list[Step] = []
        self.done: list[tuple[str, str]] = []
        self.names: set[str] = set()
        self.fcns: dict[str, Any] = doc.get("fcns") or {}
        self.arrays: dict[str, int] = {}  # array input -> the index of its ArrayItems step in ``steps``
        self.folding = False  # constant computations kept as constants (set while a loop is unrolled)

    # --- columns ------------------------------------------------------------------------
    def column(self, name: str, value: Scalar, path: str) -> Scalar:
        """``value`` as a column of its own (a Derive step), named after the PFA symbol."""
        if isinstance(value.expr, Ref):
            return value
        if value.constant is not None or isinstance(value.expr, Const):
            return value
        if self.folding and not references(value.expr):  # a loop counter's step while unrolling (lift.loops): its value
            folded = evaluate_expr(value.expr, {}, 1)[0]
            return Scalar(Const(folded.item() if hasattr(folded, "item") else folded), value.type, value.nullable)
        col = self._fresh(name)
        self.steps.append(Derive((col,), value.expr))
        self.done.append((path, "Derive"))
        return Scalar(Ref(col), value.type, value.nullable)

    def _fresh(self, name: str) -> str:
        col, k = name, 1
        while col in self.names:
            k += 1
            col = f"{name}#{k}"
        self.names.add(col)
        return col

    def bind(self, name: str, value: Any, expr: Any, path: str) -> Any:
        """What a ``let`` gives the symbol: a column for a per-row value, else the value itself."""
        if isinstance(value, Scalar):
            imputed = self._impute(name, expr, value, path)
            return imputed if imputed is not None else self.column(name, value, path)
        return value

    def _impute(self, name: str, expr: Any, value: Scalar, path: str) -> Scalar | None:
        """``impute.defaultOnNull(input field, constant)`` is the IR's Impute step (as the writers emit it).

        So is ``if (impute.isnan(e)) constant else e`` with ``e`` that call or a column: our writer's fill of a NaN."""
        if not (isinstance(expr, dict) and (list(expr) == ["impute.defaultOnNull"] or _nan_fill(expr))):
            return None
        call = value.expr
        if not (isinstance(call, Call) and call.function == "if" and isinstance(call.args[1], Const)):
            return None
        fill = call.args[1]
        nan = call.args[0]
        if _nan_fill(expr) and isinstance(nan, Call) and nan.function == "isMissing" and nan.args == (call.args[2],):
            inner = call.args[2]  # the NaN test over the defaultOnNull call (same fill) or over the column itself
            if isinstance(inner, Call) and inner.function == "if" and inner.args[1] == fill:
                call = inner
            elif isinstance(inner, Ref):
                call = Call("if", (nan, fill, inner))
        if not isinstance(call.args[2], Ref) or call.args[1] != fill or fill.value is None:
            return None
        col = self._fresh(name)
        self.steps.append(Impute((call.args[2].name,), (col,), (fill.value,)))
        self.done.append((path, "Impute"))
        return Scalar(Ref(col), value.type, False)

    # --- expressions --------------------------------------------------------------------
    def scalar(self, node: Any, scope: Scope, path: str) -> Scalar:
        return self._as_scalar(self.expr(node, scope, path), path)

    def expr(self, node: Any, scope: Scope, path: str) -> Any:
        """The symbolic value of expression ``node``."""
        if node is None or isinstance(node, (bool, int, float)):
            return _constant(node)
        if isinstance(node, str):
            return self.symbol(node, scope, path)
        if isinstance(node, list) and len(node) == 1 and isinstance(node[0], str):
            return _constant(node[0], "string")  # PFA's ["text"] string literal shorthand
        if isinstance(node, list):
            raise Unliftable(path, "a bare JSON array is not a PFA expression")
        if not isinstance(node, dict) or not node:
            raise Unliftable(path, "not a PFA expression")
        if "params" in node and "do" in node:
            return Fcn(tuple(next(iter(p)) for p in node["params"]), node["do"], path, dict(scope))
        keys = set(node)
        if keys == {"value", "type"}:  # PFA's typed literal
            value = node["value"]
            return Constant(value) if isinstance(value, (list, dict)) else _constant(value)
        if len(keys) == 1 and next(iter(keys)) in _LITERALS:
            key = next(iter(keys))
            value = node[key]
            if isinstance(value, (list, dict)):
                return Constant(value)
            return _constant(value, _LITERALS[key])
        head = self._head(node)
        if head in _ARITH or head in _COMPARE or head in _UNARY or head in ("&&", "||", "^^", "!"):
            values = [self.expr(a, scope, f"{path}/{head}/{i}") for i, a in enumerate(self.args(node, head))]
            if any(not isinstance(v, (Scalar, Constant)) for v in values):
                return self.staged(head, values, path)
            return self.operator(head, [self._as_scalar(v, path) for v in values], path)
        if head.startswith("u."):
            return self.user(head, node, scope, path)
        handler = getattr(self, "x_" + head.replace(".", "_"), None)
        if handler is not None:
            return handler(node, scope, path)
        return self.library(head, node, scope, path)

    def _as_scalar(self, v: Any, path: str) -> Scalar:
        if isinstance(v, Constant) and (isinstance(v.value, (int, float, str)) or v.value is None):
            return _constant(v.value)
        if not isinstance(v, Scalar):
            raise Unliftable(path, f"expected a number, text or boolean here, got {_kind(v)}")
        return v

    def staged(self, head: str, values: list[Any], path: str) -> Any:
        """An operator over a model's scores or prediction parts (models override this)."""
        raise Unliftable(path, f"{head} of {', '.join(_kind(v) for v in values)} has no IR form")

    def operator(self, op: str, args: list[Scalar], path: str) -> Scalar:
        """Arithmetic, comparison, logic and elementary functions on per-row values."""
        return operator(op, args, path)

    def library(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """A library function call the expression layer does not know (models override this)."""
        raise Unliftable(f"{path}/{head}", NO_IR_FORM.get(head, f"{head} has no IR form yet"))

    @staticmethod
    def _head(node: dict[str, Any]) -> str:
        if "until" in node:  # PFA's {"do": ..., "until": ...}
            return "doUntil"
        for loop in ("for", "while", "foreach", "forkey"):  # "for" first: it has a "while" too
            if loop in node:
                return loop
        for special in ("let", "set", "if", "cond", "ifnotnull", "new", "do", "attr", "cell", "pool", "cast", "upcast"):
            if special in node:
                return special
        heads = [k for k in node if k not in ("type", "then", "else", "path", "to", "init", "as")]
        return heads[0] if heads else next(iter(node))

    def args(self, node: dict[str, Any], head: str) -> list[Any]:
        a = node[head]
        return a if isinstance(a, list) else [a]

    def symbol(self, name: str, scope: Scope, path: str) -> Any:
        base, *rest = name.split(".")
        if base not in scope:
            raise Unliftable(path, f"unknown symbol {base!r}")
        value = scope[base]
        for i, part in enumerate(rest):
            value = self.attr(value, part, scope, f"{path}/{'.'.join([base, *rest[: i + 1]])}")
        return value

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        """``value[key]``: a record field, an array item, a cell's part."""
        if isinstance(value, Record):
            if key not in value.fields:
                raise Unliftable(path, f"record has no field {key!r}")
            return value.fields[key]
        if isinstance(value, Constant) and isinstance(value.value, (dict, list)):
            try:
                item = value.value[key]
            except (KeyError, IndexError, TypeError):
                raise Unliftable(path, f"the constant has no element {key!r}") from None
            return Constant(item)
        if isinstance(value, Vector) and isinstance(key, int):
            if not 0 <= key < len(value.items):
                raise Unliftable(path, f"index {key} is outside the array of {len(value.items)}")
            return value.items[key]
        raise Unliftable(path, f"element {key!r} of {_kind(value)} has no IR form")

    def _key(self, node: Any, scope: Scope, path: str) -> Any:
        if isinstance(node, int) and not isinstance(node, bool):
            return node
        if isinstance(node, dict) and list(node) == ["string"]:
            return node["string"]
        v = self.expr(node, scope, path)
        if isinstance(v, Scalar) and v.constant is not None:
            return int(v.constant) if v.type == "int" else v.constant
        if isinstance(v, Constant) and isinstance(v.value, (int, str)):
            return v.value
        return v  # a per-row index: only a model's prediction parts take one (see models)

    def x_attr(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        value = self.expr(node["attr"], scope, f"{path}/attr")
        for i, p in enumerate(node.get("path", [])):
            value = self.index(value, self._key(p, scope, f"{path}/path/{i}"), scope, f"{path}/path/{i}")
        return value

    def index(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(key, (int, str)):
            return self.attr(value, key, scope, path)
        raise Unliftable(path, f"a per-row index into {_kind(value)} has no IR form")

    def x_cell(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if "to" in node:
            raise Unliftable(path, "a cell updated while scoring (model state) has no IR form")
        cells = self.doc.get("cells") or {}
        name = node["cell"]
        if name not in cells:
            raise Unliftable(path, f"no cell {name!r}")
        cell = cells[name]
        if cell.get("shared") or cell.get("rollback"):
            raise Unliftable(path, f"cell {name!r} is shared / rolled back: state, not parameters")
        if "source" in cell:
            raise Unliftable(path, f"cell {name!r} is read from an external source")
        value: Any = Constant(cell.get("init"))
        for i, p in enumerate(node.get("path", [])):
            value = self.index(value, self._key(p, scope, f"{path}/path/{i}"), scope, f"{path}/path/{i}")
        return value

    def x_pool(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """A pool read with constant keys is a parameter table; a pool written while scoring is state."""
        if "to" in node:
            raise Unliftable(path, "a pool updated while scoring (model state) has no IR form")
        pools = self.doc.get("pools") or {}
        if node["pool"] not in pools:
            raise Unliftable(path, f"no pool {node['pool']!r}")
        value: Any = Constant(pools[node["pool"]].get("init", {}))
        for i, p in enumerate(node.get("path", [])):
            value = self.index(value, self._key(p, scope, f"{path}/path/{i}"), scope, f"{path}/path/{i}")
        return value

    def x_new(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        body = node["new"]
        if isinstance(body, list):
            return Vector(tuple(self.expr(v, scope, f"{path}/new/{i}") for i, v in enumerate(body)))
        if isinstance(body, dict):
            return Record({k: self.expr(v, scope, f"{path}/new/{k}") for k, v in body.items()})
        raise Unliftable(path, "new of something other than an array or a record")

    def x_do(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        body = node["do"]
        return self.block(body if isinstance(body, list) else [body], dict(scope), f"{path}/do")

    def x_let(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        for name, e in node["let"].items():
            scope[name] = self.bind(name, self.expr(e, scope, f"{path}/let/{name}"), e, f"{path}/let/{name}")
        return None

    def x_set(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        for name, e in node["set"].items():
            if name not in scope:
                raise Unliftable(f"{path}/set/{name}", f"set of an unknown symbol {name!r}")
            scope[name] = self.bind(name, self.expr(e, scope, f"{path}/set/{name}"), e, f"{path}/set/{name}")
        return None

    def block(self, statements: list[Any], scope: Scope, path: str) -> Any:
        """Run statements in ``scope`` (updated in place); the last one's value."""
        value = None
        for i, s in enumerate(statements):
            value = self.expr(s, scope, f"{path}/{i}")
        return value

    def x_if(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        test = self.expr(node["if"], scope, f"{path}/if")
        if not isinstance(test, (Scalar, Constant)):
            return self.staged_if(test, node, scope, path)
        cond = self._as_scalar(test, f"{path}/if")
        branches = [node["then"], node.get("else")]
        results, scopes = [], []
        for key, body in zip(("then", "else"), branches, strict=True):
            inner = dict(scope)
            value = None if body is None else self.block(body if isinstance(body, list) else [body], inner, f"{path}/{key}")
            results.append(value)
            scopes.append(inner)
        for name in scope:  # a symbol set in a branch: the IR's conditional of both values
            a, b = scopes[0][name], scopes[1][name]
            if a is not b and a != b:
                scope[name] = self.bind(name, self._choose(cond, a, b, f"{path}/set/{name}"), None, f"{path}/set/{name}")
        if "else" not in node:
            return None
        return self._choose(cond, results[0], results[1], path)

    def _choose(self, cond: Scalar, a: Any, b: Any, path: str) -> Any:
        if isinstance(a, Constant):
            a = _constant(a.value) if not isinstance(a.value, (list, dict)) else a
        if isinstance(b, Constant):
            b = _constant(b.value) if not isinstance(b.value, (list, dict)) else b
        if isinstance(a, Scalar) and isinstance(b, Scalar):
            kind = a.type if a.type == b.type else "double" if {a.type, b.type} <= set(_NUMERIC) else None
            if kind is None:
                raise Unliftable(path, f"branches of types {a.type} and {b.type}")
            if cond.constant is not None:
                return a if cond.constant else b
            return Scalar(Call("if", (cond.expr, a.expr, b.expr)), kind, a.nullable or b.nullable)
        if a is b:
            return a
        return self.choose_other(cond, a, b, path)

    def staged_if(self, test: Any, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """An ``if`` over a model's prediction part (models override this)."""
        raise Unliftable(f"{path}/if", f"a condition on {_kind(test)} has no IR form")

    def choose_other(self, cond: Scalar, a: Any, b: Any, path: str) -> Any:
        raise Unliftable(path, f"a choice between {_kind(a)} and {_kind(b)} has no IR form")

    def x_cond(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if "else" not in node:
            raise Unliftable(path, "cond without else (a statement or a nullable result) has no IR form yet")
        out = self.expr(node["else"], dict(scope), f"{path}/else")
        for i, clause in reversed(list(enumerate(node["cond"]))):
            cond = self.scalar(clause["if"], scope, f"{path}/cond/{i}/if")
            then = clause["then"]
            value = self.block(then if isinstance(then, list) else [then], dict(scope), f"{path}/cond/{i}/then")
            out = self._choose(cond, value, out, f"{path}/cond/{i}")
        return out

    def x_ifnotnull(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        inner = dict(scope)
        present: list[Expr] = []
        for name, e in node["ifnotnull"].items():
            v = self.scalar(e, scope, f"{path}/ifnotnull/{name}")
            present.append(Call("isNotMissing", (v.expr,)))
            inner[name] = Scalar(v.expr, v.type, False)
        then = node["then"]
        a = self.block(then if isinstance(then, list) else [then], inner, f"{path}/then")
        if "else" not in node:
            return None
        other = node["else"]
        b = self.block(other if isinstance(other, list) else [other], dict(scope), f"{path}/else")
        cond = Scalar(present[0] if len(present) == 1 else Call("and", tuple(present)), "boolean")
        if isinstance(a, Scalar) and isinstance(b, Scalar) and isinstance(a.expr, Indicator) and b.constant is not None:
            if present == [Call("isNotMissing", (a.expr.arg,))] and a.expr.fill is None:
                return Scalar(Indicator(a.expr.arg, a.expr.value, float(b.constant)), "double")
        return self._choose(cond, a, b, path)

    def x_impute_defaultOnNull(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, fill = (self.scalar(a, scope, f"{path}/impute.defaultOnNull/{i}") for i, a in enumerate(node["impute.defaultOnNull"]))
        return Scalar(Call("if", (Call("isMissing", (x.expr,)), fill.expr, x.expr)), x.type, False)

    def x_impute_isnan(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x = self.scalar(node["impute.isnan"], scope, f"{path}/impute.isnan")
        return Scalar(Call("isMissing", (x.expr,)), "boolean", False)  # the IR's missing double is NaN

    def x_impute_isinf(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """An infinite number: present, and missing once the IR's arithmetic has cleaned it (``x + 0``
        leaves a finite number and makes an infinity missing, as every IR arithmetic does)."""
        x = self.scalar(node["impute.isinf"], scope, f"{path}/impute.isinf")
        if x.type not in _NUMERIC:
            raise Unliftable(path, f"impute.isinf of a {x.type}")
        cleaned = Call("+", (x.expr, Const(0.0)))
        return Scalar(Call("and", (Call("isNotMissing", (x.expr,)), Call("isMissing", (cleaned,)))), "boolean", False)

    def x_impute_errorOnNull(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x = self.scalar(node["impute.errorOnNull"], scope, f"{path}/impute.errorOnNull")
        if x.nullable and not any(step.startswith("impute.errorOnNull") for _, step in self.done):
            # said once per document: the IR has no record error for a missing value
            self.done.append(
                (path, "impute.errorOnNull read as the value (PFA fails the record where it is missing; the IR computes with it)")
            )
        return Scalar(x.expr, x.type, False)

    def x_cast_double(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x = self.scalar(node["cast.double"], scope, f"{path}/cast.double")
        if x.type not in ("int", "double"):
            raise Unliftable(path, f"cast.double of a {x.type}")
        return Scalar(x.expr, "double", x.nullable)

    def x_cast_int(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x = self.scalar(node["cast.int"], scope, f"{path}/cast.int")
        if x.type == "double":  # PFA 0.8.1 / titus2: floor(x + 0.5); beyond the int range PFA fails the record
            return Scalar(Call("floor", (Call("+", (x.expr, Const(0.5))),)), "int", x.nullable)
        if x.type != "int":
            raise Unliftable(path, f"cast.int of a {x.type}")
        return x

    x_cast_long = x_cast_int

    def x_m_round(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x = self.scalar(node["m.round"], scope, f"{path}/m.round")
        return Scalar(Call("round", (x.expr,)), "int")

    def x_max(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._extreme(node, "max", scope, path)

    def x_min(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._extreme(node, "min", scope, path)

    def _extreme(self, node: dict[str, Any], op: str, scope: Scope, path: str) -> Any:
        a, b = (self.scalar(x, scope, f"{path}/{op}/{i}") for i, x in enumerate(node[op]))
        return Scalar(Call(op, (a.expr, b.expr)), _num_type(a, b))

    def call_fcn(self, fcn: Fcn, args: list[Any], path: str) -> Any:
        """A function applied to symbolic arguments: its body run with the parameters bound (inlined)."""
        if len(args) != len(fcn.params):
            raise Unliftable(path, f"function of {len(fcn.params)} parameters called with {len(args)}")
        scope: Scope = dict(fcn.scope or {})
        scope.update(dict(zip(fcn.params, args, strict=True)))
        body = fcn.body
        return self.block(body if isinstance(body, list) else [body], scope, fcn.path + "/do")

    def user(self, name: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """``u.name(args)``: the user function inlined."""
        f = self.fcns.get(name[2:])
        if f is None:
            raise Unliftable(path, f"no user function {name!r}")
        args = [self.expr(a, scope, f"{path}/{name}/{i}") for i, a in enumerate(self.args(node, name))]
        return self.call_fcn(Fcn(tuple(next(iter(p)) for p in f["params"]), f["do"], f"/fcns/{name[2:]}"), args, path)

    def fcn_value(self, node: Any, scope: Scope, path: str) -> Fcn:
        """A function argument: inline, ``{"fcn": "u.name"}``, or a library function by name."""
        if isinstance(node, dict) and "fcn" in node:
            name = node["fcn"]
            if name.startswith("u.") and name[2:] in self.fcns:
                f = self.fcns[name[2:]]
                return Fcn(tuple(next(iter(p)) for p in f["params"]), f["do"], f"/fcns/{name[2:]}")
            return Fcn(("__a", "__b"), {name: ["__a", "__b"]}, path, {})
        v = self.expr(node, scope, path)
        if not isinstance(v, Fcn):
            raise Unliftable(path, "expected a function here")
        return v


def _nan_fill(expr: dict[str, Any]) -> bool:
    """``{"if": {"impute.isnan": e}, "then": fill, "else": e}``: our writer's Impute of a double column."""
    test = expr.get("if")
    if set(expr) != {"if", "then", "else"} or not isinstance(test, dict) or list(test) != ["impute.isnan"]:
        return False
    return bool(test["impute.isnan"] == expr["else"])
