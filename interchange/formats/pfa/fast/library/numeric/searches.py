"""PFA quantile functions titus2 finds by search, run as the same search over the whole batch.

``lognormalQF``: titus2 doubles ``high`` from 1 until the CDF reaches ``p``, then bisects until the
CDF is within 1e-8 of ``p``. ``gammaQF`` / ``chi2QF``: 100 Newton steps at most from
``shape * scale``, halving a step that would leave the positive numbers, stopping when a step is
below sqrt(1e-15); the CDF is titus2's series (``fast.library.gamma``). Every element takes the
steps titus2 takes, in its order, and leaves the search when titus2 would, so the answers are
titus2's to the bit. A zero density (titus2 divides by it) fails the record; a bisection that
has not settled after 2000 steps (titus2 would loop until its time budget ends) defers the batch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.library.numeric.dist import INPUT, PARAM, Checks, bad, erf, register
from interchange.formats.pfa.fast.library.numeric.gamma import gamma_pdf_formula, regularized_gamma_p
from interchange.formats.pfa.fast.types import Defer

__all__: list[str] = []


def _lognormal_cdf(x: Any, mu: Any, sigma: Any) -> Any:
    z = (np.log(np.where(x > 0, x, 1.0)) - mu) / sigma
    return np.where(x <= 0.0, 0.0, 0.5 * (1.0 + erf((z - 0.0) / (1.0 * math.sqrt(2.0)))))


def _lognormal_qf(ck: Checks, p: Any, mu: Any, sigma: Any) -> Any:
    ck.fail(bad(mu, sigma) | (sigma <= 0), PARAM)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    p, mu, sigma = np.broadcast_arrays(p, mu, np.where(sigma > 0, sigma, 1.0))
    search = ~ck.failed & (p > 0.0) & (p < 1.0)
    high = np.ones(p.shape)
    growing = search.copy()
    while growing.any():
        growing = growing & (_lognormal_cdf(high, mu, sigma) < p)
        high = np.where(growing, high * 2.0, high)
    low, mid = np.zeros(p.shape), np.zeros(p.shape)
    going = search.copy()
    for _ in range(2000):
        if not going.any():
            break
        mid = np.where(going, (low + high) / 2.0, mid)
        diff = _lognormal_cdf(mid, mu, sigma) - p
        high = np.where(going & (diff > 0), mid, high)
        low = np.where(going & ~(diff > 0), mid, low)
        going = going & (np.abs(diff) > 1e-8)
    else:
        if going.any():
            raise Defer("a lognormalQF bisection that does not settle")
    return np.where(p == 1.0, np.inf, np.where(p == 0.0, 0.0, mid))


def newton_gamma_qf(ck: Checks, p: Any, alpha: Any, beta: Any, search: Any) -> Any:
    """GammaDistribution.QF(p) for 0 < p < 1, alpha > 0, beta > 0 on the ``search`` elements."""
    p, alpha, beta, search = np.broadcast_arrays(p, alpha, beta, search)
    alpha, beta = np.where(search, alpha, 1.0), np.where(search, beta, 1.0)
    y_old = alpha * beta
    y_new = y_old.copy()
    going = search & ~ck.failed
    for _ in range(100):
        if not going.any():
            break
        positive = going & (y_old > 0)
        cdf = np.where(y_old <= 0.0, 0.0, regularized_gamma_p(ck, alpha, np.where(positive, y_old, 0.0) / beta, positive))
        pdf = np.where(
            y_old < 0.0,
            0.0,
            np.where(
                (alpha == 1.0) & (y_old == 0.0), beta, gamma_pdf_formula(ck, np.where(going, y_old, 1.0), alpha, beta, going)
            ),
        )
        ck.fail(going & (pdf == 0.0), "float division by zero (gammaQF)")
        going = going & ~ck.failed
        h = (cdf - p) / np.where(pdf == 0.0, 1.0, pdf)
        step = np.where(y_old - h <= 0.0, y_old / 2.0, y_old - h)
        tiny = np.abs(step) <= 1e-15
        step = np.where(tiny, y_old / 10.0, step)
        h = np.where(tiny, y_old - step, h)
        y_new = np.where(going, step, y_new)
        going = going & ~(np.abs(h) < math.sqrt(1e-15))
        y_old = np.where(going, y_new, y_old)
    return y_new


def _gamma_qf(ck: Checks, p: Any, shape: Any, scale: Any) -> Any:
    ck.fail(bad(shape, scale) | (shape <= 0) | (scale <= 0), PARAM)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    out = newton_gamma_qf(ck, p, shape, scale, (p > 0.0) & (p < 1.0))
    return np.where(p == 1.0, np.inf, np.where(p == 0.0, 0.0, out))


def _chi2_qf(ck: Checks, p: Any, dof: Any) -> Any:
    ck.fail(dof < 0, PARAM)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    out = newton_gamma_qf(ck, p, dof / 2.0, np.float64(2.0), (p > 0.0) & (p < 1.0) & (dof != 0))
    return np.where(p == 1.0, np.inf, np.where((dof == 0) | (p == 0.0), 0.0, out))


register("lognormalQF", _lognormal_qf, 3)
register("gammaQF", _gamma_qf, 3)
register("chi2QF", _chi2_qf, 2, ints=(1,))
