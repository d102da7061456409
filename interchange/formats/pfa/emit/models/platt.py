"""libsvm's class probabilities in PFA: Platt sigmoids per class pair, coupled by libsvm's iteration
(``interchange.ir.models.svm_probability``, operation for operation) as a PFA ``while`` loop over one
record: at most max(100, k) sweeps, stopping once ``max_t |(Qp)_t - p'Qp| < 0.005 / k``.

Each class's probability, each (Qp)_t and p'Qp are mutable doubles (``let`` then ``set``), the
sweeps unrolled over the k classes as libsvm's loops are; sums are taken in the IR's order.
Binds ``probs`` (an array of doubles in the model's class order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from interchange.ir.models.svm_probability import MIN_PROBABILITY

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["svm_probabilities"]

ARRAY = {"type": "array", "items": "double"}


def _sum(terms: list[Any]) -> Any:
    total = terms[0]
    for t in terms[1:]:
        total = {"+": [total, t]}
    return total


def _max(terms: list[Any]) -> Any:
    total = terms[0]
    for t in terms[1:]:
        total = {"max": [total, t]}
    return total


def svm_probabilities(w: _Writer, machines: str, pairs: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> None:
    """Bind ``probs`` from the machine values ``machines`` (a bound array of doubles)."""
    r: dict[tuple[int, int], str] = {}
    for m, (i, j) in enumerate(np.asarray(pairs, dtype=int)):
        z = f"platt_z_{m}"
        w.bind(z, {"+": [{"*": [{"attr": machines, "path": [m]}, float(a[m])]}, float(b[m])]})
        positive = {"m.exp": {"u-": {"m.abs": z}}}
        upper = {"/": [positive, {"+": [1.0, positive]}]}
        lower = {"/": [1.0, {"+": [1.0, {"m.exp": {"min": [z, 0.0]}}]}]}
        sigmoid = {"if": {">=": [z, 0.0]}, "then": upper, "else": lower}
        w.bind(f"platt_r_{i}_{j}", {"min": [{"max": [sigmoid, MIN_PROBABILITY]}, 1 - MIN_PROBABILITY]})
        w.bind(f"platt_r_{j}_{i}", {"-": [1.0, f"platt_r_{i}_{j}"]})
        r[(int(i), int(j))], r[(int(j), int(i))] = f"platt_r_{i}_{j}", f"platt_r_{j}_{i}"
    q: dict[tuple[int, int], str] = {}
    for t in range(k):
        q[(t, t)] = f"platt_q_{t}_{t}"
        w.bind(q[(t, t)], _sum([{"*": [r[(j, t)], r[(j, t)]]} for j in range(k) if j != t]))
        for j in range(t + 1, k):
            q[(t, j)] = q[(j, t)] = f"platt_q_{t}_{j}"
            w.bind(q[(t, j)], {"*": [{"u-": r[(j, t)]}, r[(t, j)]]})
    p = [f"platt_p_{t}" for t in range(k)]
    qp = [f"platt_qp_{t}" for t in range(k)]
    for name in p:
        w.bind(name, 1.0 / k)
    w.action.append({"let": {"platt_sweep": 0, "platt_more": True}})
    update: list[Any] = []
    for t in range(k):
        diff, one = f"platt_diff_{t}", f"platt_one_{t}"
        update.append({"let": {diff: {"/": [{"-": ["platt_pqp", qp[t]]}, q[(t, t)]]}}})  # (-Qp[t] + pQp) / Q[t][t]
        update.append({"set": {p[t]: {"+": [p[t], diff]}}})
        update.append({"let": {one: {"+": [1.0, diff]}}})
        inner = {"+": [{"*": [diff, q[(t, t)]]}, {"*": [2.0, qp[t]]}]}
        update.append({"set": {"platt_pqp": {"/": [{"/": [{"+": ["platt_pqp", {"*": [diff, inner]}]}, one]}, one]}}})
        for j in range(k):
            update.append({"set": {qp[j]: {"/": [{"+": [qp[j], {"*": [diff, q[(t, j)]]}]}, one]}}})
            update.append({"set": {p[j]: {"/": [p[j], one]}}})
    sweep = [
        *({"let": {qp[t]: _sum([{"*": [q[(t, j)], p[j]]} for j in range(k)])}} for t in range(k)),
        {"let": {"platt_pqp": _sum([{"*": [p[t], qp[t]]} for t in range(k)])}},
        {"let": {"platt_error": _max([{"m.abs": {"-": [qp[t], "platt_pqp"]}} for t in range(k)])}},
        {"if": {"<": ["platt_error", 0.005 / k]}, "then": [{"set": {"platt_more": False}}], "else": update},
        {"set": {"platt_sweep": {"+": ["platt_sweep", 1]}}},
    ]
    w.action.append({"while": {"&&": ["platt_more", {"<": ["platt_sweep", max(100, k)]}]}, "do": sweep})
    w.bind("probs", {"new": p, "type": ARRAY}, "array")
