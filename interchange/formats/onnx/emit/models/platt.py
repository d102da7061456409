"""libsvm's class probabilities in double ONNX: Platt sigmoids per class pair, coupled by libsvm's
iteration as an ONNX ``Loop`` (``interchange.ir.models.svm_probability``, operation for operation).

The coupling stops row by row once ``max_t |(Qp)_t - p'Qp| < 0.005 / k`` (at most max(100, k)
sweeps); a fixed number of unrolled sweeps would go on moving the rows that have stopped, so the
graph loops instead: the carried state is each class's probability (``[N, 1]``) and which rows
are still active; a sweep updates the active rows only, and the loop ends when no row is active
or after max(100, k) sweeps. Each sum is taken in the IR's order, term by term.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper

from interchange.formats.onnx.emit.builder import DOUBLE, Builder
from interchange.formats.onnx.emit.models.linear import column
from interchange.ir.models.svm_probability import MIN_PROBABILITY

__all__ = ["svm_probabilities"]

BOOL = TensorProto.BOOL


def _sum(b: Builder, terms: list[str]) -> str:
    """((t0 + t1) + t2) ...: numpy's ``+=`` from zero, term by term (0 + t0 is t0)."""
    total = terms[0]
    for t in terms[1:]:
        total = b.op("Add", [total, t])
    return total


def _pairwise(b: Builder, f: str, pairs: np.ndarray, a: np.ndarray, c: np.ndarray, k: int) -> dict[tuple[int, int], str]:
    """``r[i, j]`` (``[N, 1]`` each): libsvm's sigmoid_predict, clipped to [1e-7, 1 - 1e-7]."""
    z = b.op("Add", [b.op("Mul", [f, b.const(np.asarray(a, dtype=np.float64))]), b.const(np.asarray(c, dtype=np.float64))])
    positive = b.op("Exp", [b.op("Neg", [b.op("Abs", [z])])])
    upper = b.op("Div", [positive, b.op("Add", [b.const(1.0), positive])])
    lower = b.op("Div", [b.const(1.0), b.op("Add", [b.const(1.0), b.op("Exp", [b.op("Min", [z, b.const(0.0)])])])])
    s = b.op("Where", [b.op("GreaterOrEqual", [z, b.const(0.0)]), upper, lower])
    s = b.op("Min", [b.op("Max", [s, b.const(MIN_PROBABILITY)]), b.const(1 - MIN_PROBABILITY)])
    r: dict[tuple[int, int], str] = {}
    for m, (i, j) in enumerate(np.asarray(pairs, dtype=int)):
        r[(int(i), int(j))] = column(b, s, m)
        r[(int(j), int(i))] = b.op("Sub", [b.const(1.0), r[(int(i), int(j))]])
    return r


def _q(b: Builder, r: dict[tuple[int, int], str], k: int) -> list[list[str]]:
    """libsvm's Q: Q[t][t] = sum_{j != t} r[j][t]^2 (j ascending), Q[t][j] = -r[j][t] r[t][j]."""
    q: list[list[str]] = [["" for _ in range(k)] for _ in range(k)]
    for t in range(k):
        q[t][t] = _sum(b, [b.op("Mul", [r[(j, t)], r[(j, t)]]) for j in range(k) if j != t])
        for j in range(k):
            if j < t:
                q[t][j] = q[j][t]
            elif j > t:
                q[t][j] = b.op("Mul", [b.op("Neg", [r[(j, t)]]), r[(t, j)]])
    return q


def _sweep(sub: Builder, q: list[list[str]], p: list[str], active: str, k: int) -> tuple[list[str], str]:
    """One iteration of libsvm's multiclass_probability on the active rows: (new p, still active)."""
    qp = [_sum(sub, [sub.op("Mul", [q[t][j], p[j]]) for j in range(k)]) for t in range(k)]
    pqp = _sum(sub, [sub.op("Mul", [p[t], qp[t]]) for t in range(k)])
    error = sub.op("Max", [sub.op("Abs", [sub.op("Sub", [qp[t], pqp])]) for t in range(k)])
    go = sub.op("And", [active, sub.op("Not", [sub.op("Less", [error, sub.const(0.005 / k)])])])
    new = list(p)
    for t in range(k):
        diff = sub.op("Div", [sub.op("Sub", [pqp, qp[t]]), q[t][t]])  # (-Qp[t] + pQp) / Q[t][t]
        new[t] = sub.op("Add", [new[t], diff])
        one = sub.op("Add", [sub.const(1.0), diff])
        inner = sub.op("Add", [sub.op("Mul", [diff, q[t][t]]), sub.op("Mul", [sub.const(2.0), qp[t]])])
        pqp = sub.op("Div", [sub.op("Div", [sub.op("Add", [pqp, sub.op("Mul", [diff, inner])]), one]), one])
        for j in range(k):
            qp[j] = sub.op("Div", [sub.op("Add", [qp[j], sub.op("Mul", [diff, q[t][j]])]), one])
            new[j] = sub.op("Div", [new[j], one])
    return [sub.op("Where", [go, new[j], p[j]]) for j in range(k)], go


def svm_probabilities(b: Builder, f: str, pairs: np.ndarray, a: np.ndarray, c: np.ndarray, k: int) -> str:
    """``[N, k]`` class probabilities from the ``[N, machines]`` machine values ``f``."""
    q = _q(b, _pairwise(b, f, pairs, a, c, k), k)
    shape = b.op("Shape", [q[0][0]])
    start = [b.op("Expand", [b.const(np.array([[1.0 / k]])), shape]) for _ in range(k)]
    awake = b.op("Expand", [b.const(np.array([[True]]), np.bool_, "true"), shape])
    sub = Builder()
    sub._count = b._count  # one namespace: body tensors never shadow the outer graph's
    names = [sub.fresh("p_in") for _ in range(k)]
    active = sub.fresh("active_in")
    step, go_on = sub.fresh("iteration"), sub.fresh("cond_in")
    new, still = _sweep(sub, q, names, active, k)
    more = sub.op("Greater", [sub.op("ReduceMax", [sub.op("Cast", [still], to=DOUBLE)], keepdims=0), sub.const(0.0)])
    outs = [sub.op("Identity", [t], "p_out") for t in new]
    body = helper.make_graph(
        sub.nodes,
        "coupling",
        [
            helper.make_tensor_value_info(step, TensorProto.INT64, []),
            helper.make_tensor_value_info(go_on, BOOL, []),
            *(helper.make_tensor_value_info(n, DOUBLE, [None, 1]) for n in names),
            helper.make_tensor_value_info(active, BOOL, [None, 1]),
        ],
        [
            helper.make_tensor_value_info(more, BOOL, []),
            *(helper.make_tensor_value_info(o, DOUBLE, [None, 1]) for o in outs),
            helper.make_tensor_value_info(still, BOOL, [None, 1]),
        ],
        sub.initializers,
    )
    b._count = sub._count
    trips = b.const(np.array(max(100, k), dtype=np.int64), np.int64, "trips")
    first = b.const(np.array(True), np.bool_, "true")
    results = b.ops("Loop", [trips, first, *start, awake], k + 1, "coupled", body=body)
    return b.op("Concat", results[:k], "probabilities", axis=1)
