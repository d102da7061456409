"""PFA's array library over arrays built in the action (``Vector`` of per-row values), item by item.

An array of known length whose items are IR expressions stays that: ``a.len`` is a constant,
``a.sum`` / ``a.mean`` / ``a.max`` / ``a.min`` / ``a.any`` / ``a.all`` are expressions over the
items, ``a.argmax`` / ``a.argmin`` an index expression (the first index on ties, as titus2),
``m.link.*`` of an array applies the link item by item, and ``m.link.softmax`` follows titus2:
shift by the maximum when the item of largest magnitude is positive, else by the minimum, then
``exp(x - m) / sum``. An index known only per row (``x[a.argmin(x)]``, ``labels[a.argmax(p)]``)
picks with a chain of ``if``; a negative constant index counts from the end, as titus2 does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partialmethod
from typing import Any

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.platt import Platt
from interchange.formats.pfa.lift.operators import _UNARY, _constant
from interchange.formats.pfa.lift.values import Constant, Scalar, Stage, Vector
from interchange.ir.derive.expressions import Call, Const, Expr
from interchange.ir.lifted import Unliftable

__all__ = ["Vectors"]

_REDUCE = {"a.sum": "+", "a.max": "max", "a.min": "min"}


_ROOT2 = Const(math.sqrt(2.0))


def _exp_exp(y: Expr) -> Expr:
    return Call("exp", (Call("neg", (Call("exp", (y,)),)),))


# titus2's m.link.* (titus/lib/link.py), operation for operation
_LINKS: dict[str, Callable[[Expr], Expr]] = {
    "m.link.probit": lambda y: Call("/", (Call("+", (Call("erf", (Call("/", (y, _ROOT2)),)), Const(1.0))), Const(2.0))),
    "m.link.cloglog": lambda y: Call("-", (Const(1.0), _exp_exp(y))),
    "m.link.loglog": _exp_exp,
    "m.link.softplus": lambda y: Call("ln", (Call("+", (Const(1.0), Call("exp", (y,)))),)),
    "m.link.tanh": lambda y: Call("tanh", (y,)),
    "m.link.relu": lambda y: Call(
        "if", (Call("isMissing", (y,)), Const(None), Call("if", (Call("greaterThan", (y, Const(0.0))), y, Const(0.0))))
    ),
}


def _fold(op: str, exprs: list[Expr]) -> Expr:
    """``((e0 op e1) op e2) ...``, left to right as titus2 sums."""
    out = exprs[0]
    for e in exprs[1:]:
        out = Call(op, (out, e))
    return out


class Vectors(Platt):
    """The lifter with the array library over per-row arrays."""

    def _scalars(self, v: Any, path: str) -> list[Scalar] | None:
        """The items of a per-row array (or a constant array of numbers) as values; None otherwise."""
        if isinstance(v, Vector):
            plain = all(
                isinstance(x, (Scalar, Constant)) and not isinstance(getattr(x, "value", None), (list, dict)) for x in v.items
            )
            return [self._as_scalar(x, f"{path}/{i}") for i, x in enumerate(v.items)] if plain else None
        if isinstance(v, Constant) and isinstance(v.value, list) and all(isinstance(x, (int, float)) for x in v.value):
            return [_constant(float(x)) for x in v.value]
        return None

    def _numbers(self, v: Any, head: str, path: str) -> list[Scalar] | None:
        items = self._scalars(v, path)  # a per-row array, or a constant one (a candidate's point)
        if items is None:
            return None
        if not items:
            raise Unliftable(path, f"{head} of an empty array (titus2 fails the record)")
        if any(x.type == "string" for x in items):
            raise Unliftable(path, f"{head} of an array of text")
        return items

    # --- reductions ---------------------------------------------------------------------
    def _reduce(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Scalar | None:
        """a.sum / a.mean / a.max / a.min over the items; None when the argument is no per-row array."""
        items = self._numbers(self.expr(self.args(node, head)[0], scope, f"{path}/{head}"), head, f"{path}/{head}")
        if items is None:
            return None
        exprs = [x.expr for x in items]
        nullable = any(x.nullable for x in items)
        if head == "a.mean":
            return Scalar(Call("/", (_fold("+", exprs), Const(float(len(exprs))))), "double", nullable)
        return Scalar(_fold(_REDUCE[head], exprs), "int" if all(x.type == "int" for x in items) else "double", nullable)

    def _arg(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Scalar | None:
        """a.argmax / a.argmin: the first index of the best item (a later one wins only when strictly better)."""
        items = self._numbers(self.expr(node[head], scope, f"{path}/{head}"), head, f"{path}/{head}")
        if items is None:
            return None
        better = "greaterThan" if head == "a.argmax" else "lessThan"
        best: Expr = items[0].expr
        index: Expr = Const(0)
        for i, x in enumerate(items[1:], start=1):
            wins = Call(better, (x.expr, best))
            index = Call("if", (wins, Const(i), index))
            best = Call("if", (wins, x.expr, best))
        return Scalar(index, "int")

    def _quantified(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Scalar | None:
        """a.any / a.all of a predicate over the items."""
        array_node, fcn_node = node[head]
        v = self.expr(array_node, scope, f"{path}/{head}/0")
        if not isinstance(v, Vector):
            return None
        fcn = self.fcn_value(fcn_node, scope, f"{path}/{head}/1")
        tests = [self._as_scalar(self.call_fcn(fcn, [x], f"{path}/{head}"), path).expr for x in v.items]
        if not tests:
            return _constant(head == "a.all", "boolean")
        return Scalar(_fold("or" if head == "a.any" else "and", tests), "boolean")

    def _per_row(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """A reduction over a per-row array; otherwise the model readings' (a model's scores,
        neighbour distances), for the heads they know."""
        read = self._quantified if head in ("a.any", "a.all") else self._arg if head in ("a.argmax", "a.argmin") else self._reduce
        out = read(head, node, scope, path)
        if out is not None:
            return out
        if head in ("a.sum", "a.max", "a.argmax", "a.any"):
            return getattr(super(), "x_" + head.replace(".", "_"))(node, scope, path)
        raise Unliftable(path, f"{head} of other than an array built in the action")

    x_a_sum = partialmethod(_per_row, "a.sum")
    x_a_max = partialmethod(_per_row, "a.max")
    x_a_min = partialmethod(_per_row, "a.min")
    x_a_mean = partialmethod(_per_row, "a.mean")
    x_a_argmax = partialmethod(_per_row, "a.argmax")
    x_a_argmin = partialmethod(_per_row, "a.argmin")
    x_a_any = partialmethod(_per_row, "a.any")
    x_a_all = partialmethod(_per_row, "a.all")

    def x_a_len(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        v = self.expr(node["a.len"], scope, f"{path}/a.len")
        if isinstance(v, Vector) or (isinstance(v, Constant) and isinstance(v.value, list)):
            return _constant(len(v.items if isinstance(v, Vector) else v.value), "int")
        raise Unliftable(path, "a.len of an array whose length is not known when the document is read")

    # --- links ----------------------------------------------------------------------------
    def x_m_link_softmax(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        v = self.expr(node["m.link.softmax"], scope, f"{path}/m.link.softmax")
        items = self._numbers(v, "m.link.softmax", f"{path}/m.link.softmax")
        if items is None:
            if isinstance(v, Stage):
                return super().x_m_link_softmax(node, scope, path)
            raise Unliftable(path, "m.link.softmax of other than a model's scores or an array built in the action")
        cols = [self.column(f"softmax_x[{i}]", x, path) for i, x in enumerate(items)]
        xs = [c.expr for c in cols]
        top, bottom = _fold("max", xs), _fold("min", xs)
        # titus2: m is the maximum when the item of largest magnitude is >= 0, else the minimum
        shift = self.column(
            "softmax_m", Scalar(Call("if", (Call("greaterOrEqual", (top, Call("neg", (bottom,)))), top, bottom))), path
        )
        exps = [
            self.column(f"softmax_e[{i}]", Scalar(Call("exp", (Call("-", (x, shift.expr)),))), path) for i, x in enumerate(xs)
        ]
        total = self.column("softmax_sum", Scalar(_fold("+", [e.expr for e in exps])), path)
        return Vector(tuple(Scalar(Call("/", (e.expr, total.expr))) for e in exps))

    def _link(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """m.link.probit / cloglog / loglog / softplus / relu / tanh of a value or item by item, as titus2 writes them."""
        v = self.expr(node[head], scope, f"{path}/{head}")
        items = self._numbers(v, head, f"{path}/{head}") if isinstance(v, Vector) else [self._as_scalar(v, path)]
        if items is None:
            raise Unliftable(path, f"{head} of an array of other than numbers")
        out = []
        for x in items:
            if x.type == "string":
                raise Unliftable(path, f"{head} of a text")
            out.append(Scalar(_LINKS[head](x.expr), "double", x.nullable))
        return Vector(tuple(out)) if isinstance(v, Vector) else out[0]

    x_m_link_probit = partialmethod(_link, "m.link.probit")
    x_m_link_cloglog = partialmethod(_link, "m.link.cloglog")
    x_m_link_loglog = partialmethod(_link, "m.link.loglog")
    x_m_link_softplus = partialmethod(_link, "m.link.softplus")
    x_m_link_relu = partialmethod(_link, "m.link.relu")
    x_m_link_tanh = partialmethod(_link, "m.link.tanh")

    def staged(self, head: str, values: list[Any], path: str) -> Any:
        items = self._numbers(values[0], head, path) if head in _UNARY and len(values) == 1 else None
        if items is not None:  # a function of an array: item by item
            return Vector(tuple(self.operator(head, [x], f"{path}/{i}") for i, x in enumerate(items)))
        return super().staged(head, values, path)

    # --- indexes --------------------------------------------------------------------------
    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Vector) and isinstance(key, int) and not isinstance(key, bool) and -len(value.items) <= key < 0:
            return value.items[len(value.items) + key]  # titus2 counts a negative index from the end
        return super().attr(value, key, scope, path)

    def index(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(key, Scalar) and key.constant is None and key.type == "int":
            items = self._scalars(value, path)
            if items is None and isinstance(value, Constant) and isinstance(value.value, list):
                if all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in value.value):
                    items = [_constant(x) for x in value.value]
            if items:
                out: Expr = Const(None)  # an index outside the array: titus2 fails the record; the IR gives no value
                for i in range(len(items) - 1, -1, -1):
                    out = Call("if", (Call("equal", (key.expr, Const(float(i)))), items[i].expr, out))
                kinds = {x.type for x in items}
                return Scalar(out, kinds.pop() if len(kinds) == 1 else "double", True)
        return super().index(value, key, scope, path)
