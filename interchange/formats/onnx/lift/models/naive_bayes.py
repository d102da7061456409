"""The ONNX lifter's reading of Gaussian naive Bayes and of log-softmax normalisation.

Gaussian naive Bayes, as two writers spell ``log prior + sum_j (-0.5 log(2 pi var) - 0.5 (x - mean)^2 / var)``:

* the double IR writer (``emit.distance.gaussian_nb``): ``Unsqueeze(x, 1) - mean``, squared by
  ``Mul(d, d)``, ``0.5 * . / var``, subtracted from the constant ``-0.5 log(2 pi var)``, summed over
  axis 2, plus the log priors, then its softmax;
* skl2onnx: ``Reshape(x, [-1, 1, m]) - theta``, ``Pow 2``, ``/ var``, summed over axis 2,
  ``* 0.5``, subtracted from ``sum_j -0.5 log(2 pi var)``, plus the log priors, then
  ``exp(jll - ReduceLogSumExp(jll))``.

Each constant must be what the pattern says (the log terms recomputed from the variances to
1e-9 relative, 1e-6 for float32 constants), else the node is refused. ``exp(s - ReduceLogSumExp(s))`` over an affine map is
its softmax (skl2onnx's MultinomialNB is such a map).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.values import Cols, Lin, _scalar, _where
from interchange.ir.lifted import Unliftable
from interchange.ir.models.naive_bayes import GaussianNaiveBayes

__all__ = ["NaiveBayesOps", "Jll", "jll_model"]


@dataclass
class _Gauss:
    """A stage of the per-class, per-feature Gaussian terms ``[N, classes, features]``."""

    cols: tuple[str, ...]
    # IR writer: x, diff, sq, half-sq, half-sq/var, terms, sum-terms; skl2onnx: x, diff, sq, sq/var, sum, half-sum, jll-prior
    stage: str
    mean: np.ndarray | None = None
    var: np.ndarray | None = None


@dataclass
class Jll:
    """Joint log-likelihoods per class (``[N, classes]``) of a Gaussian naive Bayes, then its link."""

    cols: tuple[str, ...]
    mean: np.ndarray
    var: np.ndarray
    log_prior: np.ndarray
    link: str = "none"


@dataclass
class _LogSum:
    """``ReduceLogSumExp`` of scores, or ``scores - ReduceLogSumExp(scores)``."""

    of: Any
    stage: str  # "lse", "log-p"


def jll_model(v: Jll, classes: tuple[Any, ...] | None, where: str) -> GaussianNaiveBayes:
    if v.link != "softmax" or classes is None or len(classes) != len(v.log_prior):
        raise Unliftable(where, "naive Bayes log-likelihoods as outputs other than their normalised probabilities")
    return GaussianNaiveBayes(v.cols, tuple(classes), v.mean, v.var, v.log_prior)


def _table(v: Any, width: int) -> np.ndarray | None:
    """A ``[classes, features]`` constant (leading 1-axes dropped)."""
    if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
        return None
    a = np.asarray(v, dtype=np.float64)
    while a.ndim > 2 and a.shape[0] == 1:
        a = a[0]
    return a if a.ndim == 2 and a.shape[1] == width else None


def _close(a: np.ndarray, b: np.ndarray, single: bool = False) -> bool:
    """Equal to 1e-9 relative (1e-6 for a float32 constant, rounded from the double value)."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6 if single else 1e-9, atol=1e-12))


