"""PFA's gamma and chi-squared PDF / CDF on whole batches, with titus2's own series (``titus/lib/spec.py``).

titus2's CDFs are ``regularizedGammaP``: a power series summed term by term until a term is below
1e-15 of the total, 1000 terms at most (a record needing more fails), 1.0 once the total
overflows. Here the same series runs over the whole batch with a mask of the elements still
summing, each element taking exactly titus2's terms in titus2's order, so the sums are titus2's to
the bit. The PDFs are titus2's closed form (``exp(log(x / scale) (shape - 1) - log(scale) +
(-x / scale - lgamma(shape)))``); ``math.exp`` overflow and ``math.log(0)`` fail the record, as in
titus2. ``poissonCDF`` is titus2's ``regularizedGammaQ`` (its ``gser`` series below a + 1, ``gcf``
continued fraction above, both to 3e-7), likewise step for step; the QFs are in ``fast.library.searches``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.library.numeric.dist import INPUT, PARAM, Checks, bad, register
from interchange.formats.pfa.fast.library.registry import EXP_MAX, LIBRARY

__all__ = ["gamma_pdf_formula", "regularized_gamma_p", "regularized_gamma_q"]

_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)


def _lgamma(a: Any) -> Any:
    return np.asarray(_LGAMMA(a), dtype=np.float64)


def _exp(ck: Checks, arg: Any, live: Any) -> Any:
    """``math.exp``: OverflowError above EXP_MAX (a finite argument), inf for inf."""
    ck.fail(np.asarray(live, dtype=bool) & np.isfinite(arg) & (arg > EXP_MAX), "math range error (exp overflow)")
    return np.exp(np.where(np.isfinite(arg) & (arg > EXP_MAX), 0.0, arg))


def regularized_gamma_p(ck: Checks, a: Any, x: Any, live: Any) -> Any:
    """titus2's ``regularizedGammaP(a, x)`` for a > 0, x >= 0, on the ``live`` elements."""
    a, x, live = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64), np.asarray(live, dtype=bool)
    )
    safe_a = np.where(live & (a > 0), a, 1.0)
    n = np.zeros(a.shape)
    an = 1.0 / safe_a
    total = an.copy()
    going = live.copy()
    for _ in range(1000):
        going = going & (np.abs(an / total) > 1e-15) & (n < 1000) & (total < np.inf)
        if not going.any():
            break
        n = np.where(going, n + 1.0, n)
        an = np.where(going, an * (x / (safe_a + n)), an)
        total = np.where(going, total + an, total)
    ck.fail(live & (n >= 1000), "regularizedGammaP did not converge")
    finite = total < np.inf
    ck.fail(live & finite & (x == 0), "math domain error (log of 0)")
    logx = np.log(np.where(x > 0, x, 1.0))
    ans = _exp(ck, -x + (safe_a * logx) - _lgamma(safe_a), live & finite & (x > 0)) * total
    return np.where(finite, ans, 1.0)


def gamma_pdf_formula(ck: Checks, x: Any, alpha: Any, beta: Any, live: Any) -> Any:
    """GammaDistribution.PDF for x > 0, alpha > 0, beta > 0."""
    safe_b = np.where(beta > 0, beta, 1.0)
    with np.errstate(divide="ignore"):
        term1a = np.log(x / safe_b) * (alpha - 1.0)  # log(0) is -inf there (titus2 catches the ValueError the same way)
    term1 = term1a - np.log(safe_b)
    term2 = -x / safe_b
    term3 = _lgamma(np.where(alpha > 0, alpha, 1.0))
    return _exp(ck, term1 + (term2 - term3), live)


def _gamma_params(ck: Checks, shape: Any, scale: Any) -> None:
    ck.fail(bad(shape, scale) | (shape < 0) | (scale < 0), PARAM)


def _gamma_pdf(ck: Checks, x: Any, shape: Any, scale: Any) -> Any:
    _gamma_params(ck, shape, scale)
    ck.fail(bad(x), INPUT)
    degenerate = (shape == 0) | (scale == 0)
    live = ~ck.failed & ~degenerate & (x > 0)
    out = gamma_pdf_formula(ck, np.where(live, x, 1.0), shape, scale, live)
    at_zero = np.where(shape < 1, np.inf, np.where(shape == 1, 1.0 / np.where(scale > 0, scale, 1.0), 0.0))
    out = np.where(x < 0, 0.0, np.where(x == 0, at_zero, out))
    return np.where(degenerate, np.where(x != 0, 0.0, np.inf), out)


def _gamma_cdf(ck: Checks, x: Any, shape: Any, scale: Any) -> Any:
    _gamma_params(ck, shape, scale)
    ck.fail(bad(x), INPUT)
    degenerate = (shape == 0) | (scale == 0)
    live = ~ck.failed & ~degenerate & (x > 0)
    ratio = np.where(live, x, 0.0) / np.where(scale > 0, scale, 1.0)
    out = regularized_gamma_p(ck, shape, ratio, live)
    out = np.where(x < 0, 0.0, out)  # (x == 0 reaches titus2's CDF: 0.0 there too)
    out = np.where(x == 0, 0.0, out)
    return np.where(degenerate, np.where(x != 0, 1.0, 0.0), out)


