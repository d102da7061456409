"""model.neighbor.nearestK read into the IR's NearestNeighbors, with the vote or mean our PFA
writer spells out after it (distances, weights, their sum, class shares or the weighted mean).

The metric function is recognised by comparing it with what the writer emits for each metric
(``emit.families._distance``); a nearestK without one is PFA's default, the Euclidean distance.
Over derived inputs (which can be NaN) the writer guards each output with ``knn_gone``, the
``a.any`` of ``impute.isnan`` over the inputs: missing where one is NaN. The IR's k-NN gives no
prediction there already, so that guard around a k-NN output reads as the output itself.
Neighbour ids (PMML entityId outputs) are a second nearestK over the same points as ``{point, id}``
records, mapped to ``p.id``: read as the IR's NeighborIds of that k-NN.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.library import Models, _what
from interchange.formats.pfa.lift.models.walks import _matrix
from interchange.formats.pfa.lift.values import Constant, Family, Fcn, Part, Scalar, Stage, Vector
from interchange.ir.derive.expressions import Call, Derive, Expr, Ref, evaluate_expr, references
from interchange.ir.lifted import Unliftable

__all__ = ["Neighbours"]


def _metric(fcn: Fcn, x: str, point: str) -> tuple[str, float] | None:
    """(metric, p) when ``fcn``'s body is our writer's distance between ``x`` and ``point``."""
    from interchange.formats.pfa.emit.models.families import _distance

    body = fcn.body
    candidates = [("euclidean", 2.0), ("squaredEuclidean", 2.0), ("manhattan", 1.0)]
    if isinstance(body, dict) and list(body) == ["**"] and isinstance(body["**"][1], float) and body["**"][1] != 0:
        candidates.append(("minkowski", 1.0 / body["**"][1]))
    for metric, p in candidates:
        if _distance(SimpleNamespace(metric=metric, p=p), x, point) == body:  # type: ignore[arg-type]
            return metric, p
    return None


class Neighbours(Models):
    """The lifter with k-nearest neighbours."""

    def __init__(self, doc: dict[str, Any]) -> None:
        super().__init__(doc)
        self.knn_families: list[Family] = []  # (a second nearestK over the same points gives their ids)

    def x_model_neighbor_nearestK(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        args = node["model.neighbor.nearestK"]
        where = f"{path}/model.neighbor.nearestK"
        k = self._as_scalar(self.expr(args[0], scope, f"{where}/0"), f"{where}/0").constant
        x = self.expr(args[1], scope, f"{where}/1")
        points = self.expr(args[2], scope, f"{where}/2")
        if k is None or not isinstance(points, Constant) or not isinstance(points.value, list) or not points.value:
            raise Unliftable(where, "nearestK with a k or points not known when the document is read")
        metric: tuple[str, float] | None = ("euclidean", 2.0)
        if len(args) == 4:
            fcn = self.fcn_value(args[3], scope, f"{where}/3")
            metric = _metric(fcn, fcn.params[0], f"{fcn.params[1]}.point") if len(fcn.params) == 2 else None
            if metric is None:
                raise Unliftable(
                    f"{where}/3", "a metric function other than our writer's euclidean / squared / manhattan / minkowski"
                )
        first = points.value[0]
        if isinstance(first, dict) and set(first) == {"point", "id"}:
            return self._ids(args[1], int(k), metric, points.value, where)
        if not isinstance(first, dict) or {"point", "target"} - set(first):
            raise Unliftable(f"{where}/2", "neighbour points that are not {point, target} records (no target to vote or average)")
        table = _matrix([p["point"] for p in points.value], where)
        inputs = self.columns(x, "knn_x", f"{where}/1", table.shape[-1] if table.ndim == 2 else None)
        targets = np.asarray([p["target"] for p in points.value])
        if table.shape != (len(points.value), len(inputs)):
            raise Unliftable(where, f"points of shape {table.shape} for {len(inputs)} inputs")
        assert metric is not None
        params = {"points": table, "targets": targets, "k": int(k), "metric": metric[0], "p": metric[1], "x": args[1]}
        fam = self.family("neighbours", inputs, params, where)
        self.knn_families.append(fam)
        return Stage(fam, "near")

    def _ids(self, x: Any, k: int, metric: tuple[str, float] | None, points: list[Any], where: str) -> Stage:
        """nearestK over ``{point, id}`` records: the ids of the neighbours a k-NN of the document finds
        (the same input array, k, metric and points in the same order, so the same neighbours)."""
        if any(not isinstance(q, dict) or set(q) != {"point", "id"} for q in points):
            raise Unliftable(f"{where}/2", "neighbour points of mixed records")
        table = _matrix([q["point"] for q in points], where)
        for fam in reversed(self.knn_families):
            p = fam.params
            same = p["x"] == x and p["k"] == k and (p["metric"], p["p"]) == metric and p["points"].shape == table.shape
            if same and np.array_equal(p["points"], table):
                p["ids"] = tuple(str(q["id"]) for q in points)
                return Stage(fam, "idnear")
        raise Unliftable(f"{where}/2", "neighbour ids over points other than a k-NN model's own (the IR's ids name its points)")

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Stage) and value.what == "ids" and isinstance(key, int) and 0 <= key < value.family.params["k"]:
            value.family.parts.add("id")
            return Part(value.family, "id", key)
        return super().attr(value, key, scope, path)

    def map_stage(self, array: Stage, fcn: Fcn, path: str) -> Any:
        if array.family.kind == "neighbours" and array.what == "votes":
            fcn = self._ungone(fcn)
        fam, body = array.family, fcn.body
        if fam.kind != "neighbours" or len(fcn.params) != 1:
            return super().map_stage(array, fcn, path)
        (p,) = fcn.params
        if array.what == "idnear" and body == f"{p}.id":
            return Stage(fam, "ids")
        if array.what == "near":
            if body == f"{p}.target":
                return Stage(fam, "targets")
            x = fam.params["x"]
            if isinstance(x, str) and _metric(Fcn(("__x", p), body, path), x, f"{p}.point") == (
                fam.params["metric"],
                fam.params["p"],
            ):
                return Stage(fam, "dist")
        if array.what == "dist" and body == 1.0:
            fam.params["weights"] = "uniform"
            return Stage(fam, "weights")
        if array.what == "dist" and body == {"if": {"==": [p, 0.0]}, "then": 1.0, "else": 0.0}:
            return Stage(fam, "exact")
        if array.what == "dist" and body == {"/": [1.0, p]}:
            return Stage(fam, "inverse")
        if array.what == "votes" and isinstance(body, dict) and body.get("/", [None])[0] == p:
            total = (fcn.scope or {}).get(body["/"][1])
            if isinstance(total, Stage) and total.what == "wsum" and total.family is fam:
                fam.link = "votes"
                return Stage(fam, "probs")
        raise Unliftable(f"{path}/a.map/1", f"a function over the neighbours' {array.what} of a form the lifter does not know")

    def choose_other(self, cond: Scalar, a: Any, b: Any, path: str) -> Any:
        """``if (knn_gone) missing else output``: the output (the IR's k-NN is missing there too)."""
        if isinstance(b, (Part, Stage)) and b.family.kind == "neighbours" and _missing(a) and self._gone(cond.expr, b):
            return b
        return super().choose_other(cond, a, b, path)

    def _gone(self, test: Expr, output: Part | Stage) -> bool:
        """Whether ``test`` is true exactly where one of the k-NN's inputs is missing."""
        if isinstance(test, Ref):  # a let-bound test: the expression of its Derive step
            test = next((s.expression for s in self.steps if isinstance(s, Derive) and s.outputs == (test.name,)), test)
        leaves: list[Expr] = []
        todo = [test]
        while todo:
            e = todo.pop()
            if isinstance(e, Call) and e.function == "or":
                todo.extend(e.args)
            else:
                leaves.append(e)
        tested = {
            e.args[0].name for e in leaves if isinstance(e, Call) and e.function == "isMissing" and isinstance(e.args[0], Ref)
        }
        return len(tested) == len(leaves) and tested == set(output.family.inputs)

    def _ungone(self, fcn: Fcn) -> Fcn:
        """A function over the k-NN's votes whose body is ``if (knn_gone) missing else e``, as ``e``."""
        body, seen = fcn.body, fcn.scope or {}
        if not (isinstance(body, dict) and set(body) == {"if", "then", "else"} and isinstance(body["if"], str)):
            return fcn
        test, missing = seen.get(body["if"]), self.expr(body["then"], {}, fcn.path)
        fam = next((v.family for v in seen.values() if isinstance(v, Stage) and v.family.kind == "neighbours"), None)
        if isinstance(test, Scalar) and fam is not None and _missing(missing) and self._gone(test.expr, Stage(fam, "votes")):
            return Fcn(fcn.params, body["else"], fcn.path, fcn.scope)
        return fcn

    def x_a_any(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        array = self.expr(node["a.any"][0], scope, f"{path}/a.any/0")
        fcn = self.fcn_value(node["a.any"][1], scope, f"{path}/a.any/1")
        if isinstance(array, Stage) and array.what == "dist" and fcn.body == {"==": [fcn.params[0], 0.0]}:
            return Stage(array.family, "anyzero")
        raise Unliftable(path, "a.any other than the neighbours' test for a distance of 0")

    def staged_if(self, test: Any, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if isinstance(test, Stage) and test.what == "anyzero":
            a = self.expr(node["then"], scope, f"{path}/then")
            b = self.expr(node.get("else"), scope, f"{path}/else")
            if isinstance(a, Stage) and isinstance(b, Stage) and (a.what, b.what) == ("exact", "inverse"):
                test.family.params["weights"] = "distance"
                return Stage(test.family, "weights")
            raise Unliftable(path, "neighbour weights other than scikit-learn's 1 / distance")
        return super().staged_if(test, node, scope, path)

    def sum_stage(self, s: Any, path: str) -> Any:
        if isinstance(s, Stage) and s.what == "weights":
            return Stage(s.family, "wsum")
        if isinstance(s, Stage) and s.what in ("weighted", "share"):
            return Stage(s.family, "wysum" if s.what == "weighted" else f"vote{s.size}")
        return super().sum_stage(s, path)

    def x_a_zipmap(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        args = node["a.zipmap"]
        a = self.expr(args[0], scope, f"{path}/a.zipmap/0")
        b = self.expr(args[1], scope, f"{path}/a.zipmap/1")
        fcn = self.fcn_value(args[2], scope, f"{path}/a.zipmap/2")
        if isinstance(a, Stage) and isinstance(b, Stage) and (a.what, b.what) == ("weights", "targets") and len(fcn.params) == 2:
            w, t = fcn.params
            if fcn.body == {"*": [w, t]}:
                return Stage(a.family, "weighted")
            body = fcn.body
            if isinstance(body, dict) and body.get("then") == w and body.get("else") == 0.0:
                test = body.get("if")
                if isinstance(test, dict) and list(test) == ["=="] and test["=="][0] == t and isinstance(test["=="][1], int):
                    return Stage(a.family, "share", test["=="][1])
        left, right = _items(a), _items(b)
        per_row = isinstance(a, Vector) or isinstance(b, Vector)
        if per_row and left is not None and right is not None and len(left) == len(right) and len(fcn.params) == 2:
            # PFA 0.8.1 a.zipmap: f(a[i], b[i]) for each i (arrays of one length; titus2 fails otherwise)
            return Vector(tuple(self.call_fcn(fcn, [u, v], f"{path}/a.zipmap") for u, v in zip(left, right, strict=True)))
        raise Unliftable(path, f"a.zipmap of {_what(a)} and {_what(b)} has no IR form")

    def x_new(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        v = super().x_new(node, scope, path)
        if isinstance(v, Vector) and v.items and all(isinstance(x, Stage) and x.what.startswith("vote") for x in v.items):
            fam = v.items[0].family
            if [x.what for x in v.items] == [f"vote{c}" for c in range(len(v.items))] and all(x.family is fam for x in v.items):
                return Stage(fam, "votes", len(v.items))
        return v

    def staged(self, head: str, values: list[Any], path: str) -> Any:
        if head == "/" and len(values) == 2 and all(isinstance(v, Stage) for v in values):
            a, b = values
            if (a.what, b.what) == ("wysum", "wsum") and a.family is b.family:
                a.family.parts.add("value")
                return Part(a.family, "value")
        return super().staged(head, values, path)


def _items(v: Any) -> list[Any] | None:
    """The items of an array built in the action, or of a constant array of numbers, as per-row values."""
    if isinstance(v, Vector):
        return list(v.items)
    if isinstance(v, Constant) and isinstance(v.value, list) and all(isinstance(x, (int, float)) for x in v.value):
        from interchange.formats.pfa.lift.operators import _constant

        return [_constant(x) for x in v.value]
    return None


def _missing(v: Any) -> bool:
    """A missing constant: null, or NaN (our writer's ``0.0 / 0.0``)."""
    if v is None:  # (a null branch)
        return True
    if not isinstance(v, Scalar) or references(v.expr):
        return False
    value = evaluate_expr(v.expr, {}, 1)[0]
    return value is None or (isinstance(value, float) and value != value)
