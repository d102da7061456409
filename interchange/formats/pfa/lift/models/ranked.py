"""Model functions unrolled into expressions for the lifter's second reading (``lift/unrolled.py``).

``model.cluster.closest`` / ``closestN`` and ``model.neighbor.nearestK`` rank their candidates
by distance expressions, as titus2's ``argLowestN`` does (the lower distance first, the earlier
candidate on ties), and give the candidate of each rank as a :class:`Choice` among constants:
an item of it (``["id"]``, a coordinate) is an ``if`` chain, and a function applied to it is
applied to each candidate and chosen the same way. ``model.neural.simpleLayers``,
``model.naive.gaussian``, ``m.kernel.*`` and ``metric.*`` over per-row arrays become
expressions operation for operation (titus/lib/model/*.py, kernel.py, metric.py).
"""

from __future__ import annotations

import math
from typing import Any

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.values import Choice, Constant, Fcn, Items, Scalar, Vector
from interchange.formats.pfa.lift.vectors import Vectors, _fold
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.lifted import Unliftable

__all__ = ["Ranked"]


def _plain(v: Any) -> bool:
    return isinstance(v, (int, float, str)) and not isinstance(v, bool)


def _pick(conds: tuple[Expr, ...], exprs: list[Expr]) -> Expr:
    """``exprs[i]`` where ``conds[i]`` holds (the last one where none of the others does)."""
    out = exprs[-1]
    for c, e in zip(reversed(conds[:-1]), reversed(exprs[:-1]), strict=True):
        out = Call("if", (c, e, out))
    return out


