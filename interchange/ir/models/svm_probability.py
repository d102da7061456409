"""libsvm's class probabilities: Platt sigmoids per class pair, coupled into one distribution.

scikit-learn's ``SVC(probability=True)`` and onnxruntime's ``SVMClassifier`` (``prob_a`` /
``prob_b``) both follow libsvm: machine ``p`` for the pair ``(i, j)`` gives
``r_ij = 1 / (1 + exp(A_p f_p + B_p))`` clipped to ``[1e-7, 1 - 1e-7]`` and ``r_ji = 1 - r_ij``;
the class probabilities solve Wu, Lin and Weng's "method 2" (JMLR 5, 2004, eq. 21) by the
iteration libsvm runs (``multiclass_probability`` in svm.cpp: at most ``max(100, k)`` sweeps,
stopping once ``max_t |(Qp)_t - p'Qp| < 0.005 / k``). scikit-learn's libsvm couples two classes
too (no closed-form shortcut), so the result is up to 5e-3 off the plain sigmoid; the sweeps
are reproduced here operation for operation, vectorised over rows (each row stops on its own).
"""

from __future__ import annotations

import numpy as np

__all__ = ["pairwise_probabilities", "couple", "svm_probabilities"]

MIN_PROBABILITY = 1e-7  # libsvm's min_prob


def _sigmoid(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """libsvm's sigmoid_predict: 1 / (1 + exp(fA + B)), written to avoid cancellation."""
    z = f * a + b
    with np.errstate(over="ignore"):
        positive = np.exp(-np.abs(z))
        return np.where(z >= 0, positive / (1.0 + positive), 1.0 / (1.0 + np.exp(np.minimum(z, 0.0))))


def pairwise_probabilities(f: np.ndarray, pairs: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """``r[row, i, j]``: the probability of class i against class j from machine values f (rows x machines)."""
    r = np.zeros((f.shape[0], k, k))
    sigmoid = _sigmoid(f, np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    p = np.clip(sigmoid, MIN_PROBABILITY, 1 - MIN_PROBABILITY)
    for m, (i, j) in enumerate(np.asarray(pairs, dtype=int)):
        r[:, i, j] = p[:, m]
        r[:, j, i] = 1 - p[:, m]
    return r


def couple(r: np.ndarray) -> np.ndarray:
    """Class probabilities (rows x k) from pairwise ones (rows x k x k): libsvm's multiclass_probability."""
    n, k = r.shape[0], r.shape[1]
    Q = np.zeros((n, k, k))
    for t in range(k):
        for j in range(t):
            Q[:, t, t] += r[:, j, t] * r[:, j, t]
            Q[:, t, j] = Q[:, j, t]
        for j in range(t + 1, k):
            Q[:, t, t] += r[:, j, t] * r[:, j, t]
            Q[:, t, j] = -r[:, j, t] * r[:, t, j]
    p = np.full((n, k), 1.0 / k)
    eps = 0.005 / k
    active = np.ones(n, dtype=bool)
    for _ in range(max(100, k)):
        rows = np.flatnonzero(active)
        if not len(rows):
            break
        q, pp = Q[rows], p[rows]
        Qp = np.zeros((len(rows), k))
        pQp = np.zeros(len(rows))
        for t in range(k):  # in libsvm's order of summation
            for j in range(k):
                Qp[:, t] += q[:, t, j] * pp[:, j]
            pQp += pp[:, t] * Qp[:, t]
        done = np.abs(Qp - pQp[:, None]).max(axis=1) < eps
        active[rows[done]] = False
        go = ~done
        q, pp, Qp, pQp = q[go], pp[go], Qp[go], pQp[go]
        for t in range(k):
            diff = (-Qp[:, t] + pQp) / q[:, t, t]
            pp[:, t] += diff
            pQp = (pQp + diff * (diff * q[:, t, t] + 2 * Qp[:, t])) / (1 + diff) / (1 + diff)
            for j in range(k):
                Qp[:, j] = (Qp[:, j] + diff * q[:, t, j]) / (1 + diff)
                pp[:, j] /= 1 + diff
        p[rows[go]] = pp
    return p


def svm_probabilities(f: np.ndarray, pairs: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Class probabilities (rows x k) of libsvm machines with Platt parameters ``a`` / ``b`` per machine."""
    return couple(pairwise_probabilities(f, pairs, a, b, k))
