"""PFA ``model.neighbor.ballR`` and ``model.neighbor.mean`` on whole batches, as titus2 computes them.

titus2 (``titus/lib/model/neighbor.py``): ``ballR`` keeps, in codebook order, the points whose
distance is strictly below ``r`` (default distance ``sqrt(sum((d - x)^2))`` over the zipped
coordinates, so the longer vector is cut); ``mean`` averages points, weighted or not, failing
the record when there are none ("not enough points") or the weights add up to zero (Python's
ZeroDivisionError). A ball is an array whose length depends on the row; the fast path's arrays
have one length per batch, so a batch whose live rows keep different numbers of points is
deferred to titus2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, as_float, fn, seqsum
from interchange.formats.pfa.fast.models.families import _pick
from interchange.formats.pfa.fast.types import DOUBLE, Arr, Defer, NotCovered, is_num, length, lift
from interchange.ir.distances import distances

__all__ = ["LIBRARY"]

VECTOR, MATRIX = Arr(DOUBLE), Arr(Arr(DOUBLE))


@fn("model.neighbor.ballR")
def _ball_r(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) not in (3, 4):
        raise NotCovered("model.neighbor.ballR arity")
    (rf, r_t), (xf, xt), (cf, ct) = (c.expr(a, scope) for a in args[:3])
    if not is_num(r_t) or not isinstance(ct, Arr):
        raise NotCovered("model.neighbor.ballR arguments")
    metric = None
    if len(args) == 4:
        metric = map_fcn(c, args[3], scope, [xt, ct.items])
        if metric[2] != DOUBLE:
            raise NotCovered("model.neighbor.ballR metric that does not return a double")
    elif xt != VECTOR or ct.items != VECTOR:
        raise NotCovered("model.neighbor.ballR default metric on non-vectors")

    def run(rt: Run) -> Any:
        cb, r = cf(rt), as_float(rf(rt))
        k = length(cb, ct)
        if metric is None:
            x, pts = as_float(xf(rt)), as_float(cb)
            m = min(x.shape[-1], pts.shape[-1])  # titus zips datum and point
            dist = distances(x[..., None, :m], pts[..., :m], "euclidean")
        else:
            slots, body, ret = metric
            dist = as_float(run_lanes(rt, slots, [lift(xf(rt), xt, 1), cb], [xt, ct.items], body, ret, k))
        inside = dist < r[..., None]
        counts = inside.sum(axis=-1)
        live = counts
        if rt.active is not None:
            active = np.asarray(rt.active, dtype=bool)
            shape = np.broadcast_shapes(counts.shape, active.shape)
            live = np.broadcast_to(counts, shape)[np.broadcast_to(active, shape)]
        size = int(live.reshape(-1)[0]) if live.size else 0
        if (live != size).any():
            raise Defer("model.neighbor.ballR keeping different numbers of points per row")
        order = np.argsort(~inside, axis=-1, kind="stable")[..., :size]  # the kept points first, in codebook order
        return _pick(cb, ct, order)

    return run, ct


@fn("model.neighbor.mean")
def _mean(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) not in (1, 2):
        raise NotCovered("model.neighbor.mean arity")
    pf, pt = c.expr(args[0], scope)
    if pt != MATRIX:
        raise NotCovered(f"model.neighbor.mean on {pt}")
    weight = None
    if len(args) == 2:
        weight = map_fcn(c, args[1], scope, [VECTOR])
        if weight[2] != DOUBLE:
            raise NotCovered("model.neighbor.mean weight that does not return a double")
    depth = scope.depth

    def run(rt: Run) -> Any:
        pv = pf(rt)
        pts, k = as_float(pv), length(pv, pt)
        if k == 0:
            rt.fail(np.array(True), depth, "not enough points")
            return np.zeros(pts.shape[:-2] + pts.shape[-1:])
        if weight is None:
            return seqsum(pts, axis=-2) / float(k)  # titus: numer[i] += 1.0 * point[i]; denom[i] += 1.0
        slots, body, ret = weight
        w = as_float(run_lanes(rt, slots, [pv], [VECTOR], body, ret, k))
        numer = seqsum(w[..., None] * pts, axis=-2)
        denom = seqsum(w)
        if pts.shape[-1]:  # titus divides once per dimension: none, no division
            rt.fail(denom == 0.0, depth, "float division by zero")
        return numer / np.where(denom == 0.0, 1.0, denom)[..., None]

    return run, VECTOR
