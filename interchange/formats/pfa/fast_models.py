"""PFA ``model.*`` functions on whole batches: regression, trees, clusters, neighbours, networks, naive Bayes.

Trees (PFA §model.tree.simpleWalk / missingWalk): a constant tree (a cell, or an element of a
cell's array when walked inside ``a.map``) is flattened once into node tables; every row (and
every tree lane) holds a current node and all of them descend one level per step. The test
function is compiled like any other function, on the nodes gathered for the current step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast_compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast_library import LIBRARY, as_float, fn, map_fcn, run_lanes, seqsum
from interchange.formats.pfa.fast_types import (
    BOOLEAN,
    DOUBLE,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Nullable,
    Opaque,
    Opt,
    Prim,
    Rec,
    Types,
    const_of,
    is_num,
    length,
    lmap,
    stack,
    take_rows,
)

__all__ = ["LIBRARY"]

VECTOR, MATRIX = Arr(DOUBLE), Arr(Arr(DOUBLE))


@fn("model.reg.linear")
def _linear(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 2:
        raise NotCovered("model.reg.linear arity")
    (xf, xt), (mf, mt) = c.expr(args[0], scope), c.expr(args[1], scope)
    if xt != VECTOR or not isinstance(mt, Rec) or mt.recursive:
        raise NotCovered("model.reg.linear on maps")
    coeff_t, const_t = mt.fields.get("coeff"), mt.fields.get("const")
    multi = coeff_t == MATRIX and const_t == VECTOR
    if not multi and not (coeff_t == VECTOR and const_t == DOUBLE):
        raise NotCovered("model.reg.linear model record")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x, m = as_float(xf(rt)), mf(rt)
        coeff, const = as_float(m["coeff"]), as_float(m["const"])
        if coeff.ndim > (2 if multi else 1) or const.ndim > (1 if multi else 0):
            raise Defer("a regression model that varies per row")
        d = x.shape[-1]
        if coeff.shape[-1] != d or (multi and coeff.shape[0] != const.shape[0]):
            rt.fail(np.array(True), depth, "misaligned coeff")
            return np.zeros(x.shape[:-1] + ((const.shape[0],) if multi else ()))
        # titus: dot(coeff + [const], datum + [1.0])
        ones = np.ones(x.shape[:-1] + (1,))
        x1 = np.concatenate([x, ones], axis=-1)
        c1 = np.concatenate([coeff, const[:, None]], axis=1) if multi else np.concatenate([coeff, const[None]])
        return x1 @ c1.T if multi else x1 @ c1

    return run, VECTOR if multi else DOUBLE


# --- trees ----------------------------------------------------------------------------------------


class _Forest:
    """Flattened constant trees: node tables and leaf values (leaf j is encoded as node -1 - j)."""

    def __init__(self, trees: np.ndarray, node_t: Rec, leaf_t: Any, branches: tuple[str, ...]) -> None:
        fields = [k for k in node_t.fields if k not in branches]
        self.columns: dict[str, list[Any]] = {k: [] for k in fields}
        self.targets: dict[str, list[int]] = {b: [] for b in branches}
        leaves: list[Any] = []
        self.depth = 0
        roots = []
        for tree in np.asarray(trees, dtype=object).reshape(-1):
            roots.append(self._add(tree, node_t, leaf_t, branches, leaves, 1))
        self.roots = np.array(roots, dtype=np.int64).reshape(np.shape(trees))
        self.tables = {}
        for k in fields:
            ft = node_t.fields[k]
            if is_num(ft):
                self.tables[k] = np.array(self.columns[k], dtype=np.float64 if ft.name in ("float", "double") else np.int64)
            elif ft == BOOLEAN:
                self.tables[k] = np.array(self.columns[k], dtype=bool)
            elif ft == Prim("string") or isinstance(ft, EnumT):
                self.tables[k] = np.array(self.columns[k], dtype=object)
            else:
                raise NotCovered(f"tree node field {k} of type {ft}")
        self.next = {b: np.array(v, dtype=np.int64) for b, v in self.targets.items()}
        self.leaf_t = leaf_t
        self.leaves = stack([const_of(v, leaf_t) for v in leaves], leaf_t) if leaves else None

    def packed(self, f: str, thr: str, m: str) -> tuple[np.ndarray, ...]:
        """Tables where leaves are nodes that loop to themselves: feature, threshold, missingLeft,
        children (2 per node: pass, fail) and the leaf index of every node."""
        cache = self.__dict__.get("_packed")
        if cache is not None:
            return cache
        nodes = len(self.tables[f])
        n_leaves = 0 if self.leaves is None else int(np.asarray(_first(self.leaves, self.leaf_t)).shape[0])
        total = nodes + n_leaves
        feature = np.zeros(total, dtype=np.intp)
        feature[:nodes] = self.tables[f]
        threshold = np.zeros(total)
        threshold[:nodes] = self.tables[thr]
        missing_left = np.zeros(total, dtype=bool)
        missing_left[:nodes] = self.tables[m]
        target = {b: np.where(v >= 0, v, nodes + (-1 - v)) for b, v in self.next.items()}
        loop = np.arange(nodes, total)
        children = np.empty(2 * total, dtype=np.intp)
        children[0 : 2 * nodes : 2], children[1 : 2 * nodes : 2] = target["pass"], target["fail"]
        children[2 * nodes :: 2], children[2 * nodes + 1 :: 2] = loop, loop
        leaf_of = np.zeros(total, dtype=np.intp)
        leaf_of[nodes:] = np.arange(n_leaves)
        self.roots = np.where(self.roots >= 0, self.roots, nodes + (-1 - self.roots))
        self.__dict__["_packed"] = (feature, threshold, missing_left, children, leaf_of)
        return self.__dict__["_packed"]

    def _add(
        self, node: dict[str, Any], node_t: Rec, leaf_t: Any, branches: tuple[str, ...], leaves: list[Any], depth: int
    ) -> int:
        i = len(self.columns[next(iter(self.columns))]) if self.columns else 0
        self.depth = max(self.depth, depth)
        for k in self.columns:
            self.columns[k].append(node[k])
        for b in branches:
            self.targets[b].append(0)
        for b in branches:
            union = node[b]
            if union is None or not isinstance(union, dict) or len(union) != 1:
                raise NotCovered("tree branch that is null or untagged")
            ((tag, value),) = union.items()
            if tag in (node_t.name,) or tag.endswith("." + node_t.name):
                self.targets[b][i] = self._add(value, node_t, leaf_t, branches, leaves, depth + 1)
            else:
                leaves.append(value)
                self.targets[b][i] = -len(leaves)
        return i


def _first(v: Any, t: Any) -> np.ndarray:
    from interchange.formats.pfa.fast_types import first_leaf

    leaf, r = first_leaf(v, t)
    return leaf


def _leaf_type(types: Types, node_t: Rec, branch: str) -> Any:
    t = node_t.fields[branch]
    if not (isinstance(t, Opaque) and t.kind == "union"):
        raise NotCovered("tree branch type")
    options = list(t.members)
    rest = [x for x in options if x != node_t]
    if len(rest) != 1 or len(options) != 2:
        raise NotCovered("tree branches with several leaf types")
    leaf = rest[0]
    if not (is_num(leaf) or leaf == Prim("string") or (isinstance(leaf, Arr) and is_num(leaf.items))):
        raise NotCovered(f"tree leaves of type {leaf}")
    return leaf


def _walk(missing: bool) -> Callable[..., Compiled]:
    name = "model.tree.missingWalk" if missing else "model.tree.simpleWalk"
    branches = ("pass", "fail", "missing") if missing else ("pass", "fail")

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 3:
            raise NotCovered(f"{name} arity")
        (df, dt), (tf, tt) = c.expr(args[0], scope), c.expr(args[1], scope)
        if not (isinstance(tt, Rec) and tt.recursive and isinstance(dt, Rec)):
            raise NotCovered(f"{name} on {dt} and {tt}")
        leaf_t = _leaf_type(c.types, tt, "pass")
        for b in branches[1:]:
            if _leaf_type(c.types, tt, b) != leaf_t:
                raise NotCovered("tree branches with different leaf types")
        test = c.fcn(args[2], scope)
        split = None if missing else _split_test(test, dt, tt)
        slots, body, ret = test.bind([dt, tt], scope.depth)
        if ret != (Opt(BOOLEAN) if missing else BOOLEAN):
            raise NotCovered(f"{name} test returning {ret}")
        depth = scope.depth
        cache: dict[int, _Forest] = {}

        def run(rt: Run) -> Any:
            trees = tf(rt)
            if np.ndim(trees) > depth:
                raise Defer("trees that vary per row")
            forest = cache.get(id(trees))
            if forest is None:
                forest = cache[id(trees)] = _Forest(trees, tt, leaf_t, branches)
            d = df(rt)
            if split is not None:
                return _split_walk(rt, forest, d, split, depth)
            lanes = forest.roots.shape
            node = np.broadcast_to(forest.roots, (rt.n,) + (1,) * (depth - len(lanes)) + lanes).copy()
            rt.env[slots[0].id] = d
            outer = rt.active
            for _ in range(forest.depth):
                live = node >= 0
                if not live.any():
                    break
                at = np.where(live, node, 0)
                rt.env[slots[1].id] = {k: v[at] for k, v in forest.tables.items()}
                rt.active = live if outer is None else (np.asarray(outer) & live)
                try:
                    res = body(rt)
                finally:
                    rt.active = outer
                if missing:
                    ok = np.asarray(res.value, dtype=bool)
                    step = np.where(
                        np.asarray(res.missing),
                        forest.next["missing"][at],
                        np.where(ok, forest.next["pass"][at], forest.next["fail"][at]),
                    )
                else:
                    step = np.where(np.asarray(res, dtype=bool), forest.next["pass"][at], forest.next["fail"][at])
                node = np.where(live, step, node)
            leaf = -1 - node
            assert forest.leaves is not None
            return lmap(lambda x, r: np.asarray(x)[leaf], forest.leaves, leaf_t)

        return run, leaf_t

    return compile_


LIBRARY["model.tree.simpleWalk"], LIBRARY["model.tree.missingWalk"] = _walk(False), _walk(True)


def _split_test(test: Any, dt: Any, tt: Rec) -> tuple[str, str, str, str, str] | None:
    """The test ``ifnotnull(v: d.X[t.F]) then v <= t.T (or <) else t.M`` (what our writer emits), else None."""
    spec = test.spec
    if spec is None or len(test.params) != 2:
        return None
    (d, _), (t, _) = test.params
    body = spec["do"][0] if isinstance(spec["do"], list) and len(spec["do"]) == 1 else spec["do"]
    try:
        ((v, get),) = body["ifnotnull"].items()
        if set(body) != {"ifnotnull", "then", "else"} or set(get) != {"attr", "path"} or get["attr"] != d:
            return None
        (xkey,), feat = get["path"][0].values(), get["path"][1]
        ((op, (lhs, rhs)),) = body["then"].items()
        miss = body["else"]
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None
    if op not in ("<", "<=") or lhs != v or not all(isinstance(x, str) for x in (feat, rhs, miss, xkey)):
        return None
    parts = [x.split(".") for x in (feat, rhs, miss)]
    if any(len(x) != 2 or x[0] != t for x in parts):
        return None
    (_, f), (_, thr), (_, m) = parts
    want = {f: ("int", "long"), thr: ("double",), m: ("boolean",)}
    for key, names in want.items():
        ft = tt.fields.get(key)
        if not (isinstance(ft, Prim) and ft.name in names):
            return None
    if not (isinstance(dt, Rec) and dt.fields.get(xkey) == Arr(Opt(DOUBLE))):
        return None
    return xkey, f, thr, m, op


def _split_walk(rt: Run, forest: _Forest, d: Any, split: tuple[str, str, str, str, str], depth: int) -> Any:
    """All trees at once on flat tables: leaves loop to themselves, one gather per table and level."""
    xkey, f, thr, m, op = split
    packed = forest.packed(f, thr, m)
    feature, threshold, missing_left, children, leaf_of = packed
    x = d[xkey]
    values = np.asarray(x.value, dtype=np.float64)
    absent = np.asarray(x.missing)
    if values.ndim != depth + 2:
        raise Defer("tree input that does not vary per row")
    k = values.shape[-1]
    lanes = forest.roots.shape
    rows = values.reshape(values.shape[0], -1, k)
    if rows.shape[1] != 1:
        raise Defer("tree input varying per lane")
    flat = rows[:, 0, :].reshape(-1)
    base = (np.arange(values.shape[0], dtype=np.int64) * k).reshape((-1,) + (1,) * len(lanes))
    node = np.broadcast_to(forest.roots, (values.shape[0],) + lanes).astype(np.intp)
    any_missing = bool(np.asarray(absent).any())
    flat_missing = (
        np.broadcast_to(absent, values.shape).reshape(values.shape[0], -1, k)[:, 0, :].reshape(-1) if any_missing else None
    )
    for _ in range(forest.depth):
        at = base + feature[node]
        xv = flat[at]
        go = (xv <= threshold[node]) if op == "<=" else (xv < threshold[node])
        if flat_missing is not None:
            go = np.where(flat_missing[at], missing_left[node], go)
        node = children[2 * node + (~go)]
    leaf = leaf_of[node]
    lead = (1,) * (depth - len(lanes))
    leaf = leaf.reshape((leaf.shape[0],) + lead + lanes)
    assert forest.leaves is not None
    return lmap(lambda v, r: np.asarray(v)[leaf], forest.leaves, forest.leaf_t)


def _tree_test(missing: bool) -> Callable[..., Compiled]:
    """PFA §model.tree.simpleTest / missingTest on numeric fields (the node's field is an enum of datum fields)."""

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (df, dt), (nf, nt) = c.expr(args[0], scope), c.expr(args[1], scope)
        if not (isinstance(dt, Rec) and isinstance(nt, Rec)) or dt.recursive:
            raise NotCovered("tree test arguments")
        ft, vt = nt.fields.get("field"), nt.fields.get("value")
        if not isinstance(ft, EnumT) or not is_num(vt) or nt.fields.get("operator") != Prim("string"):
            raise NotCovered("tree test node fields")
        kinds = {}
        for k in ft.symbols:
            t = dt.fields.get(k)
            if t is None:
                raise NotCovered(f"tree test field {k} not in the datum")
            if isinstance(t, Opt) and is_num(t.inner):
                kinds[k] = True
            elif is_num(t):
                kinds[k] = False
            else:
                raise NotCovered(f"tree test on a {t} field")
        if not missing and any(kinds.values()):
            raise NotCovered("model.tree.simpleTest on nullable fields")
        depth = scope.depth

        def run(rt: Run) -> Any:
            d, node = df(rt), nf(rt)
            field = np.asarray(node["field"] if isinstance(node, dict) else _opaque(node, "field"), dtype=object)
            op = np.asarray(node["operator"] if isinstance(node, dict) else _opaque(node, "operator"), dtype=object)
            value = as_float(node["value"] if isinstance(node, dict) else _opaque(node, "value"))
            x = np.zeros(np.broadcast_shapes(field.shape, np.shape(value)))
            null = np.zeros(x.shape, dtype=bool)
            for k, nullable in kinds.items():
                col = d[k]
                hit = field == k
                if nullable:
                    x = np.where(hit, as_float(col.value), x)
                    null = np.where(hit, np.asarray(col.missing), null)
                else:
                    x = np.where(hit, as_float(col), x)
            known = {"<=", "<", ">=", ">", "==", "!=", "alwaysTrue", "alwaysFalse"}
            unknown = ~np.isin(op, list(known))
            rt.fail(unknown, depth, "invalid comparison operator")
            out = np.zeros(x.shape, dtype=bool)
            for o in ("<=", "<", ">=", ">", "==", "!="):
                cmp = {"<=": x <= value, "<": x < value, ">=": x >= value, ">": x > value, "==": x == value, "!=": x != value}[o]
                out = np.where(op == o, cmp, out)
            out = np.where(op == "alwaysTrue", True, np.where(op == "alwaysFalse", False, out))
            if missing:
                return Nullable(out, null & ~np.isin(op, ["alwaysTrue", "alwaysFalse"]))
            return out

        return run, Opt(BOOLEAN) if missing else BOOLEAN

    return compile_


def _opaque(node: Any, key: str) -> Any:
    arr = np.asarray(node, dtype=object)
    return np.array([x[key] for x in arr.reshape(-1)], dtype=object).reshape(arr.shape)


LIBRARY["model.tree.simpleTest"], LIBRARY["model.tree.missingTest"] = _tree_test(False), _tree_test(True)


# --- clusters and neighbours ------------------------------------------------------------------------


def arg_lowest(dist: np.ndarray, k: int) -> np.ndarray:
    """titus ``argLowestN(d, k, <)``: ascending, ties keep the earlier index (a stable sort)."""
    if np.isnan(dist).any():
        raise Defer("NaN distances (titus2 orders them by insertion)")
    return np.argsort(dist, axis=-1, kind="stable")[..., :k]


def _distances(c: Compiler, args: list[Any], scope: Scope, datum: Any, items_t: Any, center: Callable[[Any], Any] | None) -> Any:
    """Per-center distances: the metric fcn in lanes, or titus's default sum((x - c)^2)."""
    xf, xt = datum
    if len(args) == 0:
        if xt != VECTOR:
            raise NotCovered("default metric on a non-vector")

        def default(rt: Run, cb: Any) -> np.ndarray:
            x = as_float(xf(rt))
            pts = as_float(center(cb) if center else cb)
            if pts.shape[-1] != x.shape[-1]:
                rt.fail(np.array(True), scope.depth, "inconsistent dimensionality")
                return np.zeros(pts.shape[:-1])
            return seqsum((x[..., None, :] - pts) ** 2)

        return default
    slots, body, ret = map_fcn(c, args[0], scope, [xt, items_t])
    if ret != DOUBLE:
        raise NotCovered("metric that does not return a double")

    def metric(rt: Run, cb: Any) -> np.ndarray:
        from interchange.formats.pfa.fast_types import lift

        x = lift(xf(rt), xt, 1)
        k = length(cb, Arr(items_t))
        return as_float(run_lanes(rt, slots, [x, cb], [xt, items_t], body, ret, k))

    return metric


def _codebook(c: Compiler, args: list[Any], scope: Scope, name: str) -> tuple[Compiled, Compiled, Any]:
    (xf, xt), (cf, ct) = c.expr(args[0], scope), c.expr(args[1], scope)
    if not isinstance(ct, Arr):
        raise NotCovered(f"{name} codebook")
    return (xf, xt), (cf, ct), ct.items


def _closest(n_arg: bool) -> Callable[..., Compiled]:
    name = "model.cluster.closestN" if n_arg else "model.cluster.closest"

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        kf = None
        if n_arg:
            kf, kt = c.expr(args[0], scope)
            args = args[1:]
        datum, (cf, ct), item = _codebook(c, args, scope, name)
        if not (isinstance(item, Rec) and not item.recursive and "center" in item.fields):
            raise NotCovered(f"{name} clusters")
        if len(args) == 2 and item.fields["center"] != VECTOR:
            raise NotCovered(f"{name} centers")
        center_t = item.fields["center"]
        dist = _distances(c, args[2:], scope, datum, center_t, lambda cb: cb["center"])
        depth = scope.depth

        def run(rt: Run) -> Any:
            cb = cf(rt)
            k = length(cb, ct)
            if k == 0 and not n_arg:
                rt.fail(np.array(True), depth, "no clusters")
                raise Defer("no clusters")
            d = dist(rt, cb if len(args) == 2 else cb["center"])
            if n_arg:
                n = np.asarray(kf(rt))
                if n.ndim:
                    raise Defer("closestN with n varying per row")
                if int(n) < 0:
                    rt.fail(np.array(True), depth, "n must be nonnegative")
                    raise Defer("negative n")
                idx = arg_lowest(d, int(n))
                return _pick(cb, ct, idx)
            idx = arg_lowest(d, 1)[..., 0]
            return take_rows(cb, ct, idx)

        if n_arg:
            return run, ct
        return run, item

    return compile_


def _pick(cb: Any, ct: Arr, idx: np.ndarray) -> Any:
    """Elements ``idx[..., j]`` of a constant codebook, as an array value (one lane axis per j)."""
    parts = [take_rows(cb, ct, idx[..., j]) for j in range(idx.shape[-1])]
    if not parts:
        return lmap(lambda x, r: np.asarray(x)[..., :0, *(slice(None),) * r] if r else np.asarray(x)[..., :0], cb, ct.items)
    return stack(parts, ct.items)


LIBRARY["model.cluster.closest"], LIBRARY["model.cluster.closestN"] = _closest(False), _closest(True)


@fn("model.neighbor.nearestK")
def _nearest_k(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    kf, kt = c.expr(args[0], scope)
    datum, (cf, ct), item = _codebook(c, args[1:], scope, "model.neighbor.nearestK")
    if len(args) == 3 and item != VECTOR:
        raise NotCovered("nearestK default metric on non-vectors")
    dist = _distances(c, args[3:], scope, datum, item, None)
    depth = scope.depth

    def run(rt: Run) -> Any:
        cb = cf(rt)
        k = np.asarray(kf(rt))
        if k.ndim:
            raise Defer("nearestK with k varying per row")
        if int(k) < 0:
            rt.fail(np.array(True), depth, "k must be nonnegative")
            raise Defer("negative k")
        if length(cb, ct) == 0:
            raise Defer("empty codebook")
        idx = arg_lowest(dist(rt, cb), int(k))
        return _pick(cb, ct, idx)

    return run, ct


@fn("model.neural.simpleLayers")
def _simple_layers(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 3:
        raise NotCovered("model.neural.simpleLayers arity")
    (xf, xt), (mf, mt) = c.expr(args[0], scope), c.expr(args[1], scope)
    if xt != VECTOR or not isinstance(mt, Arr) or not isinstance(mt.items, Rec):
        raise NotCovered("model.neural.simpleLayers arguments")
    layer = mt.items
    if layer.fields.get("weights") != MATRIX or layer.fields.get("bias") != VECTOR:
        raise NotCovered("model.neural.simpleLayers layers")
    slots, body, ret = map_fcn(c, args[2], scope, [DOUBLE])
    if ret != DOUBLE:
        raise NotCovered("activation that does not return a double")
    depth = scope.depth

    def run(rt: Run) -> Any:
        layers = mf(rt)
        w_all, b_all = layers["weights"], layers["bias"]
        if np.ndim(w_all) > 3 or np.ndim(b_all) > 2:
            raise Defer("layers that vary per row")
        try:
            w_list = [as_float(w) for w in w_all] if np.ndim(w_all) == 3 else None
        except TypeError:
            w_list = None
        if w_list is None or len(w_list) == 0:
            raise NotCovered("ragged or empty layers")
        x = as_float(xf(rt))
        for i, (w, b) in enumerate(zip(w_list, b_all, strict=True)):
            if w.shape[-1] != x.shape[-1] or w.shape[0] != b.shape[0]:
                rt.fail(np.array(True), depth, "weights, bias, or datum misaligned")
                return x
            # titus: [sum(x * w_row) for rows] then + bias
            z = seqsum(x[..., None, :] * w) + b
            if i < len(w_list) - 1:
                z = as_float(run_lanes(rt, slots, [z], [DOUBLE], body, ret, z.shape[-1]))
            x = z
        return x

    return run, VECTOR


@fn("model.naive.gaussian")
def _naive_gaussian(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (mf, mt) = c.expr(args[0], scope), c.expr(args[1], scope)
    if xt != VECTOR or not (isinstance(mt, Arr) and isinstance(mt.items, Rec)):
        raise NotCovered("model.naive.gaussian on maps")
    if mt.items.fields.get("mean") != DOUBLE or mt.items.fields.get("variance") != DOUBLE:
        raise NotCovered("model.naive.gaussian class model")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x, m = as_float(xf(rt)), mf(rt)
        mu, var = as_float(m["mean"]), as_float(m["variance"])
        if mu.shape[-1] != x.shape[-1]:
            rt.fail(np.array(True), depth, "datum and classModel misaligned")
            return np.zeros(())
        rt.fail((var <= 0).any(axis=-1), depth, "variance less than or equal to zero")
        safe = np.where(var > 0, var, 1.0)
        terms_a = -0.5 * np.log(2.0 * np.pi * safe)
        terms_b = -0.5 * ((x - mu) ** 2 / safe)
        ll = np.zeros(np.broadcast_shapes(terms_a.shape, terms_b.shape)[:-1])
        for i in range(x.shape[-1]):  # titus: ll += a_i; ll += b_i, in order
            ll = ll + terms_a[..., i]
            ll = ll + terms_b[..., i]
        return ll

    return run, DOUBLE