class NaiveBayesOps:
    """Mixin for the lifter: ``naive_bayes`` returns the value of a node it recognises, else None."""

    def naive_bayes(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        op, where = node.op_type, _where(node)
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        if op == "Unsqueeze" and isinstance(a, Cols) and isinstance(b, np.ndarray) and b.reshape(-1).tolist() == [1]:
            return _Gauss(tuple(a.names), "x")
        if (
            op == "Reshape"
            and isinstance(a, Cols)
            and isinstance(b, np.ndarray)
            and b.reshape(-1).tolist() == [-1, 1, len(a.names)]
        ):
            return _Gauss(tuple(a.names), "x")
        if isinstance(a, (Lin, Jll)) and a.link == "none" and op == "ReduceLogSumExp":
            return _LogSum(a, "lse")
        if isinstance(a, _LogSum) and op == "Reshape":
            return a
        if op == "Sub" and isinstance(b, _LogSum) and b.stage == "lse" and b.of is a:
            return _LogSum(a, "log-p")
        if op == "Exp" and isinstance(a, _LogSum) and a.stage == "log-p":
            v = a.of
            return Lin(v.inputs, v.coef, v.intercept, "softmax") if isinstance(v, Lin) else replace(v, link="softmax")
        g = next((v for v in ins if isinstance(v, _Gauss)), None)
        if g is None:
            if isinstance(a, _LogSum) or isinstance(b, _LogSum):
                raise Unliftable(where, f"{op} of a log-sum-exp in a pattern the IR has no form for")
            return None
        return self._gauss(op, where, g, a, b, at)

    def _gauss(self, op: str, where: str, g: _Gauss, a: Any, b: Any, at: dict[str, Any]) -> Any:
        m = len(g.cols)
        other = b if a is g else a
        if op == "Sub" and a is g and g.stage == "x" and _table(b, m) is not None:
            return _Gauss(g.cols, "diff", mean=_table(b, m))
        if op == "Mul" and a is g and b is g and g.stage == "diff":
            return replace(g, stage="sq")
        if op == "Pow" and a is g and g.stage == "diff" and _scalar(b) == 2.0:
            return replace(g, stage="sq")
        if op == "Mul" and _scalar(other) == 0.5 and g.stage in ("sq", "sum"):
            return replace(g, stage="half-sq" if g.stage == "sq" else "half-sum")
        if op == "Div" and a is g and g.stage in ("sq", "half-sq") and _table(b, m) is not None:
            var = _table(b, m)
            if g.mean is None or var.shape != g.mean.shape:  # type: ignore[union-attr]
                raise Unliftable(where, "variances that do not match the means")
            return replace(g, stage="half-sq/var" if g.stage == "half-sq" else "sq/var", var=var)
        if op == "ReduceSum" and a is g and g.stage in ("terms", "sq/var"):
            axes = np.asarray(b).reshape(-1).tolist() if isinstance(b, np.ndarray) else at.get("axes")
            if axes not in ([2], [-1]) or at.get("keepdims", 1):
                raise Unliftable(where, "ReduceSum of Gaussian terms other than over the features")
            return replace(g, stage="sum-terms" if g.stage == "terms" else "sum")
        if op == "Sub" and b is g and g.var is not None:
            norms = -0.5 * np.log(2.0 * np.pi * g.var)
            single = isinstance(a, np.ndarray) and a.dtype == np.float32
            if g.stage == "half-sq/var" and _table(a, m) is not None and _close(_table(a, m), norms, single):  # type: ignore[arg-type]
                return replace(g, stage="terms")
            given = np.asarray(a, dtype=np.float64).reshape(-1) if isinstance(a, np.ndarray) else None
            if g.stage == "half-sum" and given is not None and _close(given, norms.sum(axis=1), single):
                return replace(g, stage="jll-prior")
            raise Unliftable(where, "Gaussian terms subtracted from other than -0.5 log(2 pi var)")
        if op == "Add" and isinstance(other, np.ndarray) and g.stage in ("sum-terms", "jll-prior"):
            prior = np.asarray(other, dtype=np.float64).reshape(-1)
            if g.mean is None or g.var is None or len(prior) != len(g.mean):
                raise Unliftable(where, "log priors added to other than the per-class sums")
            return Jll(g.cols, g.mean, g.var, prior)
        raise Unliftable(where, f"{op} of Gaussian naive Bayes terms ({g.stage}) in a pattern the IR has no form for")