class Ranked(Vectors):
    """The lifter with unrolled model functions (used when ``unroll`` is set) and metrics."""

    unroll = False

    # --- choices among constants --------------------------------------------------------
    def _settle(self, choice: Choice, path: str) -> Any:
        """A Choice of plain values as one per-row value; of structures, itself."""
        if all(_plain(v) for v in choice.values):
            kinds = {"string" if isinstance(v, str) else "int" if isinstance(v, int) else "double" for v in choice.values}
            kind = kinds.pop() if len(kinds) == 1 else "double"
            return Scalar(_pick(choice.conds, [Const(v if isinstance(v, str) else float(v)) for v in choice.values]), kind)
        return choice

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Choice) and isinstance(key, (int, str)):
            try:
                items = tuple(v[key] for v in value.values)
            except (KeyError, IndexError, TypeError):
                raise Unliftable(path, f"a candidate has no element {key!r}") from None
            return self._settle(Choice(value.conds, items), path)
        return super().attr(value, key, scope, path)

    def call_fcn(self, fcn: Fcn, args: list[Any], path: str) -> Any:
        at = next((i for i, a in enumerate(args) if isinstance(a, Choice)), None)
        if at is None:
            return super().call_fcn(fcn, args, path)
        choice = args[at]
        assert isinstance(choice, Choice)
        results = [self.call_fcn(fcn, [*args[:at], Constant(v), *args[at + 1 :]], path) for v in choice.values]
        scalars = [self._as_scalar(r, path) for r in results]  # a function of a candidate: one value per candidate
        kinds = {s.type for s in scalars}
        return Scalar(_pick(choice.conds, [s.expr for s in scalars]), kinds.pop() if len(kinds) == 1 else "double")

    def _input_items(self, v: Items, n: int, path: str) -> list[Scalar]:
        """An array input read as exactly ``n`` items (its length fixed by the constant it meets)."""
        return [Scalar(Ref(c), "double", True) for c in self.items(v, n, path, exact=True)]

    # --- ranking ------------------------------------------------------------------------
    def _ranked(self, distances: list[Scalar], values: list[Any], n: int, path: str) -> list[Choice]:
        """The candidates of ranks 0 .. n-1 by distance (titus2's argLowestN: ties to the earlier one)."""
        cols = [self.column(f"distance[{i}]", d, path).expr for i, d in enumerate(distances)]
        ranks = []
        for i, d in enumerate(cols):
            before = [Call("lessThan", (e, d)) for j, e in enumerate(cols) if j != i]
            before += [Call("equal", (e, d)) for e in cols[:i]]
            ranks.append(self.column(f"rank[{i}]", Scalar(_fold("+", [Const(0.0), *before])), path).expr)
        return [
            Choice(tuple(Call("equal", (r, Const(float(p)))) for r in ranks), tuple(values)) for p in range(min(n, len(values)))
        ]

    def _distance(self, x: Any, point: Any, metric: Fcn | None, path: str) -> Scalar:
        if metric is not None:
            return self._as_scalar(self.call_fcn(metric, [x, Constant(point)], path), path)
        items = self._numbers(x, "a distance", path)
        if isinstance(x, Items) and isinstance(point, list):
            items = self._input_items(x, len(point), path)
        if items is None or not isinstance(point, list) or len(point) != len(items):
            raise Unliftable(path, "a distance between other than a per-row array and a point of its length")
        terms = [Call("pow", (Call("-", (a.expr, Const(float(b)))), Const(2.0))) for a, b in zip(items, point, strict=True)]
        return Scalar(_fold("+", [Const(0.0), *terms]))

    def _candidates(self, head: str, node: dict[str, Any], scope: Scope, path: str, n: Any, first: int) -> list[Choice]:
        args = node[head]
        where = f"{path}/{head}"
        x = self.expr(args[first], scope, f"{where}/{first}")
        table = self.expr(args[first + 1], scope, f"{where}/{first + 1}")
        metric = self.fcn_value(args[first + 2], scope, f"{where}/{first + 2}") if len(args) > first + 2 else None
        if not isinstance(table, Constant) or not isinstance(table.value, list) or not table.value:
            raise Unliftable(where, f"{head} over candidates that are not a constant array")
        points = [c.get("center") if head.startswith("model.cluster") else c for c in table.value]
        distances = [self._distance(x, p, metric, f"{where}/{i}") for i, p in enumerate(points)]
        return self._ranked(distances, table.value, n, where)

    def _count(self, node: Any, scope: Scope, path: str) -> int:
        k = self._as_scalar(self.expr(node, scope, path), path).constant
        if not isinstance(k, (int, float)) or k < 0:
            raise Unliftable(path, "a count not known when the document is read")
        return int(k)

    def x_model_cluster_closest(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super().x_model_cluster_closest(node, scope, path)
        return self._candidates("model.cluster.closest", node, scope, path, 1, 0)[0]

    def x_model_cluster_closestN(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        n = self._count(node["model.cluster.closestN"][0], scope, f"{path}/model.cluster.closestN/0")
        return Vector(tuple(self._candidates("model.cluster.closestN", node, scope, path, n, 1)))

    def x_model_neighbor_nearestK(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super().x_model_neighbor_nearestK(node, scope, path)
        k = self._count(node["model.neighbor.nearestK"][0], scope, f"{path}/model.neighbor.nearestK/0")
        return Vector(tuple(self._candidates("model.neighbor.nearestK", node, scope, path, k, 1)))

    # --- networks, naive Bayes ----------------------------------------------------------
    def x_model_neural_simpleLayers(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if not self.unroll:
            return super().x_model_neural_simpleLayers(node, scope, path)
        x, layers, act = node["model.neural.simpleLayers"]
        where = f"{path}/model.neural.simpleLayers"
        items = self._numbers(self.expr(x, scope, f"{where}/0"), "model.neural.simpleLayers", f"{where}/0")
        cell = self.expr(layers, scope, f"{where}/1")
        fcn = self.fcn_value(act, scope, f"{where}/2")
        if items is None or not isinstance(cell, Constant) or not isinstance(cell.value, list) or not cell.value:
            raise Unliftable(where, "layers that are not a constant array over a per-row array")
        for i, layer in enumerate(cell.value):
            if len(layer["bias"]) != len(layer["weights"]) or any(len(row) != len(items) for row in layer["weights"]):
                raise Unliftable(f"{where}/1", "weights, bias, or datum misaligned (titus2 fails the record)")
            cols = [self.column(f"layer{i}[{j}]", v, where).expr for j, v in enumerate(items)]
            sums = [
                Scalar(
                    Call(
                        "+",
                        (
                            _fold("+", [Const(0.0), *[Call("*", (Const(float(w)), c)) for w, c in zip(row, cols, strict=True)]]),
                            Const(float(b)),
                        ),
                    )
                )
                for row, b in zip(layer["weights"], layer["bias"], strict=True)
            ]
            last = i == len(cell.value) - 1
            items = sums if last else [self._as_scalar(self.call_fcn(fcn, [s], where), where) for s in sums]
        return Vector(tuple(items))

    def x_model_naive_gaussian(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, model = (self.expr(a, scope, f"{path}/model.naive.gaussian/{i}") for i, a in enumerate(node["model.naive.gaussian"]))
        items = self._numbers(x, "model.naive.gaussian", path)
        if (
            items is None
            or not isinstance(model, Constant)
            or not isinstance(model.value, list)
            or len(model.value) != len(items)
        ):
            raise Unliftable(path, "model.naive.gaussian of other than a per-row array and constant statistics of its length")
        stats = model.value
        terms: list[Expr] = [Const(0.0)]
        for v, stat in zip(items, stats, strict=True):
            mu, var = float(stat["mean"]), float(stat["variance"])
            if var <= 0.0:
                raise Unliftable(path, "a variance <= 0 (titus2 fails every record)")
            terms.append(Const(-0.5 * math.log(2.0 * math.pi * var)))
            terms.append(
                Call("*", (Const(-0.5), Call("/", (Call("pow", (Call("-", (v.expr, Const(mu))), Const(2.0))), Const(var)))))
            )
        return Scalar(_fold("+", terms))

    # --- kernels and metrics of per-row arrays ----------------------------------------------
    def _pair(
        self, head: str, node: dict[str, Any], scope: Scope, path: str, first: int = 0
    ) -> tuple[list[Scalar], list[Scalar]]:
        args = node[head]
        a, b = (self.expr(args[first + i], scope, f"{path}/{head}/{first + i}") for i in (0, 1))
        left, right = self._scalars(a, path), self._scalars(b, path)
        if isinstance(a, Items) and right is not None:  # an array input: as many items as the other side
            left = self._input_items(a, len(right), path)
        if isinstance(b, Items) and left is not None:
            right = self._input_items(b, len(left), path)
        if left is None or right is None or len(left) != len(right):
            raise Unliftable(path, f"{head} of arrays whose items or lengths are not known when the document is read")
        return left, right

    def x_m_kernel_rbf(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, y = self._pair("m.kernel.rbf", node, scope, path)
        gamma = self.scalar(node["m.kernel.rbf"][2], scope, f"{path}/m.kernel.rbf/2")
        diff = [Call("pow", (Call("-", (a.expr, b.expr)), Const(2.0))) for a, b in zip(x, y, strict=True)]
        return Scalar(Call("exp", (Call("*", (Call("neg", (gamma.expr,)), _fold("+", [Const(0.0), *diff]))),)))

    def _dot(self, x: list[Scalar], y: list[Scalar]) -> Expr:
        return _fold("+", [Const(0.0), *[Call("*", (a.expr, b.expr)) for a, b in zip(x, y, strict=True)]])

    def x_m_kernel_linear(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return Scalar(self._dot(*self._pair("m.kernel.linear", node, scope, path)))

    def x_m_kernel_poly(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, y = self._pair("m.kernel.poly", node, scope, path)
        gamma, c, degree = (self.scalar(node["m.kernel.poly"][i], scope, f"{path}/m.kernel.poly/{i}") for i in (2, 3, 4))
        return Scalar(Call("pow", (Call("+", (Call("*", (gamma.expr, self._dot(x, y))), c.expr)), degree.expr)))

    def x_metric_absDiff(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        a, b = (self.scalar(v, scope, f"{path}/metric.absDiff/{i}") for i, v in enumerate(node["metric.absDiff"]))
        return Scalar(Call("abs", (Call("-", (a.expr, b.expr)),)))

    def x_metric_gaussianSimilarity(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """titus2: ``exp(-ln 2 (x - y)^2 / sigma^2)``."""
        x, y, sigma = (
            self.scalar(v, scope, f"{path}/metric.gaussianSimilarity/{i}")
            for i, v in enumerate(node["metric.gaussianSimilarity"])
        )
        square = Call("pow", (Call("-", (x.expr, y.expr)), Const(2.0)))
        return Scalar(
            Call("exp", (Call("/", (Call("*", (Const(-math.log(2)), square)), Call("pow", (sigma.expr, Const(2.0))))),))
        )

    def x_metric_simpleEuclidean(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, y = self._pair("metric.simpleEuclidean", node, scope, path)
        diff = [Call("pow", (Call("-", (a.expr, b.expr)), Const(2.0))) for a, b in zip(x, y, strict=True)]
        return Scalar(Call("sqrt", (_fold("+", [Const(0.0), *diff]),)))

    def _metric(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Scalar:
        if len(node[head]) != 3:
            raise Unliftable(path, f"{head} with missing-value weights")
        x, y = self._pair(head, node, scope, path, 1)
        sim = self.fcn_value(node[head][0], scope, f"{path}/{head}/0")
        terms = [
            Call("pow", (self._as_scalar(self.call_fcn(sim, [a, b], path), path).expr, Const(2.0)))
            for a, b in zip(x, y, strict=True)
        ]
        total = _fold("+", [Const(0.0), *terms])
        return Scalar(Call("sqrt", (total,)) if head == "metric.euclidean" else total)

    def x_metric_euclidean(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._metric("metric.euclidean", node, scope, path)

    def x_metric_squaredEuclidean(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._metric("metric.squaredEuclidean", node, scope, path)
