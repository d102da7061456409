"""PFA class scores on whole batches: ``model.svm.score``, ``model.naive.multinomial`` and ``bernoulli``.

As titus2 computes them (``titus/lib/model/svm.py``, ``naive.py``): sums run left to right in
titus2's order, and its error cases fail the same records ("no support vectors", a support
vector of the wrong length, a class model that is empty or not strictly positive, a
probability outside (0, 1)). ``multinomial`` takes arrays (maps cannot vary per row here);
``bernoulli`` takes its string datum per row and its class model as a constant map.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.lanes import map_fcn, run_lanes
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float, fn, seqsum
from interchange.formats.pfa.fast.types import DOUBLE, STRING, Arr, Defer, NotCovered, Opaque, Rec, length, lift

__all__ = ["LIBRARY"]

VECTOR = Arr(DOUBLE)
TINY = 2.2250738585072014e-308  # titus naive.py ``tiny``, added to every multinomial probability


def _support_vectors(t: Any) -> TypeGuard[Arr]:
    return (
        isinstance(t, Arr)
        and isinstance(t.items, Rec)
        and t.items.fields.get("supVec") == VECTOR
        and t.items.fields.get("coeff") == DOUBLE
    )


@fn("model.svm.score")
def _svm_score(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    if len(args) != 3:
        raise NotCovered("model.svm.score arity")
    (xf, xt), (mf, mt) = c.expr(args[0], scope), c.expr(args[1], scope)
    if xt != VECTOR or not isinstance(mt, Rec) or mt.recursive or mt.fields.get("const") != DOUBLE:
        raise NotCovered("model.svm.score arguments")
    classes = [(k, t) for k in ("negClass", "posClass") if _support_vectors(t := mt.fields.get(k))]  # negClass first, as titus
    if len(classes) != 2:
        raise NotCovered("model.svm.score support vector records")
    slots, body, ret = map_fcn(c, args[2], scope, [VECTOR, VECTOR])
    if ret != DOUBLE:
        raise NotCovered("model.svm.score kernel that does not return a double")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x, m = as_float(xf(rt)), mf(rt)
        sizes = [length(m[k], t) for k, t in classes]
        if sizes == [0, 0]:
            rt.fail(np.array(True), depth, "no support vectors")
            return np.zeros(x.shape[:-1])
        scores = []
        for (k, _), size in zip(classes, sizes, strict=True):
            if size == 0:
                scores.append(np.zeros(()))
                continue
            sv = m[k]["supVec"]
            if np.shape(sv)[-1] != x.shape[-1]:
                rt.fail(np.array(True), depth, "support vectors must have same length as datum")
                return np.zeros(x.shape[:-1])
            kern = as_float(run_lanes(rt, slots, [sv, lift(x, VECTOR, 1)], [VECTOR, VECTOR], body, ret, size))
            scores.append(seqsum(kern * as_float(m[k]["coeff"])))  # titus: score += kernel(supVec, datum) * coeff
        return scores[0] + scores[1] + as_float(m["const"])

    return run, DOUBLE


@fn("model.naive.multinomial")
def _multinomial(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (mf, mt) = args_of(c, args, scope, 2)
    record = isinstance(mt, Rec) and not mt.recursive and mt.fields.get("values") == VECTOR
    if xt != VECTOR or not (mt == VECTOR or record):
        raise NotCovered("model.naive.multinomial on maps")
    depth = scope.depth

    def run(rt: Run) -> Any:
        x, m = as_float(xf(rt)), mf(rt)
        p = as_float(m["values"] if record else m)
        k = p.shape[-1]
        lead = np.broadcast_shapes(x.shape[:-1], p.shape[:-1])
        bad = np.array(True) if k == 0 else ~(p > 0.0).all(axis=-1)
        rt.fail(bad, depth, "classModel must be non-empty and strictly positive")
        if k == 0 or x.shape[-1] != k:
            rt.fail(~bad, depth, "datum and classModel misaligned")
            return np.zeros(lead)
        q = p / seqsum(p)[..., None] + TINY  # titus: p / sum(classModel) + tiny
        logs = np.log(q)
        ll = np.zeros(lead)
        for j in range(k):  # titus: ll += d * log(p), in order
            ll = ll + x[..., j] * logs[..., j]
        return ll

    return run, DOUBLE


def _double_map(t: Any) -> bool:
    return isinstance(t, Opaque) and t.kind == "map" and t.members == (DOUBLE,)


@fn("model.naive.bernoulli")
def _bernoulli(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (xf, xt), (mf, mt) = args_of(c, args, scope, 2)
    record = isinstance(mt, Rec) and not mt.recursive and _double_map(mt.fields.get("values"))
    if xt != Arr(STRING) or not (_double_map(mt) or record):
        raise NotCovered("model.naive.bernoulli arguments")
    depth = scope.depth

    def run(rt: Run) -> Any:
        m = mf(rt)
        held = np.asarray(m["values"] if record else m, dtype=object)
        if held.ndim != 0:
            raise Defer("a class model that varies per row")
        table = held.item()  # the one map of a 0-d object array
        words = np.asarray(xf(rt), dtype=object)
        if any(v <= 0.0 or v >= 1.0 for v in table.values()):
            rt.fail(np.array(True), depth, "probability in classModel cannot be less than 0 or greater than 1")
            return np.zeros(words.shape[:-1])
        base = 0.0
        for v in table.values():  # titus: ll += log(1 - v) over the model, then log(p) - log(1 - p) per word
            base += math.log(1.0 - v)
        terms = {k: math.log(v) - math.log(1.0 - v) for k, v in table.items()}
        ll = np.full(words.shape[:-1], base)
        lookup = np.frompyfunc(lambda w: terms.get(w, math.nan), 1, 1)
        for j in range(words.shape[-1]):
            term = np.asarray(lookup(words[..., j]), dtype=np.float64)
            found = np.asarray([w in terms for w in words[..., j].reshape(-1).tolist()], dtype=bool).reshape(term.shape)
            ll = np.where(found, ll + term, ll)
        return ll

    return run, DOUBLE
