"""PFA ``model.reg.*`` beyond ``linear``, on whole batches, as titus2 computes them (``titus/lib/model/reg.py``).

The functions PFA 0.8.1 keeps as deprecated aliases of ``stat.test.*``: ``residual``, ``pull``,
``mahalanobis`` and ``reducedChi2``. Only the array and number signatures: map arguments cannot vary per row here.
Python's float division raises ZeroDivisionError and ``numpy.linalg.solve`` LinAlgError where
titus2 meets a zero or a singular matrix; titus2 then fails the record, so these rows fail here.
``updateChi2`` writes its state (cells are read-only on the fast path) and ``chi2Prob`` runs
titus2's own incomplete gamma series: both stay with titus2, as do ``linearVariance`` and
``gaussianProcess``, which titus2 1.2.0 fails for every record on NumPy 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float, fn
from interchange.formats.pfa.fast.types import DOUBLE, FLOAT, INT, Arr, Defer, NotCovered, Rec

__all__ = ["LIBRARY"]

VECTOR, MATRIX = Arr(DOUBLE), Arr(Arr(DOUBLE))
SCALARS = (INT, FLOAT, DOUBLE)  # ints up to 2**31 give the same doubles as Python's int arithmetic; longs would not


@fn("model.reg.linearVariance", "model.reg.gaussianProcess")
def _left_to_titus(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    """titus2 1.2.0 fails every record of these on NumPy 2 (``float()`` of a 1x1 matrix, ``numpy.int``):
    no result to agree with, so the document goes to titus2 and fails there the same way."""
    raise NotCovered("model.reg.linearVariance and gaussianProcess (titus2 1.2.0 fails them on NumPy 2)")


def _scalars(types: list[Any]) -> bool:
    return all(t in SCALARS for t in types)


@fn("model.reg.residual")
def _residual(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (of, ot), (pf, pt) = args_of(c, args, scope, 2)
    if _scalars([ot, pt]):
        return (lambda rt: as_float(of(rt)) - as_float(pf(rt))), DOUBLE
    if ot != VECTOR or pt != VECTOR:
        raise NotCovered(f"model.reg.residual on {ot} and {pt}")

    def run(rt: Run) -> Any:
        o, p = as_float(of(rt)), as_float(pf(rt))
        k = min(o.shape[-1], p.shape[-1])  # titus zips the two lists: the longer one is cut
        return o[..., :k] - p[..., :k]

    return run, VECTOR


@fn("model.reg.pull")
def _pull(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (of, ot), (pf, pt), (uf, ut) = args_of(c, args, scope, 3)
    depth = scope.depth
    scalar = _scalars([ot, pt, ut])
    if not scalar and not (ot == pt == ut == VECTOR):
        raise NotCovered(f"model.reg.pull on {ot}, {pt} and {ut}")

    def run(rt: Run) -> Any:
        o, p, u = as_float(of(rt)), as_float(pf(rt)), as_float(uf(rt))
        if not scalar and (o.shape[-1] != p.shape[-1] or o.shape[-1] != u.shape[-1]):
            rt.fail(np.array(True), depth, "misaligned prediction")  # titus says "prediction" for both checks
            return np.zeros(np.broadcast_shapes(o.shape, p.shape)[:-1] + (0,))
        zero = u == 0.0
        rt.fail(zero if scalar else zero.any(axis=-1), depth, "float division by zero")  # Python's ZeroDivisionError
        return (o - p) / np.where(zero, 1.0, u)

    return run, DOUBLE if scalar else VECTOR


@fn("model.reg.mahalanobis")
def _mahalanobis(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    (of, ot), (pf, pt), (cf, ct) = args_of(c, args, scope, 3)
    if ot != VECTOR or pt != VECTOR or ct != MATRIX:
        raise NotCovered("model.reg.mahalanobis on maps")
    depth = scope.depth

    def run(rt: Run) -> Any:
        o, p, cov = as_float(of(rt)), as_float(pf(rt)), as_float(cf(rt))
        lead = np.broadcast_shapes(o.shape[:-1], p.shape[:-1], cov.shape[:-2])
        d = o.shape[-1]
        # titus's own covariance check never fires on rectangular matrices; numpy's solve then
        # rejects a non-square or misaligned matrix (LinAlgError / ValueError)
        problem = "too few rows/cols" if d < 1 else "misaligned prediction" if p.shape[-1] != d else None
        if problem is None and (cov.shape[-1] != cov.shape[-2] or cov.shape[-1] != d):
            problem = "covariance that numpy.linalg.solve rejects"
        if problem is not None:
            rt.fail(np.array(True), depth, problem)
            return np.zeros(lead)
        x = o - p
        try:
            y = np.linalg.solve(cov, np.broadcast_to(x, lead + (d,))[..., None])[..., 0]  # one LAPACK gesv per row, as titus
        except np.linalg.LinAlgError:
            if cov.ndim > 2:
                raise Defer("a singular covariance matrix in some row") from None
            rt.fail(np.array(True), depth, "singular covariance matrix")
            return np.zeros(lead)
        return np.sqrt(np.sum(y * x, axis=-1))

    return run, DOUBLE


@fn("model.reg.reducedChi2")
def _reduced_chi2(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    ((sf, st),) = args_of(c, args, scope, 1)
    if not (isinstance(st, Rec) and not st.recursive and st.fields.get("chi2") == DOUBLE and st.fields.get("DOF") == INT):
        raise NotCovered("model.reg.reducedChi2 state record")
    depth = scope.depth

    def run(rt: Run) -> Any:
        s = sf(rt)
        chi2, dof = as_float(s["chi2"]), as_float(s["DOF"])
        rt.fail(dof == 0.0, depth, "float division by zero")
        return chi2 / np.where(dof == 0.0, 1.0, dof)

    return run, DOUBLE
