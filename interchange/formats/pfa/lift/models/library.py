"""PFA's model library read into IR model steps: model.reg.linear and m.link.*, trees walked
over a cell, model.cluster.closest, model.neural.simpleLayers, model.naive.gaussian over the
classes, and the ways documents turn scores into outputs (a.argmax into a class list, a
stable softmax spelled out with a.max / a.map / a.sum, ``[1 - logit(s), logit(s)]``).

Values on the way to a prediction are :class:`Stage` objects and the output-ready ones
:class:`Part` objects; the document lifter builds the one IR model step from their family.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.walks import Walks, _matrix
from interchange.formats.pfa.lift.operators import _UNARY, _kind
from interchange.formats.pfa.lift.values import Constant, Fcn, Part, Scalar, Stage, Vector
from interchange.ir.derive.expressions import Ref
from interchange.ir.derive.transforms import Project
from interchange.ir.lifted import Unliftable

__all__ = ["Models"]

_ACTIVATIONS = {"m.link.logit": "logistic", "m.link.relu": "relu", "m.tanh": "tanh", "m.link.tanh": "tanh"}


class Models(Walks):
    """The lifter: core expressions plus the model library."""

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Stage) and value.what == "closest" and key == "id":
            value.family.parts.add("cluster")
            return Part(value.family, "cluster")
        if isinstance(value, Stage) and isinstance(key, int):
            if value.what == "scores":
                value.family.parts.add("score")
                return Part(value.family, "score", key)
            if value.what == "probs":
                value.family.parts.add("probability")
                return Part(value.family, "probability", key)
        if isinstance(value, (Stage, Part)):
            raise Unliftable(
                path, f"element {key!r} of a model's {getattr(value, 'what', getattr(value, 'kind', ''))} has no IR form"
            )
        return super().attr(value, key, scope, path)

    def index(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(key, Stage) and key.what == "argmax" and isinstance(value, Constant) and isinstance(value.value, list):
            fam = key.family
            fam.classes = tuple(value.value)
            fam.parts.add("label")
            return Part(fam, "label")
        return super().index(value, key, scope, path)

    def staged(self, head: str, values: list[Any], path: str) -> Any:
        a = values[0]
        if head == "m.link.logit" and isinstance(a, Part) and a.kind == "score" and a.index == 0:
            return Part(a.family, "p1")
        if head in _UNARY and isinstance(a, Part) and a.kind == "value" and a.family.kind == "linear":
            # a function of one regression value (the spec's logistic regression, a double output): the
            # affine score as a column (Project), then the function as an expression over it
            fam = a.family
            coef, intercept = np.asarray(fam.params["coef"]), np.asarray(fam.params["intercept"])
            if coef.shape[0] == 1:
                col = self._fresh("linear.score")
                self.steps.append(Project(fam.inputs, (col,), coef, intercept))
                self.done.append((path, "Project"))
                return self.operator(head, [Scalar(Ref(col), "double")], path)
        if head == "-" and len(values) == 2 and isinstance(values[1], Part) and values[1].kind == "p1":
            one = values[0]
            if isinstance(one, (Scalar, Constant)) and self._as_scalar(one, path).constant == 1.0:
                return Part(values[1].family, "p0")
        if head == ">" and isinstance(a, Part) and a.kind == "score" and a.index == 0:
            b = values[1]
            if isinstance(b, (Scalar, Constant)) and self._as_scalar(b, path).constant == 0.0:
                return Part(a.family, "positive")
        step = self._isolation(head, values, path)
        if step is not None:
            return step
        raise Unliftable(path, f"{head} of a model's {', '.join(_what(v) for v in values)} has no IR form")

    def _isolation(self, head: str, values: list[Any], path: str) -> Part | None:
        """The isolation score over a forest's mean path length h, as our writer spells it:
        ``-(2 ** (-h / c)) - offset``, and its outlier test ``score < 0``."""
        consts = [self._as_scalar(v, path).constant if isinstance(v, (Scalar, Constant)) else None for v in values]
        parts = [v if isinstance(v, Part) and v.family.kind == "trees" and v.family.classes is None else None for v in values]
        a, fam = parts[0], next((p.family for p in parts if p is not None), None)
        if fam is None:
            return None
        if head == "u-" and a is not None and (a.kind, a.index) == ("score", 0):
            return Part(fam, "-path")
        if head == "/" and a is not None and a.kind == "-path" and isinstance(consts[1], float):
            fam.params["normaliser"] = consts[1]
            return Part(fam, "ratio")
        if head == "**" and consts[0] == 2.0 and parts[1] is not None and parts[1].kind == "ratio":
            return Part(fam, "power")
        if head == "u-" and a is not None and a.kind == "power":
            return Part(fam, "-power")
        if head == "-" and a is not None and a.kind == "-power" and isinstance(consts[1], float):
            fam.params["offset"] = consts[1]
            fam.parts.add("isolation")
            return Part(fam, "isolation")
        if head == "<" and a is not None and a.kind == "isolation" and consts[1] == 0.0:
            return Part(fam, "outlier")
        return None

    def staged_if(self, test: Any, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if isinstance(test, Part) and test.kind == "outlier" and node.get("then") == -1 and node.get("else") == 1:
            test.family.parts.add("label")
            return Part(test.family, "label")
        if isinstance(test, Part) and test.kind == "positive" and node.get("then") == 1 and node.get("else") == 0:
            return Stage(test.family, "argmax")  # the binary decision's class index: 1 where the score is > 0
        return super().staged_if(test, node, scope, path)

    def x_new(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        v = super().x_new(node, scope, path)
        if isinstance(v, Vector) and len(v.items) == 2 and all(isinstance(x, Part) for x in v.items):
            p0, p1 = v.items
            if (p0.kind, p1.kind) == ("p0", "p1") and p0.family is p1.family:
                p0.family.link = "logistic"
                return Stage(p0.family, "probs", 2)
        return v

    # --- linear models ------------------------------------------------------------------
    def x_model_reg_linear(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, cell = (self.expr(a, scope, f"{path}/model.reg.linear/{i}") for i, a in enumerate(node["model.reg.linear"]))
        if not isinstance(cell, Constant) or not isinstance(cell.value, dict) or {"coeff", "const"} - set(cell.value):
            raise Unliftable(path, "model.reg.linear with parameters that are not a constant {coeff, const} record")
        coeff, const = _matrix(cell.value["coeff"], path), _matrix(cell.value["const"], path)
        inputs = self.columns(x, "reg_x", f"{path}/model.reg.linear/0", coeff.shape[-1] if coeff.ndim else None)
        if const.ndim == 0:
            fam = self.family("linear", inputs, {"coef": coeff.reshape(1, -1), "intercept": const.reshape(1)}, path)
            fam.parts.add("value")
            return Part(fam, "value")
        if coeff.ndim != 2 or coeff.shape != (len(const), len(inputs)):
            raise Unliftable(path, f"coefficients of shape {coeff.shape} for {len(inputs)} inputs and {len(const)} constants")
        return Stage(self.family("linear", inputs, {"coef": coeff, "intercept": const}, path), "scores", len(const))

    def x_m_link_softmax(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s = self.expr(node["m.link.softmax"], scope, f"{path}/m.link.softmax")
        if not isinstance(s, Stage) or s.what != "scores":
            raise Unliftable(path, f"m.link.softmax of {_what(s)} has no IR form")
        s.family.link = "softmax"
        return Stage(s.family, "probs", s.size)

    def x_a_argmax(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s = self.expr(node["a.argmax"], scope, f"{path}/a.argmax")
        if isinstance(s, Stage) and s.what in ("probs", "scores", "votes"):
            return Stage(s.family, "argmax")
        raise Unliftable(path, f"a.argmax of {_what(s)} (not a model's scores or probabilities) has no IR form")

    # --- the stable softmax as our writer spells it (a.max, a.map exp(s - max), a.sum, a.map e / sum)
    def x_a_max(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s = self.expr(node["a.max"], scope, f"{path}/a.max")
        if isinstance(s, Stage) and s.what == "scores":
            return Stage(s.family, "max")
        raise Unliftable(path, f"a.max of {_what(s)} has no IR form")

    def x_a_sum(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s = self.expr(node["a.sum"], scope, f"{path}/a.sum")
        if isinstance(s, Stage) and s.what == "exp":
            return Stage(s.family, "sum")
        return self.sum_stage(s, path)

    def kernels(self, array: Any, fcn: Fcn, path: str) -> Any:
        """a.map of a kernel over support vectors (machines override this)."""
        raise Unliftable(path, "a kernel SVM (m.kernel.* over support vectors) is not read by the PFA lifter yet")

    def sum_stage(self, s: Any, path: str) -> Any:
        """a.sum of a model's intermediate array (neighbours override this)."""
        raise Unliftable(path, f"a.sum of {_what(s)} has no IR form")

    def map_stage(self, array: Stage, fcn: Fcn, path: str) -> Any:
        """a.map over a model's intermediate array (neighbours override this)."""
        raise Unliftable(f"{path}/a.map/1", f"a function over a model's {array.what} that is not a step of a softmax")

    def x_a_map(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        array_node, fcn_node = node["a.map"]
        fcn = self.fcn_value(fcn_node, scope, f"{path}/a.map/1")
        body = fcn.body
        if isinstance(body, dict) and "model.tree.simpleWalk" in body:
            array = self.expr(array_node, scope, f"{path}/a.map/0")
            return self._forest(array, fcn, path)
        array = self.expr(array_node, scope, f"{path}/a.map/0")
        if isinstance(array, Stage) and len(fcn.params) == 1:
            (p,) = fcn.params
            inner = fcn.scope or {}
            if array.what == "scores" and _shape(body, "m.exp", "-", p) is not None:
                shift = inner.get(_shape(body, "m.exp", "-", p))  # type: ignore[arg-type]
                if isinstance(shift, Stage) and shift.what == "max" and shift.family is array.family:
                    return Stage(array.family, "exp")
            if array.what == "exp" and isinstance(body, dict) and body.get("/", [None])[0] == p:
                total = inner.get(body["/"][1])
                if isinstance(total, Stage) and total.what == "sum" and total.family is array.family:
                    array.family.link = "softmax"
                    return Stage(array.family, "probs")
            return self.map_stage(array, fcn, path)
        if isinstance(body, dict) and any(str(k).startswith("m.kernel.") for k in body):
            return self.kernels(array, fcn, path)
        if isinstance(array, Constant) and isinstance(array.value, list) and len(fcn.params) == 1:
            nb = self._naive_bayes(array, fcn, scope, path)
            if nb is not None:
                return nb
        if isinstance(array, Vector):
            return Vector(tuple(self.call_fcn(fcn, [item], f"{path}/a.map") for item in array.items))
        raise Unliftable(path, f"a.map over {_kind(array)} has no IR form here")

    # --- clustering, networks, naive Bayes ----------------------------------------------
    def x_model_cluster_closest(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        args = node["model.cluster.closest"]
        where = f"{path}/model.cluster.closest"
        if len(args) not in (2, 3):
            raise Unliftable(path, f"model.cluster.closest with {len(args)} arguments")
        x, clusters = (self.expr(a, scope, f"{where}/{i}") for i, a in enumerate(args[:2]))
        metric = "squaredEuclidean"  # PFA's default; the same order of clusters as the Euclidean distance
        if len(args) == 3:
            metric = cluster_metric(self.fcn_value(args[2], scope, f"{where}/2"), f"{where}/2")
        if not isinstance(clusters, Constant) or not isinstance(clusters.value, list) or not clusters.value:
            raise Unliftable(path, "clusters that are not a constant array")
        centers = _matrix([c.get("center") for c in clusters.value], path)
        ids = tuple(c.get("id") for c in clusters.value)
        inputs = self.columns(x, "km_x", f"{where}/0", centers.shape[-1] if centers.ndim == 2 else None)
        if centers.shape != (len(ids), len(inputs)):
            raise Unliftable(path, f"centers of shape {centers.shape} for {len(inputs)} inputs")
        params = {"centers": centers, "ids": ids, "metric": metric}
        return Stage(self.family("cluster", inputs, params, path), "closest")

    def x_model_neural_simpleLayers(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, layers, act = node["model.neural.simpleLayers"]
        xv = self.expr(x, scope, f"{path}/model.neural.simpleLayers/0")
        cell = self.expr(layers, scope, f"{path}/model.neural.simpleLayers/1")
        fcn = self.fcn_value(act, scope, f"{path}/model.neural.simpleLayers/2")
        if not isinstance(cell, Constant) or not isinstance(cell.value, list) or not cell.value:
            raise Unliftable(path, "layers that are not a constant array")
        body, (z,) = fcn.body, fcn.params
        if body == z:
            activation = "identity"
        elif isinstance(body, dict) and len(body) == 1 and next(iter(body.values())) == z and next(iter(body)) in _ACTIVATIONS:
            activation = _ACTIVATIONS[next(iter(body))]
        else:
            raise Unliftable(f"{path}/model.neural.simpleLayers/2", "an activation other than identity, logit, tanh, relu")
        weights = tuple(_matrix(layer["weights"], path).T for layer in cell.value)  # PFA: (out x in); the IR: (in x out)
        inputs = self.columns(
            xv, "nn_x", f"{path}/model.neural.simpleLayers/0", len(weights[0]) if weights[0].ndim == 2 else None
        )
        biases = tuple(_matrix(layer["bias"], path) for layer in cell.value)
        acts = (activation,) * (len(weights) - 1) + ("identity",)
        params = {"weights": weights, "biases": biases, "activations": acts}
        return Stage(self.family("neural", inputs, params, path), "scores", len(biases[-1]))

    def _naive_bayes(self, array: Constant, fcn: Fcn, scope: Scope, path: str) -> Any:
        """``a.map(classes, fcn(c) -> c.logPrior + model.naive.gaussian(x, c.stats))``: the joint log likelihoods."""
        (c,) = fcn.params
        body = fcn.body
        if not (isinstance(body, dict) and list(body) == ["+"] and body["+"][0] == f"{c}.logPrior"):
            return None
        call = body["+"][1]
        if not (
            isinstance(call, dict) and list(call) == ["model.naive.gaussian"] and call["model.naive.gaussian"][1] == f"{c}.stats"
        ):
            return None
        x = self.expr(call["model.naive.gaussian"][0], fcn.scope or {}, f"{fcn.path}/do/+/1")
        inputs = self.columns(x, "nb_x", path)
        try:
            mean = _matrix([[s["mean"] for s in k["stats"]] for k in array.value], path)
            var = _matrix([[s["variance"] for s in k["stats"]] for k in array.value], path)
            prior = _matrix([k["logPrior"] for k in array.value], path)
        except (KeyError, TypeError):
            raise Unliftable(path, "naive Bayes classes that are not {logPrior, stats: [{mean, variance}]}") from None
        params = {"mean": mean, "var": var, "log_prior": prior}
        return Stage(self.family("naive", inputs, params, path), "scores", len(prior))


_METRICS = {"metric.euclidean": "euclidean", "metric.squaredEuclidean": "squaredEuclidean"}


def cluster_metric(fcn: Fcn, path: str) -> str:
    """The IR metric of a closest-cluster metric function ``(datum, center)``: metric.simpleEuclidean,
    or metric.euclidean / squaredEuclidean over metric.absDiff (titus2's producers write these)."""
    body = fcn.body
    if len(fcn.params) != 2 or not isinstance(body, dict) or len(body) != 1:
        raise Unliftable(path, "a metric function other than (datum, center) -> one metric.* call")
    (name, args), (x, c) = next(iter(body.items())), fcn.params
    if name == "metric.simpleEuclidean" and args == [x, c]:
        return "euclidean"
    if name not in _METRICS or not isinstance(args, list) or len(args) != 3 or args[1:] != [x, c]:
        raise Unliftable(path, f"{name} as a cluster metric has no IR form (the IR measures Euclidean distances)")
    sim = args[0]
    if sim == {"fcn": "metric.absDiff"}:
        return _METRICS[name]
    if isinstance(sim, dict) and "params" in sim and len(sim["params"]) == 2:
        u, w = (next(iter(p)) for p in sim["params"])
        if sim.get("do") in ({"metric.absDiff": [u, w]}, [{"metric.absDiff": [u, w]}]):
            return _METRICS[name]
        inner = sim.get("do")
        inner = inner[0] if isinstance(inner, list) and len(inner) == 1 else inner
        what = next(iter(inner)) if isinstance(inner, dict) and inner else "an expression"
        raise Unliftable(path, f"{name} over the similarity {what} has no IR form (the IR's is the absolute difference)")
    raise Unliftable(path, f"{name} over a similarity other than metric.absDiff has no IR form")


def _shape(body: Any, outer: str, op: str, p: str) -> str | None:
    """The symbol ``q`` when ``body`` is ``{outer: {op: [p, q]}}``."""
    if isinstance(body, dict) and list(body) == [outer]:
        inner = body[outer]
        if isinstance(inner, dict) and list(inner) == [op] and inner[op][0] == p and isinstance(inner[op][1], str):
            return inner[op][1]
    return None


def _what(v: Any) -> str:
    if isinstance(v, Stage):
        return v.what
    if isinstance(v, Part):
        return v.kind
    return _kind(v)
