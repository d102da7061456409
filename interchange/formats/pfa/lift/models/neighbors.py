"""model.neighbor.nearestK read into the IR's NearestNeighbors, with the vote or mean our PFA
writer spells out after it (distances, weights, their sum, class shares or the weighted mean).

The metric function is recognised by comparing it with what the writer emits for each metric
(``emit.families._distance``); a nearestK without one is PFA's default, the Euclidean distance.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.library import Models, _what
from interchange.formats.pfa.lift.models.walks import _matrix
from interchange.formats.pfa.lift.values import Constant, Fcn, Part, Stage, Vector
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
        if not isinstance(first, dict) or {"point", "target"} - set(first):
            raise Unliftable(f"{where}/2", "neighbour points that are not {point, target} records (no target to vote or average)")
        table = _matrix([p["point"] for p in points.value], where)
        inputs = self.columns(x, "knn_x", f"{where}/1", table.shape[-1] if table.ndim == 2 else None)
        targets = np.asarray([p["target"] for p in points.value])
        if table.shape != (len(points.value), len(inputs)):
            raise Unliftable(where, f"points of shape {table.shape} for {len(inputs)} inputs")
        assert metric is not None
        params = {"points": table, "targets": targets, "k": int(k), "metric": metric[0], "p": metric[1], "x": args[1]}
        return Stage(self.family("neighbours", inputs, params, where), "near")

    def map_stage(self, array: Stage, fcn: Fcn, path: str) -> Any:
        fam, body = array.family, fcn.body
        if fam.kind != "neighbours" or len(fcn.params) != 1:
            return super().map_stage(array, fcn, path)
        (p,) = fcn.params
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
