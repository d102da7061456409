"""PFA ``la.*``, ``m.kernel.*`` and ``metric.*`` on whole batches, with titus2's semantics.

Vectors and matrices are the last one or two axes of a leaf; titus2 refuses non-finite
matrices in ``la.dot`` and misaligned shapes, and so does this module (record errors).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.core import pow_like_java
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
from interchange.formats.pfa.fast.library.numeric.maths import checked_exp, exp_checked
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float, fn, seqsum
from interchange.formats.pfa.fast.types import DOUBLE, Arr, NotCovered, Opt, expand, is_num, length
from interchange.ir.distances import distances
from interchange.ir.models.svm import apply_kernel

__all__ = ["LIBRARY"]

F64 = np.float64


# --- la.* ---------------------------------------------------------------------------------------

VECTOR, MATRIX = Arr(DOUBLE), Arr(Arr(DOUBLE))


def _la_elementwise(op: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (af, at), (bf, bt) = args_of(c, args, scope, 2)
        if at != bt or at not in (VECTOR, MATRIX):
            raise NotCovered(f"la on {at} and {bt}")
        depth, r = scope.depth, (1 if at == VECTOR else 2)

        def run(rt: Run) -> Any:
            a, b = as_float(af(rt)), as_float(bf(rt))
            if a.shape[a.ndim - r :] != b.shape[b.ndim - r :]:
                rt.fail(np.array(True), depth, "misaligned matrices")
                return a
            return op(a, b)

        return run, at

    return compile_


LIBRARY["la.add"], LIBRARY["la.sub"] = _la_elementwise(np.add), _la_elementwise(np.subtract)


@fn("la.scale")
def _la_scale(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (sf, st) = args_of(c, args, scope, 2)
    if at not in (VECTOR, MATRIX) or not is_num(st):
        raise NotCovered(f"la.scale on {at}")
    r = 1 if at == VECTOR else 2
    return (lambda rt: as_float(af(rt)) * expand(as_float(sf(rt)), r)), at


@fn("la.dot")
def _la_dot(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (af, at), (bf, bt) = args_of(c, args, scope, 2)
    if at != MATRIX or bt not in (VECTOR, MATRIX):
        raise NotCovered(f"la.dot on {at} and {bt}")
    depth = scope.depth

    def run(rt: Run) -> Any:
        a, b = as_float(af(rt)), as_float(bf(rt))
        rb = 1 if bt == VECTOR else 2
        bad_a = ~np.isfinite(a).all(axis=(-1, -2))
        bad_b = ~np.isfinite(b).all(axis=tuple(range(-rb, 0)))
        rt.fail(bad_a | bad_b, depth, "contains non-finite value")
        inner_b = b.shape[-1] if bt == VECTOR else b.shape[-2]
        if a.shape[-1] != inner_b or 0 in a.shape[-2:] or 0 in b.shape[b.ndim - rb :]:
            rt.fail(np.array(True), depth, "misaligned matrices" if a.shape[-1] != inner_b else "too few rows/cols")
            return np.zeros(a.shape[:-1])
        if bt == VECTOR:
            return np.matmul(a, b[..., None])[..., 0]
        return np.matmul(a, b)

    return run, VECTOR if bt == VECTOR else MATRIX


# --- m.kernel.* and metric.* --------------------------------------------------------------------


def _kernel(name: str) -> Callable[..., Compiled]:
    arity = {"linear": 2, "rbf": 3, "poly": 5, "sigmoid": 4}[name]

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        parts = args_of(c, args, scope, arity)
        if parts[0][1] != VECTOR or parts[1][1] != VECTOR or not all(is_num(t) for _, t in parts[2:]):
            raise NotCovered(f"m.kernel.{name} arguments")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x, y = as_float(parts[0][0](rt)), as_float(parts[1][0](rt))
            if x.shape[-1] != y.shape[-1]:
                rt.fail(np.array(True), depth, "arrays must have same length")
                return np.zeros(np.broadcast_shapes(x.shape[:-1], y.shape[:-1]))
            gamma, coef0, degree = ([as_float(f(rt)) for f, _ in parts[2:]] + [0.0, 0.0, 0.0])[:3]
            inner = distances(x, y, "squaredEuclidean") if name == "rbf" else seqsum(x * y)  # titus: in order
            return apply_kernel(name, inner, gamma, coef0, degree, exp=checked_exp(rt, depth), power=pow_like_java)

        return run, DOUBLE

    return compile_


for _k in ("linear", "rbf", "poly", "sigmoid"):
    LIBRARY[f"m.kernel.{_k}"] = _kernel(_k)


@fn("metric.simpleEuclidean")
def _simple_euclidean(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (yf, yt) = args_of(c, args, scope, 2)
    if xt != VECTOR or yt != VECTOR:
        raise NotCovered("metric.simpleEuclidean arguments")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x, y = as_float(xf(rt)), as_float(yf(rt))
        if x.shape[-1] != y.shape[-1]:
            rt.fail(np.array(True), depth, "dimensions of vectors do not match")
            return np.zeros(())
        return distances(x, y, "euclidean")

    return run, DOUBLE


@fn("metric.absDiff")
def _abs_diff(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (yf, yt) = args_of(c, args, scope, 2)
    if not (is_num(xt) and is_num(yt)):
        raise NotCovered("metric.absDiff arguments")
    return (lambda rt: np.abs(as_float(xf(rt)) - as_float(yf(rt)))), DOUBLE


@fn("metric.gaussianSimilarity")
def _gaussian_similarity(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (yf, yt), (sf, st) = args_of(c, args, scope, 3)
    if not (is_num(xt) and is_num(yt) and is_num(st)):
        raise NotCovered("metric.gaussianSimilarity arguments")
    depth = scope.depth

    def run(rt: Run) -> Any:
        # titus: math.exp(div(-math.log(2) * (x - y)**2, sigma**2))
        d, s = as_float(xf(rt)) - as_float(yf(rt)), as_float(sf(rt))
        square, sigma2 = d * d, s * s
        # Python's float ** raises OverflowError where a finite number's square overflows: titus fails the record
        overflow = (np.isfinite(d) & np.isinf(square)) | (np.isfinite(s) & np.isinf(sigma2))
        rt.fail(overflow, depth, "math range error (** overflow)")
        a = -math.log(2) * square
        by_zero = np.where(a > 0, np.inf, np.where(a < 0, -np.inf, np.nan))  # titus util.div
        return exp_checked(rt, np.where(sigma2 == 0, by_zero, a / np.where(sigma2 == 0, 1.0, sigma2)), depth)

    return run, DOUBLE


def _metric(name: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 3:
            raise NotCovered(f"metric.{name} with missing-value weights")
        (xf, xt), (yf, yt) = c.expr(args[1], scope), c.expr(args[2], scope)
        if not (isinstance(xt, Arr) and isinstance(yt, Arr)):
            raise NotCovered(f"metric.{name} arguments")
        xi = xt.items.inner if isinstance(xt.items, Opt) else xt.items
        yi = yt.items.inner if isinstance(yt.items, Opt) else yt.items
        slots, body, ret = map_fcn(c, args[0], scope, [xi, yi])
        if ret != DOUBLE:
            raise NotCovered(f"metric.{name} similarity that does not return a double")
        depth = scope.depth

        def run(rt: Run) -> Any:
            x, y = xf(rt), yf(rt)
            k = length(x, xt)
            if length(y, yt) != k:
                rt.fail(np.array(True), depth, "dimensions of vectors do not match")
                return np.zeros(())
            xm = np.asarray(x.missing) if isinstance(xt.items, Opt) else np.array(False)
            ym = np.asarray(y.missing) if isinstance(yt.items, Opt) else np.array(False)
            xv = x.value if isinstance(xt.items, Opt) else x
            yv = y.value if isinstance(yt.items, Opt) else y
            sims = as_float(run_lanes(rt, slots, [xv, yv], [xi, yi], body, ret, k))
            present = ~(xm | ym)
            terms = np.where(present, sims**2, 0.0)
            tally = seqsum(terms)
            denom = seqsum(np.broadcast_to(present, terms.shape).astype(F64))
            value = np.where(denom == 0, np.nan, tally * k / np.where(denom == 0, 1.0, denom))
            return np.sqrt(value) if name == "euclidean" else value

        return run, DOUBLE

    return compile_


LIBRARY["metric.euclidean"], LIBRARY["metric.squaredEuclidean"] = _metric("euclidean"), _metric("squaredEuclidean")
