"""PFA's ``prob.dist.*`` on whole batches, with titus2's semantics (``titus/lib/prob/dist.py``).

Each function follows titus2's own formula and branch order, not a textbook one: ``gaussianQF`` is
titus2's rational approximation (Abramowitz & Stegun 26.2.23, about 4.5e-4 from the true
quantile), ``uniformQF`` returns ``min + p * (max - min)`` for every valid ``p``, ``geometricQF``
divides by ``log(1 - prob)``. Rows titus2 fails fail here too: a parameter that is NaN, infinite
or out of range ("invalid parameterization"), an input that is NaN or infinite ("invalid
input"), and the errors Python raises on the way (``pow`` overflow, a division by zero) - see
:class:`Checks`. ``math.lgamma`` and ``math.erf`` are titus2's own (applied element by element).

Covered: gaussian (LL, CDF, QF; ``mu, sigma`` or a ``{mean, variance}`` record), exponential,
cauchy, uniform, geometric and weibull (PDF, CDF, QF), lognormal (PDF, CDF), poisson (PDF); gamma
and chi2 PDF / CDF in ``fast.library.gamma``, the lognormal, gamma and chi2 QFs in
``fast.library.searches``. Not covered (titus2 serves them, ``fast.library.refused`` says why): the
ones titus2 computes with other series of its own (beta, F, t, binomial, hypergeometric, negative
binomial, poissonCDF / QF).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float
from interchange.formats.pfa.fast.types import DOUBLE, Defer, NotCovered, Rec, is_int, is_num

__all__ = ["DISTRIBUTIONS"]

PARAM, INPUT = "invalid parameterization", "invalid input"
SQRT_2PI = math.sqrt(2.0 * math.pi)
_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)
_ERF = np.frompyfunc(math.erf, 1, 1)


def erf(z: Any) -> Any:
    """``math.erf`` element by element (the C library's, as titus2 calls it: exact agreement)."""
    return np.asarray(_ERF(z), dtype=np.float64)


class Checks:
    """titus2's errors for the rows of one call: ``fail`` where a condition holds (on rows not failed
    already, as titus2 stops at its first error), Python's ``pow`` and ``/`` with their exceptions."""

    def __init__(self, rt: Run, depth: int, shape: tuple[int, ...]) -> None:
        self.rt, self.depth, self.shape = rt, depth, shape
        self.failed: Any = np.zeros(shape, dtype=bool)

    def fail(self, cond: Any, message: str) -> None:
        mask = np.broadcast_to(np.asarray(cond, dtype=bool), self.shape) & ~self.failed
        self.rt.fail(mask, self.depth, message)
        self.failed = self.failed | mask

    def pow(self, base: Any, exponent: Any, live: Any) -> Any:
        """Python's float ``pow`` on the ``live`` rows: OverflowError from finite operands,
        ZeroDivisionError for 0 to a negative power; a negative base to a fractional power gives
        a complex number in Python (no PFA value): that batch goes to titus2."""
        base, exponent = np.broadcast_arrays(as_float(base), as_float(exponent))
        out = np.power(base, exponent)
        live = np.asarray(live, dtype=bool)
        if (live & (base < 0) & np.isfinite(exponent) & (exponent != np.floor(exponent))).any():
            raise Defer("a negative number to a fractional power (complex in titus2)")
        finite = np.isfinite(base) & np.isfinite(exponent)
        self.fail(live & finite & np.isinf(out), "math range error (pow overflow)")
        self.fail(live & (base == 0) & (exponent < 0), "0.0 cannot be raised to a negative power")
        return out

    def div(self, a: Any, b: Any, live: Any) -> Any:
        b = as_float(b)
        self.fail(np.asarray(live, dtype=bool) & (b == 0), "float division by zero")
        return as_float(a) / np.where(b == 0, 1.0, b)


def bad(*values: Any) -> Any:
    """NaN or infinite (titus2's ``math.isinf(v) or math.isnan(v)``)."""
    out: Any = np.zeros((), dtype=bool)
    for v in values:
        out = out | ~np.isfinite(v)
    return out


def _dist(ints: tuple[int, ...], body: Callable[..., Any], arity: int) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        compiled = args_of(c, args, scope, arity)
        for i, (_, t) in enumerate(compiled):
            if not is_num(t) or (i in ints and not is_int(t)):
                raise NotCovered(f"argument {i} of type {t}")
        fns, depth = [f for f, _ in compiled], scope.depth

        def run(rt: Run) -> Any:
            values = [as_float(f(rt)) for f in fns]
            ck = Checks(rt, depth, np.broadcast_shapes(*(v.shape for v in values)))
            return body(ck, *values)

        return run, DOUBLE

    return compile_


def register(name: str, body: Callable[..., Any], arity: int, ints: tuple[int, ...] = ()) -> None:
    LIBRARY[f"prob.dist.{name}"] = _dist(ints, body, arity)


# --- gaussian -----------------------------------------------------------------------------------


def _gaussian_ll(ck: Checks, x: Any, mu: Any, sigma: Any) -> Any:
    ck.fail(bad(mu, sigma) | (sigma < 0), PARAM)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (sigma != 0)
    d = x - mu
    term1 = -ck.div(ck.pow(d, 2.0, live), 2.0 * ck.pow(sigma, 2.0, live), live)
    term2 = np.log(np.where(sigma > 0, sigma, 1.0) * SQRT_2PI)
    return np.where(sigma == 0, np.where(x != mu, -np.inf, np.inf), term1 - term2)


def _gaussian_cdf(ck: Checks, x: Any, mu: Any, sigma: Any) -> Any:
    ck.fail(bad(mu, sigma) | (sigma < 0), PARAM)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (sigma != 0)
    z = ck.div(x - mu, sigma * math.sqrt(2.0), live)
    return np.where(sigma == 0, np.where(x < mu, 0.0, 1.0), 0.5 * (1.0 + erf(z)))


def standard_qf(p: Any) -> Any:
    """titus2's standard normal quantile for 0 < p < 1 (the approximation named above)."""
    c0, c1, c2, d1, d2, d3 = 2.515517, 0.802853, 0.010328, 1.432788, 0.189269, 0.001308
    upper = p > 0.5
    q = np.where(upper, 1.0 - p, p)
    t = np.sqrt(-2.0 * np.log(np.where((q > 0) & (q <= 0.5), q, 0.5)))
    g = t - (c0 + t * (c1 + t * c2)) / (1.0 + t * (d1 + t * (d2 + t * d3)))
    return np.where(upper, 1.0, -1.0) * g


def _gaussian_qf(ck: Checks, p: Any, mu: Any, sigma: Any) -> Any:
    ck.fail(bad(mu, sigma) | (sigma < 0), PARAM)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    out = mu + sigma * standard_qf(p)
    out = np.where(sigma == 0, mu, out)
    return np.where(p == 1.0, np.inf, np.where(p == 0.0, -np.inf, out))


def _gaussian(name: str, body: Callable[..., Any]) -> Callable[..., Compiled]:
    """Two signatures: ``(x, mu, sigma)``, or ``(x, params)`` with a record of ``mean`` and ``variance``."""
    three = _dist((), body, 3)

    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        if len(args) != 2:
            return three(c, args, scope)
        (xf, xt), (pf, pt) = args_of(c, args, scope, 2)
        if not (is_num(xt) and isinstance(pt, Rec) and not pt.recursive):
            raise NotCovered(f"{name} on {xt} and {pt}")
        if not all(is_num(pt.fields.get(k)) for k in ("mean", "variance")):
            raise NotCovered(f"{name}: a record without numeric mean and variance")
        depth = scope.depth

        def run(rt: Run) -> Any:
            params = pf(rt)
            x, mean, variance = as_float(xf(rt)), as_float(params["mean"]), as_float(params["variance"])
            ck = Checks(rt, depth, np.broadcast_shapes(x.shape, mean.shape, variance.shape))
            ck.fail(np.isnan(variance) | (variance < 0.0), PARAM)
            sigma = np.sqrt(np.where(ck.failed, 1.0, variance))
            return body(ck, x, mean, sigma)

        return run, DOUBLE

    return compile_


LIBRARY["prob.dist.gaussianLL"] = _gaussian("gaussianLL", _gaussian_ll)
LIBRARY["prob.dist.gaussianCDF"] = _gaussian("gaussianCDF", _gaussian_cdf)
LIBRARY["prob.dist.gaussianQF"] = _gaussian("gaussianQF", _gaussian_qf)


# --- exponential --------------------------------------------------------------------------------


def _exponential_check(ck: Checks, rate: Any) -> None:
    ck.fail(bad(rate) | (rate < 0.0), PARAM)


def _exponential_pdf(ck: Checks, x: Any, rate: Any) -> Any:
    _exponential_check(ck, rate)
    ck.fail(bad(x), INPUT)
    out = rate * np.exp(-rate * x)
    return np.where((rate == 0.0) | (x < 0.0), 0.0, np.where(x == 0.0, rate, out))


def _exponential_cdf(ck: Checks, x: Any, rate: Any) -> Any:
    _exponential_check(ck, rate)
    ck.fail(bad(x), INPUT)
    return np.where((rate == 0.0) | (x <= 0.0), 0.0, 1.0 - np.exp(-rate * x))


def _exponential_qf(ck: Checks, p: Any, rate: Any) -> Any:
    _exponential_check(ck, rate)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    inner = -np.log(np.where(p < 1.0, 1.0 - p, 1.0)) / np.where(rate > 0, rate, 1.0)
    out = np.where(p == 1.0, np.inf, np.where(p == 0.0, 0.0, inner))
    return np.where(rate == 0.0, np.where(p == 0.0, 0.0, np.inf), out)


register("exponentialPDF", _exponential_pdf, 2)
register("exponentialCDF", _exponential_cdf, 2)
register("exponentialQF", _exponential_qf, 2)


# --- poisson ------------------------------------------------------------------------------------


def _poisson_pdf(ck: Checks, x: Any, lam: Any) -> Any:
    ck.fail(bad(lam) | (lam < 0.0), PARAM)
    xs = np.broadcast_to(x, ck.shape)
    use = (lam > 0) & (xs >= 0)
    lgam = np.asarray(_LGAMMA(np.where(use, xs, 0.0) + 1.0), dtype=np.float64)
    out = np.exp(xs * np.log(np.where(lam > 0, lam, 1.0)) - lam - lgam)
    return np.where(lam == 0, np.where(xs != 0, 0.0, 1.0), np.where(xs < 0, 0.0, out))


register("poissonPDF", _poisson_pdf, 2, ints=(0,))


# --- cauchy, lognormal, uniform -----------------------------------------------------------------


def _location_scale(ck: Checks, location: Any, scale: Any) -> None:
    ck.fail(bad(location, scale) | (scale <= 0), PARAM)


def _cauchy_pdf(ck: Checks, x: Any, loc: Any, s: Any) -> Any:
    _location_scale(ck, loc, s)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed
    term1 = 1.0 / (math.pi * s)
    term2 = 1.0 / (1 + ck.pow(ck.div(x - loc, s, live), 2.0, live))
    return term1 * term2


def _cauchy_cdf(ck: Checks, x: Any, loc: Any, s: Any) -> Any:
    _location_scale(ck, loc, s)
    ck.fail(bad(x), INPUT)
    return 0.5 + np.arctan2(x - loc, s) * (1.0 / math.pi)


def _cauchy_qf(ck: Checks, p: Any, loc: Any, s: Any) -> Any:
    _location_scale(ck, loc, s)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    out = loc + s * np.tan(math.pi * (p - 0.5))
    return np.where(p == 1.0, np.inf, np.where(p == 0.0, -np.inf, out))


def _lognormal_pdf(ck: Checks, x: Any, mu: Any, sigma: Any) -> Any:
    _location_scale(ck, mu, sigma)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (x > 0.0)
    term1 = ck.div(1.0, x * sigma * SQRT_2PI, live)
    lx = np.log(np.where(x > 0, x, 1.0))
    term2 = ck.div(ck.pow(lx - mu, 2.0, live), 2.0 * ck.pow(sigma, 2.0, live), live)
    return np.where(x <= 0.0, 0.0, term1 * np.exp(-term2))


def _lognormal_cdf(ck: Checks, x: Any, mu: Any, sigma: Any) -> Any:
    _location_scale(ck, mu, sigma)
    ck.fail(bad(x), INPUT)
    z = (np.log(np.where(x > 0, x, 1.0)) - mu) / np.where(sigma > 0, sigma, 1.0)
    return np.where(x <= 0.0, 0.0, 0.5 * (1.0 + erf(z / (1.0 * math.sqrt(2.0)))))


def _uniform_check(ck: Checks, lo: Any, hi: Any) -> None:
    ck.fail(bad(lo, hi) | (lo >= hi), PARAM)


def _uniform_pdf(ck: Checks, x: Any, lo: Any, hi: Any) -> Any:
    _uniform_check(ck, lo, hi)
    ck.fail(bad(x), INPUT)
    return np.where((x < lo) | (x > hi), 0.0, 1.0 / (hi - lo))


def _uniform_cdf(ck: Checks, x: Any, lo: Any, hi: Any) -> Any:
    _uniform_check(ck, lo, hi)
    ck.fail(bad(x), INPUT)
    return np.where(x < lo, 0.0, np.where(x > hi, 1.0, (x - lo) / (hi - lo)))


def _uniform_qf(ck: Checks, p: Any, lo: Any, hi: Any) -> Any:
    _uniform_check(ck, lo, hi)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    return lo + p * (hi - lo)


register("cauchyPDF", _cauchy_pdf, 3)
register("cauchyCDF", _cauchy_cdf, 3)
register("cauchyQF", _cauchy_qf, 3)
register("lognormalPDF", _lognormal_pdf, 3)
register("lognormalCDF", _lognormal_cdf, 3)
register("uniformPDF", _uniform_pdf, 3)
register("uniformCDF", _uniform_cdf, 3)
register("uniformQF", _uniform_qf, 3)


# --- geometric, weibull -------------------------------------------------------------------------


def _geometric_check(ck: Checks, prob: Any) -> None:
    ck.fail(bad(prob) | (prob <= 0) | (prob > 1), PARAM)


def _geometric_pdf(ck: Checks, x: Any, prob: Any) -> Any:
    _geometric_check(ck, prob)
    live = ~ck.failed & (x >= 0.0)
    return np.where(x < 0.0, 0.0, prob * ck.pow(1.0 - prob, x, live))


def _geometric_cdf(ck: Checks, x: Any, prob: Any) -> Any:
    _geometric_check(ck, prob)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (x >= 0.0)
    return np.where(x < 0.0, 0.0, 1.0 - ck.pow(1.0 - prob, np.floor(np.where(np.isfinite(x), x, 0.0)) + 1.0, live))


def _geometric_qf(ck: Checks, p: Any, prob: Any) -> Any:
    _geometric_check(ck, prob)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    inside = (p > 0.0) & (p < 1.0) & (prob != 1.0)
    ratio = ck.div(np.log(np.where(inside, 1.0 - p, 0.5)), np.log(np.where(inside, 1.0 - prob, 0.5)), ~ck.failed & inside)
    out = np.where(inside, np.floor(ratio) + 0.0, 0.0)  # math.floor gives an int: no -0.0
    return np.where(p == 1.0, np.inf, out)


def _weibull_check(ck: Checks, shape: Any, scale: Any) -> None:
    ck.fail(bad(shape, scale) | (shape <= 0) | (scale <= 0), PARAM)


def _weibull_pdf(ck: Checks, x: Any, a: Any, b: Any) -> Any:
    _weibull_check(ck, a, b)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (x > 0.0)
    r = x / np.where(b > 0, b, 1.0)
    out = (a / b) * ck.pow(r, a - 1.0, live) * np.exp(-ck.pow(r, a, live))
    at_zero = np.where(a < 1.0, np.nan, np.where(a == 1.0, 1.0 / b, 0.0))
    return np.where(x == 0.0, at_zero, np.where(x > 0.0, out, 0.0))


def _weibull_cdf(ck: Checks, x: Any, a: Any, b: Any) -> Any:
    _weibull_check(ck, a, b)
    ck.fail(bad(x), INPUT)
    live = ~ck.failed & (x >= 0.0)
    r = x / np.where(b > 0, b, 1.0)
    return np.where(x >= 0.0, 1.0 - np.exp(-ck.pow(r, a, live)), 0.0)


def _weibull_qf(ck: Checks, p: Any, a: Any, b: Any) -> Any:
    _weibull_check(ck, a, b)
    ck.fail(~((p >= 0.0) & (p <= 1.0)), INPUT)
    base = -np.log(np.where(p < 1.0, 1.0 - p, 0.5))
    out = b * np.power(base, 1.0 / np.where(a > 0, a, 1.0))  # titus2 turns pow's OverflowError into inf
    return np.where(p == 1.0, np.inf, out)


register("geometricPDF", _geometric_pdf, 2, ints=(0,))
register("geometricCDF", _geometric_cdf, 2)
register("geometricQF", _geometric_qf, 2)
register("weibullPDF", _weibull_pdf, 3)
register("weibullCDF", _weibull_cdf, 3)
register("weibullQF", _weibull_qf, 3)

DISTRIBUTIONS = sorted(k for k in LIBRARY if k.startswith("prob.dist."))
