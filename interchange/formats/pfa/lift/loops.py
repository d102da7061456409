"""PFA loops with a number of passes known when the document is read, unrolled into the IR.

PFA 0.8.1, "Loops": ``foreach`` over a constant array (or an array of known length),
``forkey``/``forval`` over a constant map, and ``for`` / ``while`` / ``do``-``until`` whose
condition folds to a constant on every pass (a counter against a literal bound) run the same
passes for every record: the lifter runs the body once per pass, so each ``set`` becomes the
expressions (Derive steps) of that pass. A condition that depends on the record (a per-row
number of passes) has no IR form and keeps its refusal, as does a loop past ``UNROLL_LIMIT``
passes.
"""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.lift.operators import _constant
from interchange.formats.pfa.lift.values import Constant, Scalar, Vector
from interchange.ir.derive.expressions import evaluate_expr, references
from interchange.ir.lifted import Unliftable

__all__ = ["Loops", "UNROLL_LIMIT"]

UNROLL_LIMIT = 1000  # passes; a longer loop would write that many Derive steps per set

Scope = dict[str, Any]


class Loops:
    """The loop forms of the lifter (a mixin of ``expressions.Core``)."""

    def expr(self, node: Any, scope: Scope, path: str) -> Any:  # pragma: no cover - Core's
        raise NotImplementedError

    def block(self, statements: list[Any], scope: Scope, path: str) -> Any:  # pragma: no cover - Core's
        raise NotImplementedError

    def x_let(self, node: dict[str, Any], scope: Scope, path: str) -> Any:  # pragma: no cover - Core's
        raise NotImplementedError

    def x_set(self, node: dict[str, Any], scope: Scope, path: str) -> Any:  # pragma: no cover - Core's
        raise NotImplementedError

    # --- the forms ------------------------------------------------------------------------------
    def x_while(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        inner = dict(scope)
        self._repeat(node["while"], None, node["do"], inner, path, pretest=True)
        return self._leave(scope, inner)

    def x_doUntil(self, node: dict[str, Any], scope: Scope, path: str) -> Any:  # noqa: N802 - the lifter's x_<form> name
        inner = dict(scope)
        self._repeat(node["until"], None, node["do"], inner, path, pretest=False)
        return self._leave(scope, inner)

    def x_for(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        inner = dict(scope)
        self.x_let({"let": node["for"]}, inner, f"{path}/for")
        self._repeat(node["while"], node["step"], node["do"], inner, path, pretest=True)
        return self._leave(scope, inner)

    def x_foreach(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        array = self.expr(node["in"], scope, f"{path}/in")
        if isinstance(array, Constant) and isinstance(array.value, list):
            items: list[Any] = [_item(x) for x in array.value]
        elif isinstance(array, Vector):
            items = list(array.items)
        else:
            raise Unliftable(path, "a foreach over an array whose length the document does not fix has no IR form")
        self._limit(len(items), path)
        inner = dict(scope)
        for item in items:
            inner[node["foreach"]] = item
            self._pass(node["do"], inner, path)
        return self._leave(scope, inner)

    def x_forkey(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        mapping = self.expr(node["in"], scope, f"{path}/in")
        if not (isinstance(mapping, Constant) and isinstance(mapping.value, dict)):
            raise Unliftable(path, "a forkey/forval over a map the document does not hold as a constant has no IR form")
        self._limit(len(mapping.value), path)
        inner = dict(scope)
        for k, v in mapping.value.items():
            inner[node["forkey"]], inner[node["forval"]] = _constant(k, "string"), _item(v)
            self._pass(node["do"], inner, path)
        return self._leave(scope, inner)

    # --- passes -----------------------------------------------------------------------------
    def _repeat(self, cond: Any, step: Any, body: Any, inner: Scope, path: str, *, pretest: bool) -> None:
        for _ in range(UNROLL_LIMIT + 1):
            if pretest and not self._truth(cond, inner, path):
                return
            self._pass(body, inner, path)
            if step is not None:
                before, self.folding = self.folding, True
                try:
                    self.x_set({"set": step}, inner, f"{path}/step")
                finally:
                    self.folding = before
            if not pretest and self._truth(cond, inner, path):
                return
        self._limit(UNROLL_LIMIT + 1, path)

    folding: bool

    def _pass(self, body: Any, inner: Scope, path: str) -> None:
        """One pass of the body in a scope of its own (its ``let``s end with the pass); a counter
        stays a constant (``Core.column`` folds constant computations while ``folding``)."""
        local = dict(inner)
        before, self.folding = self.folding, True
        try:
            self.block(body if isinstance(body, list) else [body], local, f"{path}/do")
        finally:
            self.folding = before
        for name in inner:
            inner[name] = local[name]

    def _truth(self, cond: Any, scope: Scope, path: str) -> bool:
        value = self.expr(cond, scope, f"{path}/condition")
        if isinstance(value, Constant) and isinstance(value.value, bool):
            return value.value
        if isinstance(value, Scalar) and not references(value.expr):
            return bool(evaluate_expr(value.expr, {}, 1)[0])
        raise Unliftable(path, "a loop whose condition depends on the record (a number of passes per row) has no IR form")

    @staticmethod
    def _limit(passes: int, path: str) -> None:
        if passes > UNROLL_LIMIT:
            raise Unliftable(path, f"a loop of more than {UNROLL_LIMIT} passes is not unrolled into the IR")

    @staticmethod
    def _leave(scope: Scope, inner: Scope) -> None:
        """Symbols of the enclosing scope take their values after the loop; loop variables end."""
        for name in scope:
            scope[name] = inner[name]
        return None


def _item(x: Any) -> Any:
    return Constant(x) if isinstance(x, (list, dict)) else _constant(x)