def _chi2_pdf(ck: Checks, x: Any, dof: Any) -> Any:
    ck.fail(dof < 0, PARAM)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (dof != 0) & (x > 0)
    out = gamma_pdf_formula(ck, np.where(live, x, 1.0), dof / 2.0, np.float64(2.0), live)
    out = np.where(x <= 0.0, 0.0, out)
    return np.where(dof == 0, np.where(x != 0, 0.0, np.inf), out)


def _chi2_cdf(ck: Checks, x: Any, dof: Any) -> Any:
    ck.fail(dof < 0, PARAM)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (dof != 0) & (x > 0)
    out = regularized_gamma_p(ck, dof / 2.0, np.where(live, x, 0.0) / 2.0, live)
    out = np.where(x <= 0.0, 0.0, out)
    return np.where(dof == 0, np.where(x > 0, 1.0, 0.0), out)


register("gammaPDF", _gamma_pdf, 3)
register("gammaCDF", _gamma_cdf, 3)
register("chi2PDF", _chi2_pdf, 2, ints=(1,))
register("chi2CDF", _chi2_cdf, 2, ints=(1,))
assert all(f"prob.dist.{n}" in LIBRARY for n in ("gammaPDF", "gammaCDF", "chi2PDF", "chi2CDF"))


def _gser(ck: Checks, a: Any, x: Any, live: Any) -> Any:
    """titus2's ``gser`` (series, 700 terms at most, eps 3e-7) for x > 0."""
    gln = _lgamma(a)
    ap, total = a.copy(), 1.0 / a
    delta = total.copy()
    out = np.zeros(a.shape)
    going = live.copy()
    for _ in range(700):
        if not going.any():
            break
        ap = np.where(going, ap + 1.0, ap)
        delta = np.where(going, delta * x / ap, delta)
        total = np.where(going, total + delta, total)
        done = going & (np.abs(delta) < np.abs(total) * 3.0e-7)
        out = np.where(done, total * _exp(ck, -x + a * np.log(np.where(x > 0, x, 1.0)) - gln, done), out)
        going = going & ~done
    ck.fail(going, "gser did not converge")
    return out


def _gcf(ck: Checks, a: Any, x: Any, live: Any) -> Any:
    """titus2's ``gcf`` (continued fraction, 200 steps at most, eps 3e-7)."""
    gln = _lgamma(a)
    gold, a0, a1, b0, b1, fac = (
        np.zeros(a.shape),
        np.ones(a.shape),
        x.copy(),
        np.zeros(a.shape),
        np.ones(a.shape),
        np.ones(a.shape),
    )
    out = np.zeros(a.shape)
    going = live.copy()
    for n in range(1, 201):
        if not going.any():
            break
        ana = n - a
        a0 = np.where(going, (a1 + a0 * ana) * fac, a0)
        b0 = np.where(going, (b1 + b0 * ana) * fac, b0)
        anf = n * fac
        a1, b1 = np.where(going, x * a0 + anf * a1, a1), np.where(going, x * b0 + anf * b1, b1)
        moving = going & (a1 != 0.0)
        fac = np.where(moving, 1.0 / np.where(a1 != 0.0, a1, 1.0), fac)
        g = b1 * fac
        ck.fail(moving & (g == 0.0), "float division by zero (gcf)")
        done = moving & (np.abs((g - gold) / np.where(g == 0.0, 1.0, g)) < 3.0e-7)
        out = np.where(done, g * _exp(ck, -x + a * np.log(np.where(x > 0, x, 1.0)) - gln, done), out)
        gold = np.where(moving, g, gold)
        going = going & ~done & ~ck.failed
    ck.fail(going, "gcf did not converge")
    return out


def regularized_gamma_q(ck: Checks, a: Any, x: Any, live: Any) -> Any:
    """titus2's ``regularizedGammaQ(a, x)`` for a > 0, x > 0: 1 - gser below a + 1, gcf above."""
    a, x, live = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64), np.asarray(live, dtype=bool)
    )
    a = np.where(live, a, 1.0)
    below = x < a + 1.0
    return np.where(below, 1.0 - _gser(ck, a, x, live & below), _gcf(ck, a, x, live & ~below))


def _poisson_cdf(ck: Checks, x: Any, lam: Any) -> Any:
    ck.fail(bad(lam) | (lam < 0), PARAM)
    live = ~ck.failed & (lam > 0) & (x >= 0)
    out = regularized_gamma_q(ck, np.floor(x + 1.0), np.where(live, lam, 1.0), live)
    out = np.where(x >= 0, out, 0.0)
    return np.where(lam == 0, np.where(x >= 0, 1.0, 0.0), out)


register("poissonCDF", _poisson_cdf, 2, ints=(0,))
