"""The lifter's second reading: models unrolled into expressions when no one IR model step holds them.

A document whose outputs come from several models (two ``model.reg.linear`` calls, a regression
and a tree walk), or from a tree with a third, ``missing`` branch, is no one model step; here
``model.reg.linear`` and ``la.dot`` become affine expressions (summed left to right, as titus2's
``numpy.dot`` of short vectors within rounding), and a walk over one constant tree becomes
nested ``if`` expressions (``model.tree.missingTest``: a missing field takes the node's
``missing`` branch), so the outputs become named columns (``ir.columns.Columns``).
``document.lift_pfa`` tries this reading only when the first one fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.ranked import Ranked
from interchange.formats.pfa.lift.models.trees import _branch
from interchange.formats.pfa.lift.models.walks import _matrix
from interchange.formats.pfa.lift.operators import _COMPARE, _constant
from interchange.formats.pfa.lift.values import Constant, Record, Scalar, Vector
from interchange.formats.pfa.lift.vectors import _fold
from interchange.ir.derive.expressions import Call, Const
from interchange.ir.lifted import Unliftable

__all__ = ["Unrolled"]

_TESTS = {"model.tree.simpleTest": "simple", "model.tree.missingTest": "missing"}


class Unrolled(Ranked):
    """The lifter; with ``unroll`` set, the models above (and ``lift/ranked.py``'s) are read as expressions."""

    # --- model.reg.linear and la.dot --------------------------------------------------------
    def _affine(self, rows: np.ndarray, consts: np.ndarray | None, items: list[Scalar], path: str) -> list[Scalar]:
        """``rows @ items (+ consts)``, each score summed left to right."""
        if rows.ndim != 2 or rows.shape[1] != len(items):
            raise Unliftable(path, f"coefficients of shape {rows.shape} for {len(items)} inputs")
        cols = [self.column(f"dot_x[{i}]", x, path).expr for i, x in enumerate(items)]
        scores = []
        for r, row in enumerate(rows):
            total = _fold("+", [Call("*", (Const(float(c)), e)) for c, e in zip(row, cols, strict=True)])
            scores.append(Scalar(total if consts is None else Call("+", (total, Const(float(consts[r]))))))
        return scores

    def x_model_reg_linear(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super().x_model_reg_linear(node, scope, path)
        x, cell = (self.expr(a, scope, f"{path}/model.reg.linear/{i}") for i, a in enumerate(node["model.reg.linear"]))
        items = self._numbers(x, "model.reg.linear", f"{path}/model.reg.linear/0")
        if items is None or not isinstance(cell, Constant) or not isinstance(cell.value, dict):
            raise Unliftable(path, "model.reg.linear of other than an array built in the action and a constant record")
        coeff, const = _matrix(cell.value.get("coeff"), path), _matrix(cell.value.get("const"), path)
        rows = coeff.reshape(1, -1) if const.ndim == 0 else coeff
        if const.ndim == 1 and len(const) != len(rows):
            raise Unliftable(path, f"{len(const)} constants for {len(rows)} coefficient rows")
        scores = self._affine(rows, np.atleast_1d(const), items, path)
        return scores[0] if const.ndim == 0 else Vector(tuple(scores))

    def x_la_dot(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super().x_la_dot(node, scope, path)
        w, x = (self.expr(v, scope, f"{path}/la.dot/{i}") for i, v in enumerate(node["la.dot"]))
        items = self._numbers(x, "la.dot", f"{path}/la.dot/1")
        if not isinstance(w, Constant) or items is None:
            raise Unliftable(path, "la.dot other than a constant matrix times an array built in the action")
        return Vector(tuple(self._affine(_matrix(w.value, path), None, items, path)))

    # --- a walk over one tree -----------------------------------------------------------------
    def _one_tree(self, node: dict[str, Any], head: str, scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super()._one_tree(node, head, scope, path)
        datum_node, tree_node, fcn_node = node[head]
        where = f"{path}/{head}"
        datum = self.expr(datum_node, scope, f"{where}/0")
        root = self.expr(tree_node, scope, f"{where}/1")
        fcn = self.fcn_value(fcn_node, scope, f"{where}/2")
        body = fcn.body
        if not isinstance(datum, Record) or not isinstance(root, Constant) or not isinstance(root.value, dict):
            raise Unliftable(where, "a walk of other than a record over a constant tree")
        if not (
            isinstance(body, dict)
            and len(body) == 1
            and next(iter(body)) in _TESTS
            and body[next(iter(body))] == list(fcn.params)
        ):
            raise Unliftable(f"{where}/2", "a tree test other than model.tree.simpleTest / missingTest of (datum, node)")
        test = _TESTS[next(iter(body))]
        if (test == "missing") != (head == "model.tree.missingWalk"):
            raise Unliftable(f"{where}/2", f"{head} with {next(iter(body))}")
        return self._unroll(datum, root.value, test, f"{where}/1", 0)

    def _unroll(self, datum: Record, node: dict[str, Any], test: str, path: str, depth: int) -> Scalar:
        """The nested ``if`` of a tree node (PFA 0.8.1 model.tree.simpleTest / missingTest)."""
        if depth > 64:
            raise Unliftable(path, "a tree deeper than 64 levels unrolled into expressions")
        name, op, value = node.get("field"), node.get("operator"), node.get("value")
        if isinstance(name, dict) and len(name) == 1:  # an enum given as a tagged union
            name = next(iter(name.values()))
        if name not in datum.fields:
            raise Unliftable(path, f"node tests field {name!r}, not in the datum")
        if op not in _COMPARE:
            raise Unliftable(path, f"a tree test with operator {op!r} unrolled into expressions has no IR form yet")
        x = self._as_scalar(datum.fields[name], path)
        cond = self.operator(op, [x, _constant(value)], path)
        branches = {}
        for key in ("pass", "fail", "missing") if test == "missing" else ("pass", "fail"):
            is_node, inner = _branch(node.get(key), f"{path}/{key}")
            branches[key] = self._unroll(datum, inner, test, f"{path}/{key}", depth + 1) if is_node else _constant(inner)
        out = self._choose(cond, branches["pass"], branches["fail"], path)
        if test == "missing":
            out = self._choose(Scalar(Call("isMissing", (x.expr,)), "boolean"), branches["missing"], out, path)
        return out
