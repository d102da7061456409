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

from interchange.batch import category_key
from interchange.formats.pfa.lift.expressions import Core, Scope, _kind
from interchange.formats.pfa.lift.trees import TestRule, leaf_kind, lift_tree
from interchange.formats.pfa.lift.values import Constant, Family, Fcn, Part, Record, Scalar, Stage, Vector
from interchange.ir.expressions import Call, Const, Indicator, Lookup
from interchange.ir.lifted import Unliftable

__all__ = ["Models"]

_ACTIVATIONS = {"m.link.logit": "logistic", "m.link.relu": "relu", "m.tanh": "tanh", "m.link.tanh": "tanh"}


def _matrix(value: Any, path: str) -> np.ndarray:
    try:
        m = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Unliftable(path, "model parameters that are not numbers") from None
    return m


class Models(Core):
    """The lifter: core expressions plus the model library."""

    # --- plumbing -----------------------------------------------------------------------
    def columns(self, v: Any, name: str, path: str) -> tuple[str, ...]:
        """The IR columns holding the items of array ``v`` (items that are expressions get a Derive step)."""
        if not isinstance(v, Vector):
            raise Unliftable(path, f"a model input that is {_kind(v)}, not an array built in the action")
        out = []
        for i, item in enumerate(v.items):
            s = self._as_scalar(item, f"{path}/{i}")
            if s.type == "string":
                raise Unliftable(f"{path}/{i}", "a text item in a model's input array")
            col = self.column(f"{name}[{i}]", s, f"{path}/{i}")
            if not hasattr(col.expr, "name"):  # a constant input: give it a column too
                col = self.column(f"{name}[{i}]", Scalar(_plus_zero(col.expr)), f"{path}/{i}")
            out.append(col.expr.name)  # type: ignore[union-attr]
        return tuple(out)

    def family(self, kind: str, inputs: tuple[str, ...], params: dict[str, Any], path: str) -> Family:
        self.done.append((path, kind))
        return Family(kind, inputs, params, path)

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
        if head == "-" and len(values) == 2 and isinstance(values[1], Part) and values[1].kind == "p1":
            one = values[0]
            if isinstance(one, (Scalar, Constant)) and self._as_scalar(one, path).constant == 1.0:
                return Part(values[1].family, "p0")
        if head == ">" and isinstance(a, Part) and a.kind == "score" and a.index == 0:
            b = values[1]
            if isinstance(b, (Scalar, Constant)) and self._as_scalar(b, path).constant == 0.0:
                return Part(a.family, "positive")
        raise Unliftable(path, f"{head} of a model's {', '.join(_what(v) for v in values)} has no IR form")

    def staged_if(self, test: Any, node: dict[str, Any], scope: Scope, path: str) -> Any:
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

    def library(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        raise Unliftable(f"{path}/{head}", f"{head} has no IR form yet")

    # --- linear models ------------------------------------------------------------------
    def x_model_reg_linear(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        x, cell = (self.expr(a, scope, f"{path}/model.reg.linear/{i}") for i, a in enumerate(node["model.reg.linear"]))
        if not isinstance(cell, Constant) or not isinstance(cell.value, dict) or {"coeff", "const"} - set(cell.value):
            raise Unliftable(path, "model.reg.linear with parameters that are not a constant {coeff, const} record")
        inputs = self.columns(x, "reg_x", f"{path}/model.reg.linear/0")
        coeff, const = _matrix(cell.value["coeff"], path), _matrix(cell.value["const"], path)
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
            raise Unliftable(path, "a kernel SVM (m.kernel.* over support vectors) is not read by the PFA lifter yet")
        if isinstance(array, Constant) and isinstance(array.value, list) and len(fcn.params) == 1:
            nb = self._naive_bayes(array, fcn, scope, path)
            if nb is not None:
                return nb
        if isinstance(array, Vector):
            return Vector(tuple(self.call_fcn(fcn, [item], f"{path}/a.map") for item in array.items))
        raise Unliftable(path, f"a.map over {_kind(array)} has no IR form here")

    # --- trees --------------------------------------------------------------------------
    def _rule(self, fcn: Fcn, path: str) -> TestRule:
        """Read a walk's test function: our writer's inline comparison or model.tree.simpleTest / missingTest."""
        if len(fcn.params) != 2:
            raise Unliftable(path, "a tree test function of other than (datum, node)")
        d, t = fcn.params
        body = fcn.body
        if isinstance(body, dict) and list(body) in (["model.tree.simpleTest"], ["model.tree.missingTest"]):
            if body[next(iter(body))] != [d, t]:
                raise Unliftable(path, "a test function passing other than (datum, node) to the library test")
            return TestRule(None, {}, "branch" if "missingTest" in next(iter(body)) else True)
        if isinstance(body, dict) and "ifnotnull" in body and len(body["ifnotnull"]) == 1:
            (sym, ref), then, other = next(iter(body["ifnotnull"].items())), body.get("then"), body.get("else")
            feature = {"attr": d, "path": [{"string": "x"}, f"{t}.feature"]}
            if ref == feature and isinstance(then, dict) and len(then) == 1:
                op, args = next(iter(then.items()))
                if args == [sym, f"{t}.threshold"] and op in ("<", "<=", ">", ">="):
                    if isinstance(other, bool):
                        return TestRule(op, None, other)
                    if isinstance(other, str) and other.startswith(t + "."):
                        return TestRule(op, None, other[len(t) + 1 :])
        raise Unliftable(path, "a tree test function of a form the lifter does not know (it reads our writer's and simpleTest)")

    def _walk(self, datum: Any, root: Any, rule: TestRule, path: str) -> tuple[tuple[str, ...], Any, list[Any]]:
        if not isinstance(root, dict):
            raise Unliftable(path, "a tree that is not a record")
        if rule.fields is None:
            if not isinstance(datum, Record) or not isinstance(datum.fields.get("x"), Vector):
                raise Unliftable(path, "a walk whose datum is not a record holding an array x")
            inputs = self.columns(datum.fields["x"], "tree_x", path)
        else:
            if not isinstance(datum, Record):
                raise Unliftable(path, "a walk whose datum is not a record")
            cols: list[str] = []
            fields: dict[str, int | None] = {}
            for name, v in datum.fields.items():
                value = self._as_scalar(v, f"{path}/{name}")
                fields[name] = None if value.type == "string" else len(cols)
                if value.type != "string":
                    cols.extend(self.columns(Vector((value,)), f"tree_{name}", path))

            def indicator(name: str, op: str, target: Any, where: str) -> int:
                value = self._as_scalar(datum.fields[name], where)
                if op in ("in", "notIn"):
                    if not isinstance(target, list):
                        raise Unliftable(where, f"{op} with a value that is not a list")
                    hit: Any = Lookup((value.expr,), tuple(((category_key(c),), 1.0) for c in target), 0.0)
                else:
                    hit = Indicator(value.expr, target)
                if op in ("!=", "notIn"):
                    hit = Call("-", (Const(1.0), hit))
                cols.append(self.column(f"{name} {op} {target}", Scalar(hit), where).expr.name)  # type: ignore[union-attr]
                return len(cols) - 1

            rule = TestRule(rule.operator, fields, rule.missing, indicator)
            tree, leaves = lift_tree(root, rule, path)
            return tuple(cols), tree, leaves
        tree, leaves = lift_tree(root, rule, path)
        return inputs, tree, leaves

    def _forest(self, array: Any, fcn: Fcn, path: str) -> Any:
        """``a.map(trees, fcn(tree) -> model.tree.simpleWalk(datum, tree, test))``: every tree's leaf."""
        walk = fcn.body["model.tree.simpleWalk"]
        if (
            not isinstance(array, Constant)
            or not isinstance(array.value, list)
            or len(fcn.params) != 1
            or walk[1] != fcn.params[0]
        ):
            raise Unliftable(path, "a.map of a tree walk over something other than a constant array of trees")
        inner = fcn.scope or {}
        datum = self.expr(walk[0], inner, f"{fcn.path}/do/model.tree.simpleWalk/0")
        rule = self._rule(self.fcn_value(walk[2], inner, f"{fcn.path}/do/model.tree.simpleWalk/2"), path)
        trees, all_leaves, inputs = [], [], None
        for i, root in enumerate(array.value):
            ins, tree, leaves = self._walk(datum, root, rule, f"{path}/trees/{i}")
            inputs = ins
            trees.append(tree)
            all_leaves.append(leaves)
        if not trees or inputs is None:
            raise Unliftable(path, "an empty tree array")
        kind = leaf_kind([v for ls in all_leaves for v in ls], path)
        if kind != "vector":
            raise Unliftable(path, "a mapped tree walk whose leaves are not arrays (our writer's form)")
        fam = self.family("trees", inputs, {"trees": trees, "leaves": all_leaves, "kind": kind}, path)
        return Stage(fam, "leaves", len(trees))

    def x_model_tree_simpleWalk(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._one_tree(node, "model.tree.simpleWalk", scope, path)

    def x_model_tree_missingWalk(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        return self._one_tree(node, "model.tree.missingWalk", scope, path)

    def _one_tree(self, node: dict[str, Any], head: str, scope: Scope, path: str) -> Any:
        datum_node, tree_node, fcn_node = node[head]
        datum = self.expr(datum_node, scope, f"{path}/{head}/0")
        root = self.expr(tree_node, scope, f"{path}/{head}/1")
        if not isinstance(root, Constant):
            raise Unliftable(path, "a walk over a tree that is not a constant (a cell)")
        rule = self._rule(self.fcn_value(fcn_node, scope, f"{path}/{head}/2"), f"{path}/{head}/2")
        inputs, tree, leaves = self._walk(datum, root.value, rule, f"{path}/{head}/1")
        kind = leaf_kind(leaves, path)
        classes = tuple(sorted({v for v in leaves if v is not None})) if kind == "text" else None
        fam = self.family("trees", inputs, {"trees": [tree], "leaves": [leaves], "kind": kind}, path)
        fam.params["aggregation"] = "sum"
        if kind == "vector":
            return Stage(fam, "scores")
        if kind == "number":
            fam.parts.add("value")
            return Part(fam, "value")
        fam.classes = classes
        fam.parts.add("label")
        return Part(fam, "label")

    def x_a_fold(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        array_node, zero_node, fcn_node = node["a.fold"]
        leaves = self.expr(array_node, scope, f"{path}/a.fold/0")
        zero = self.expr(zero_node, scope, f"{path}/a.fold/1")
        fcn = self.fcn_value(fcn_node, scope, f"{path}/a.fold/2")
        adds = isinstance(fcn.body, dict) and fcn.body.get("la.add") == list(fcn.params)
        zeros = isinstance(zero, Vector) and all(self._as_scalar(z, path).constant == 0.0 for z in zero.items)
        if isinstance(leaves, Stage) and leaves.what == "leaves" and adds and zeros:
            leaves.family.params["aggregation"] = "sum"
            return Stage(leaves.family, "scores", len(zero.items))
        raise Unliftable(path, "a.fold other than the sum of a tree walk's leaf arrays")

    def x_la_scale(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s, k = (self.expr(a, scope, f"{path}/la.scale/{i}") for i, a in enumerate(node["la.scale"]))
        factor = self._as_scalar(k, path).constant if isinstance(k, (Scalar, Constant)) else None
        if isinstance(s, Stage) and s.family.kind == "trees" and s.what == "scores" and factor is not None:
            n = len(s.family.params["trees"])
            if factor == 1.0 / n and s.family.params.get("aggregation") == "sum" and s.family.params.get("base") is None:
                s.family.params["aggregation"] = "average"
                return s
        raise Unliftable(path, "la.scale other than a forest's 1 / (number of trees)")

    def x_la_add(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        a, b = (self.expr(x, scope, f"{path}/la.add/{i}") for i, x in enumerate(node["la.add"]))
        if isinstance(a, Stage) and a.what == "scores" and a.family.kind == "trees" and a.family.params.get("base") is None:
            base = _constants(self, b, path)
            if base is not None:
                a.family.params["base"] = base
                return a
        raise Unliftable(path, "la.add other than a constant base added to tree scores")

    # --- clustering, networks, naive Bayes ----------------------------------------------
    def x_model_cluster_closest(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        args = node["model.cluster.closest"]
        if len(args) != 2:
            raise Unliftable(path, "model.cluster.closest with a metric function (the IR's is the Euclidean distance)")
        x, clusters = (self.expr(a, scope, f"{path}/model.cluster.closest/{i}") for i, a in enumerate(args))
        if not isinstance(clusters, Constant) or not isinstance(clusters.value, list) or not clusters.value:
            raise Unliftable(path, "clusters that are not a constant array")
        inputs = self.columns(x, "km_x", f"{path}/model.cluster.closest/0")
        centers = _matrix([c.get("center") for c in clusters.value], path)
        ids = tuple(c.get("id") for c in clusters.value)
        if centers.shape != (len(ids), len(inputs)):
            raise Unliftable(path, f"centers of shape {centers.shape} for {len(inputs)} inputs")
        return Stage(self.family("cluster", inputs, {"centers": centers, "ids": ids}, path), "closest")

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
        inputs = self.columns(xv, "nn_x", f"{path}/model.neural.simpleLayers/0")
        weights = tuple(_matrix(layer["weights"], path).T for layer in cell.value)  # PFA: (out x in); the IR: (in x out)
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


def _shape(body: Any, outer: str, op: str, p: str) -> str | None:
    """The symbol ``q`` when ``body`` is ``{outer: {op: [p, q]}}``."""
    if isinstance(body, dict) and list(body) == [outer]:
        inner = body[outer]
        if isinstance(inner, dict) and list(inner) == [op] and inner[op][0] == p and isinstance(inner[op][1], str):
            return inner[op][1]
    return None


def _constants(lifter: Models, v: Any, path: str) -> np.ndarray | None:
    if isinstance(v, Vector):
        values = [lifter._as_scalar(x, path).constant for x in v.items]
        return None if any(x is None or isinstance(x, str) for x in values) else np.asarray(values, dtype=np.float64)
    if isinstance(v, Constant) and isinstance(v.value, list):
        return _matrix(v.value, path)
    return None


def _plus_zero(expr: Any) -> Any:
    from interchange.ir.expressions import Call, Const

    return Call("+", (expr, Const(0.0)))


def _what(v: Any) -> str:
    if isinstance(v, Stage):
        return v.what
    if isinstance(v, Part):
        return v.kind
    return _kind(v)
