"""Tree walks (model.tree.simpleWalk / missingWalk, alone or mapped over a cell of trees and
summed with a.fold / la.add / la.scale) read into the IR's TreeEnsemble, and the plumbing every
model call shares: its input array as IR columns, its family record."""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import category_key
from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.trees import TestRule, leaf_kind, lift_tree
from interchange.formats.pfa.lift.operators import _kind
from interchange.formats.pfa.lift.text import Texts
from interchange.formats.pfa.lift.values import Constant, Family, Fcn, Items, Part, Record, Scalar, Stage, Vector
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.expressions import Call, Const, Indicator, Lookup, Ref
from interchange.ir.lifted import Unliftable

__all__ = ["Walks"]


def _matrix(value: Any, path: str) -> np.ndarray:
    try:
        m = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Unliftable(path, "model parameters that are not numbers") from None
    return m


class Walks(Texts):
    """Core expressions and the string library plus model inputs and tree walks."""

    # --- plumbing -----------------------------------------------------------------------
    def columns(self, v: Any, name: str, path: str, size: int | None = None) -> tuple[str, ...]:
        """The IR columns holding the items of array ``v`` (items that are expressions get a Derive
        step); ``size``: how many items the model's parameters read (an array input must hold exactly that)."""
        if isinstance(v, Items):
            if size is None:
                raise Unliftable(path, "an array input where no parameter says how many items it holds")
            return self.items(v, size, path, exact=True)
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

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Items) and isinstance(key, int) and not isinstance(key, bool) and key >= 0:
            (col, *_) = self.items(value, key + 1, path, exact=False)[key:]
            return Scalar(Ref(col), "double", True)
        return super().attr(value, key, scope, path)

    def items(self, v: Items, n: int, path: str, *, exact: bool) -> tuple[str, ...]:
        """Columns for items 0 .. n-1 of array input ``v``: one ArrayItems step per input, widened
        in place when a later read needs more items (its columns keep their names)."""
        at = self.arrays.get(v.name)
        step = self.steps[at] if at is not None else None
        assert step is None or isinstance(step, ArrayItems)
        length = step.length if step is not None else None
        if exact and length is not None and length != n:
            raise Unliftable(path, f"array input {v.name!r} read as {length} and as {n} items")
        if length is not None and n > length:
            raise Unliftable(path, f"item {n - 1} of array input {v.name!r}, which holds {length} items")
        width = max(n, len(step.outputs) if step is not None else 0)
        outputs = tuple(f"{v.name}[{i}]" for i in range(width))
        self.names.update(outputs)
        new = ArrayItems((v.name,), outputs, n if exact else length)
        if at is None:
            self.arrays[v.name] = len(self.steps)
            self.steps.append(new)
            self.done.append((path, "ArrayItems"))
        else:
            self.steps[at] = new
        return outputs[:n]

    def family(self, kind: str, inputs: tuple[str, ...], params: dict[str, Any], path: str) -> Family:
        self.done.append((path, kind))
        return Family(kind, inputs, params, path)

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
            if isinstance(then, dict) and then.get("if") == {"impute.isnan": sym} and then.get("then") == other:
                then = then.get("else")  # our writer's: a NaN goes where a null goes (as the IR routes a NaN)
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
        if isinstance(leaves, Vector) and len(fcn.params) == 2:  # f(...f(f(zero, x0), x1)..., xn), inlined
            acc = zero
            for i, item in enumerate(leaves.items):
                acc = self.call_fcn(fcn, [acc, item], f"{path}/a.fold/{i}")
            return acc
        raise Unliftable(path, "a.fold other than the sum of a tree walk's leaf arrays or over an array built in the action")

    def x_la_scale(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s, k = (self.expr(a, scope, f"{path}/la.scale/{i}") for i, a in enumerate(node["la.scale"]))
        factor = self._as_scalar(k, path).constant if isinstance(k, (Scalar, Constant)) else None
        if isinstance(s, Stage) and s.family.kind == "trees" and s.what == "scores" and factor is not None:
            n = len(s.family.params["trees"])
            if factor == 1.0 / n and s.family.params.get("aggregation") == "sum" and s.family.params.get("base") is None:
                s.family.params["aggregation"] = "average"
                return s
        if isinstance(s, Vector) and isinstance(k, (Scalar, Constant)):  # per-row items times a number
            return Vector(tuple(self.operator("*", [self._as_scalar(x, path), self._as_scalar(k, path)], path) for x in s.items))
        raise Unliftable(path, "la.scale other than a forest's 1 / (number of trees) or of an array built in the action")

    def _elementwise(self, op: str, a: Any, b: Any, path: str) -> Vector | None:
        """la.add / la.sub of two arrays of one length, one of them built in the action."""
        from interchange.formats.pfa.lift.models.neighbors import _items

        left, right = _items(a), _items(b)
        if (
            (isinstance(a, Vector) or isinstance(b, Vector))
            and left is not None
            and right is not None
            and len(left) == len(right)
        ):
            pairs = zip(left, right, strict=True)
            return Vector(tuple(self.operator(op, [self._as_scalar(u, path), self._as_scalar(v, path)], path) for u, v in pairs))
        return None

    def x_la_sub(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        a, b = (self.expr(x, scope, f"{path}/la.sub/{i}") for i, x in enumerate(node["la.sub"]))
        out = self._elementwise("-", a, b, path)
        if out is None:
            raise Unliftable(path, "la.sub other than of two arrays of one length built in the action")
        return out

    def x_la_add(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        a, b = (self.expr(x, scope, f"{path}/la.add/{i}") for i, x in enumerate(node["la.add"]))
        if isinstance(a, Stage) and a.what == "scores" and a.family.kind == "trees" and a.family.params.get("base") is None:
            base = _constants(self, b, path)
            if base is not None:
                a.family.params["base"] = base
                return a
        if isinstance(a, Stage) and a.what == "machines" and "intercept" not in a.family.params:
            intercept = _constants(self, b, path)
            if intercept is not None:
                a.family.params["intercept"] = intercept
                return a
        if isinstance(a, Stage) and a.what == "scores" and a.family.kind == "linear" and a.family.params.get("added") is None:
            base = _constants(self, b, path)
            if base is not None and base.shape == a.family.params["intercept"].shape:
                a.family.params["intercept"] = a.family.params["intercept"] + base
                a.family.params["added"] = True
                return a
        out = self._elementwise("+", a, b, path)
        if out is not None:
            return out
        raise Unliftable(
            path, "la.add other than a constant added to tree or linear scores, or of two arrays built in the action"
        )

    def x_la_dot(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        """``la.dot(weights, x)``: a constant matrix times the input array, the scores of a linear model."""
        w, x = (self.expr(v, scope, f"{path}/la.dot/{i}") for i, v in enumerate(node["la.dot"]))
        if isinstance(w, Constant) and isinstance(x, (Vector, Items)):
            coef = _matrix(w.value, path)
            inputs = self.columns(x, "dot_x", f"{path}/la.dot/1", coef.shape[-1] if coef.ndim == 2 else None)
            if coef.ndim == 2 and coef.shape[1] == len(inputs):
                params = {"coef": coef, "intercept": np.zeros(coef.shape[0])}
                return Stage(self.family("linear", inputs, params, path), "scores", coef.shape[0])
        if isinstance(w, Constant) and isinstance(x, Stage) and x.what == "kernels":
            x.family.params["coef"] = _matrix(w.value, path)
            return Stage(x.family, "machines")
        raise Unliftable(path, "la.dot other than a constant matrix times an array of inputs or kernel values")


def _constants(lifter: Walks, v: Any, path: str) -> np.ndarray | None:
    if isinstance(v, Vector):
        values = [lifter._as_scalar(x, path).constant for x in v.items]
        return None if any(x is None or isinstance(x, str) for x in values) else np.asarray(values, dtype=np.float64)
    if isinstance(v, Constant) and isinstance(v.value, list):
        return _matrix(v.value, path)
    return None


def _plus_zero(expr: Any) -> Any:
    from interchange.ir.derive.expressions import Call, Const

    return Call("+", (expr, Const(0.0)))
