"""PFA ``model.*`` functions on whole batches: regression, clusters, neighbours, networks, naive Bayes.

Trees (``model.tree.*``) live in ``fast.trees`` (walks) and ``fast.tree_tests`` (node tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, as_float, fn, seqsum
from interchange.formats.pfa.fast.types import (
    DOUBLE,
    Arr,
    Defer,
    NotCovered,
    RaggedConstant,
    Rec,
    const_of,
    length,
    lmap,
    stack,
    take_rows,
)
from interchange.ir.distances import distances, lowest
from interchange.ir.models.linear import affine
from interchange.ir.models.naive_bayes import gaussian_log_terms

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
        # titus: dot(coeff + [const], datum + [1.0]), the constant added last
        return affine(x, coeff, const)

    return run, VECTOR if multi else DOUBLE


# --- clusters and neighbours ------------------------------------------------------------------------


def arg_lowest(dist: np.ndarray, k: int) -> np.ndarray:
    """titus ``argLowestN(d, k, <)``: ascending, ties keep the earlier index (a stable sort)."""
    if np.isnan(dist).any():
        raise Defer("NaN distances (titus2 orders them by insertion)")
    return lowest(dist, k)


def _distances(c: Compiler, args: list[Any], scope: Scope, datum: Any, items_t: Any, center: Callable[[Any], Any] | None) -> Any:
    """Per-center distances: the metric fcn in lanes, or titus's default sum((x - c)^2)."""
    xf, xt = datum
    if len(args) == 0:
        if xt != VECTOR:
            raise NotCovered("default metric on a non-vector")

        def default(rt: Run, cb: Any) -> np.ndarray:
            x = as_float(xf(rt))
            pts = as_float(center(cb) if center else cb)
            m = min(pts.shape[-1], x.shape[-1])  # titus: sum((x - c)^2 for x, c in zip(...)): the shorter length
            return distances(x[..., None, :m], pts[..., :m], "squaredEuclidean")  # in order

        return default
    slots, body, ret = map_fcn(c, args[0], scope, [xt, items_t])
    if ret != DOUBLE:
        raise NotCovered("metric that does not return a double")

    def metric(rt: Run, cb: Any) -> np.ndarray:
        from interchange.formats.pfa.fast.types import lift

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
            if kf is not None:  # closestN
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
        return lmap(_no_elements, cb, ct.items)
    return stack(parts, ct.items)


def _no_elements(x: Any, r: int) -> np.ndarray:
    """``x`` with an empty element axis in front of its own ``r`` axes."""
    index: tuple[Any, ...] = (..., slice(0, 0), *(slice(None),) * r)
    return np.asarray(x)[index]


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
    xf, xt = c.expr(args[0], scope)
    ragged = c.ragged_cell(args[1])  # layers of different widths (what our MLP writer emits)
    mf, mt = (None, ragged[1]) if ragged is not None else c.expr(args[1], scope)
    if xt != VECTOR or not isinstance(mt, Arr) or not isinstance(mt.items, Rec):
        raise NotCovered("model.neural.simpleLayers arguments")
    layer = mt.items
    if layer.fields.get("weights") != MATRIX or layer.fields.get("bias") != VECTOR:
        raise NotCovered("model.neural.simpleLayers layers")
    slots, body, ret = map_fcn(c, args[2], scope, [DOUBLE])
    if ret != DOUBLE:
        raise NotCovered("activation that does not return a double")
    depth = scope.depth
    fixed = _layer_list(ragged[0], layer) if ragged is not None else None

    def run(rt: Run) -> Any:
        if fixed is not None:
            layers = fixed
        else:
            assert mf is not None
            m = mf(rt)
            w_all, b_all = m["weights"], m["bias"]
            if np.ndim(w_all) != 3 or np.ndim(b_all) != 2:
                raise Defer("layers that vary per row")
            layers = [(as_float(w), as_float(b)) for w, b in zip(w_all, b_all, strict=True)]
        x = as_float(xf(rt))
        if not layers:
            rt.fail(np.array(True), depth, "no layers")
            return x
        for i, (w, b) in enumerate(layers):
            # titus checks each layer as it reaches it: len(bias) == len(weights), every row as long as the datum
            if w is None or w.shape[-1] != x.shape[-1] or w.shape[0] != b.shape[0]:
                rt.fail(np.array(True), depth, "weights, bias, or datum misaligned")
                return x
            # titus: [sum(x * w_row) for rows] then + bias
            z = seqsum(x[..., None, :] * w) + b
            if i < len(layers) - 1:
                z = as_float(run_lanes(rt, slots, [z], [DOUBLE], body, ret, z.shape[-1]))
            x = z
        return x

    return run, VECTOR


def _layer_list(raw: Any, layer_t: Rec) -> list[tuple[np.ndarray | None, np.ndarray]]:
    """A constant array of layers, one (weights, bias) each; weights None where its rows differ in
    length (titus finds that layer misaligned for every datum)."""
    if not isinstance(raw, list):
        raise NotCovered("model.neural.simpleLayers layers that are not an array")
    out: list[tuple[np.ndarray | None, np.ndarray]] = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != set(layer_t.fields):
            raise NotCovered("model.neural.simpleLayers layer that does not match its record type")
        try:
            w = as_float(const_of(item["weights"], MATRIX))
        except RaggedConstant:
            w = None
        out.append((w, as_float(const_of(item["bias"], VECTOR))))
    return out


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
        terms_a, terms_b = gaussian_log_terms(x, mu, safe)
        ll = np.zeros(np.broadcast_shapes(terms_a.shape, terms_b.shape)[:-1])
        for i in range(x.shape[-1]):  # titus: ll += a_i; ll += b_i, in order
            ll = ll + terms_a[..., i]
            ll = ll + terms_b[..., i]
        return ll

    return run, DOUBLE
